"""The engine functions the web layer calls — one place, so the web never re-implements a rule.

Views and the store import engine names from here only.
"""

from __future__ import annotations

from reportsmith.core.errors import Finding, InputError, ReportsmithError, Severity
from reportsmith.core.yamlio import load_yaml
from reportsmith.evidence.input import FILE_NAME as EVIDENCE_FILE
from reportsmith.form.load import check_form_file, form_yaml, load_form, parse_form, validate_form
from reportsmith.outline.headings import content_headings, find_heading, headings, length_rule
from reportsmith.outline.report_input import UNCLASSIFIED_KEY, load_report
from reportsmith.registry.clusters import accounts, get_cluster, load_clusters
from reportsmith.report.build import build
from reportsmith.report.importer import import_docx, to_yaml_block
from reportsmith.report.pipeline import check_inputs

__all__ = [
    "Finding", "InputError", "ReportsmithError", "Severity", "load_yaml",
    "content_headings", "find_heading", "headings", "length_rule",
    "UNCLASSIFIED_KEY", "load_report", "accounts", "get_cluster", "load_clusters",
    "check_form_file", "form_yaml", "load_form", "parse_form", "validate_form",
    "EVIDENCE_FILE", "import_docx", "to_yaml_block", "check_inputs", "build",
]
