"""The engine functions the review desk calls, in one place (as :mod:`reportsmith.web.engine`
is for the workspace): the desk draws, annotates, composes and exports through these only."""

from __future__ import annotations

from reportsmith.batch.charts import (
    ClusterPoint,
    cjk_font,
    coverage_chart,
    points_from_checks,
    province_indicator_chart,
    province_indicators,
    zishu_chart,
)
from reportsmith.batch.compendium import REVIEW_FILE, build_compendium
from reportsmith.batch.export import export_all
from reportsmith.core.resources import load_data
from reportsmith.checks.annotate import annotate_content, annotate_docx
from reportsmith.checks.sections import check_assembled
from reportsmith.docx.comments import read_comments
from reportsmith.docx.read import read_docx
from reportsmith.form.spec import form_rows
from reportsmith.report.pipeline import load_and_assemble

__all__ = [
    "ClusterPoint", "REVIEW_FILE", "build_compendium", "export_all", "annotate_content", "annotate_docx", "check_assembled", "cjk_font", "coverage_chart", "form_rows",
    "load_and_assemble", "load_data", "points_from_checks", "province_indicator_chart", "province_indicators",
    "read_comments", "read_docx", "zishu_chart",
]
