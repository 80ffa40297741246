"""The engine functions the web layer calls — one place, so the web never re-implements a rule.

Views and the store import engine names from here only.
"""

from __future__ import annotations

from reportsmith.core.errors import Finding, InputError, ReportsmithError, Severity
from reportsmith.core.yamlio import LineMap, load_yaml
from reportsmith.checks.coverage import topic_coverage
from reportsmith.checks.prose import check_prose
from reportsmith.checks.sections import check_assembled, section_zishu
from reportsmith.checks.zishu import zishu
from reportsmith.compute.highlights import section_sentences
from reportsmith.evidence.files import check_file, safe_name
from reportsmith.evidence import rules as evidence_rules
from reportsmith.form import spec as form_spec
from reportsmith.form.data import SIGNER_FIELDS, SIGNER_KEY
from reportsmith.form.xlsx import write_xlsx
from reportsmith.evidence.input import FILE_NAME as EVIDENCE_FILE, parse_evidence
from reportsmith.form.load import check_form_file, check_form_mapping, form_yaml, load_form, parse_form, validate_form
from reportsmith.outline.headings import content_headings, find_heading, headings, length_rule
from reportsmith.outline.report_input import UNCLASSIFIED_KEY, TextBlock, load_report, parse_report
from reportsmith.registry.clusters import accounts, get_cluster, load_clusters
from reportsmith.report.build import build
from reportsmith.report.importer import import_docx, to_yaml_block
from reportsmith.report.pdf import convert_pdf, find_soffice
from reportsmith.report.pipeline import assemble_report, assemble_section, check_inputs, place_highlights

__all__ = [
    "LineMap", "topic_coverage", "check_prose", "check_assembled", "section_zishu", "zishu", "section_sentences",
    "check_file", "safe_name", "evidence_rules", "form_spec", "write_xlsx", "check_form_mapping", "TextBlock",
    "parse_report", "parse_evidence", "place_highlights", "assemble_report", "assemble_section",
    "Finding", "InputError", "ReportsmithError", "Severity", "load_yaml",
    "content_headings", "find_heading", "headings", "length_rule",
    "UNCLASSIFIED_KEY", "load_report", "accounts", "get_cluster", "load_clusters",
    "check_form_file", "form_yaml", "load_form", "parse_form", "validate_form",
    "EVIDENCE_FILE", "import_docx", "to_yaml_block", "check_inputs", "build", "SIGNER_FIELDS", "SIGNER_KEY",
    "convert_pdf", "find_soffice",
]
