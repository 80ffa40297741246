"""The engine functions the web layer calls — one place, so the web never re-implements a rule.

Views and the store import engine names from here only.
"""

from __future__ import annotations

# The package is being reorganised into subpackages; until that lands the flat modules answer.
try:  # new layout
    from reportsmith.core.errors import Finding, InputError, ReportsmithError, Severity
    from reportsmith.core.yamlio import load_yaml
    from reportsmith.outline.headings import content_headings, find_heading, headings, length_rule
    from reportsmith.outline.report_input import UNCLASSIFIED_KEY, load_report
    from reportsmith.registry.clusters import accounts, get_cluster, load_clusters
    from reportsmith.form.load import check_form_file, form_yaml, load_form, parse_form, validate_form
    from reportsmith.evidence.input import FILE_NAME as EVIDENCE_FILE
    from reportsmith.report.importer import import_docx, to_yaml_block
    from reportsmith.report.pipeline import check_inputs
    from reportsmith.report.build import build
except ImportError:  # flat layout
    from reportsmith.errors import Finding, InputError, ReportsmithError, Severity  # type: ignore[no-redef]
    from reportsmith.yamlio import load_yaml  # type: ignore[no-redef]
    from reportsmith.outline import content_headings, find_heading, headings, length_rule  # type: ignore[no-redef]
    from reportsmith.report_input import UNCLASSIFIED_KEY, load_report  # type: ignore[no-redef]
    from reportsmith.registry import accounts, get_cluster, load_clusters  # type: ignore[no-redef]
    from reportsmith.form import check_form_file, form_yaml, load_form, parse_form, validate_form  # type: ignore[no-redef]
    from reportsmith.evidenceinput import FILE_NAME as EVIDENCE_FILE  # type: ignore[no-redef]
    from reportsmith.importer import import_docx, to_yaml_block  # type: ignore[no-redef]
    from reportsmith.check import check_inputs  # type: ignore[no-redef]
    from reportsmith.build import build  # type: ignore[no-redef]

__all__ = [
    "Finding", "InputError", "ReportsmithError", "Severity", "load_yaml",
    "content_headings", "find_heading", "headings", "length_rule",
    "UNCLASSIFIED_KEY", "load_report", "accounts", "get_cluster", "load_clusters",
    "check_form_file", "form_yaml", "load_form", "parse_form", "validate_form",
    "EVIDENCE_FILE", "import_docx", "to_yaml_block", "check_inputs", "build",
]
