"""The form's footer (填表人, 电话, 填报日期) is filled once and printed on every form.

附件2 ends with "依托单位名称（盖公章）：…  填表人：…  电话：…  填报日期：…". The 依托单位 comes from
附件1; the three others are typed by the writer (in form.yaml under 表尾, or on the workspace's
统计报表 page) and must appear on the Excel and Word forms and survive every round trip.
"""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl

from reportsmith.form.load import check_form_file, form_yaml, load_form
from reportsmith.form.word import write_docx
from reportsmith.form.xlsx import read_xlsx, write_xlsx
from reportsmith.registry.clusters import get_cluster

SIGNER = {"填表人": "张三", "电话": "027-87654321", "填报日期": "2025年1月20日"}
UNITS = get_cluster("szxgcyjq").units_text


def _form(tmp_path: Path, footer: str) -> Path:
    path = tmp_path / "form.yaml"
    path.write_text(f"cluster: szxgcyjq\nyear: 2024\n集群企业总数: 120\n{footer}", encoding="utf-8")
    return path


def test_footer_in_form_yaml_is_read_and_written_back(tmp_path):
    path = _form(tmp_path, "表尾:\n  填表人: 张三\n  电话: 027-87654321\n  填报日期: 2025年1月20日\n")
    data, findings = load_form(path)
    assert data.signer == SIGNER
    assert not [f for f in findings if f.rule.startswith("form.signer")]
    again = tmp_path / "again.yaml"
    again.write_text(form_yaml(data), encoding="utf-8")
    assert load_form(again)[0].signer == SIGNER


def test_footer_is_printed_on_the_excel_form_and_read_back(tmp_path):
    data, _ = load_form(_form(tmp_path, "表尾:\n  填表人: 张三\n  电话: 027-87654321\n  填报日期: 2025年1月20日\n"))
    xlsx = write_xlsx(tmp_path / "form.xlsx", "szxgcyjq", data)
    cells = [c.value for row in openpyxl.load_workbook(xlsx).active.iter_rows() for c in row if isinstance(c.value, str)]
    line = next(c for c in cells if c.startswith("依托单位名称"))
    assert line == f"依托单位名称（盖公章）：{UNITS}  填表人：张三  电话：027-87654321  填报日期：2025年1月20日"
    raw, _ = read_xlsx(xlsx)
    assert raw["表尾"] == SIGNER
    assert load_form(xlsx)[0].signer == SIGNER


def test_blank_footer_keeps_lines_to_fill_by_hand(tmp_path):
    xlsx = write_xlsx(tmp_path / "blank.xlsx", "szxgcyjq")
    cells = [c.value for row in openpyxl.load_workbook(xlsx).active.iter_rows() for c in row if isinstance(c.value, str)]
    assert f"依托单位名称（盖公章）：{UNITS}  填表人：______  电话：______  填报日期：______" in cells
    assert "表尾" not in read_xlsx(xlsx)[0]


def test_footer_is_printed_on_the_word_form(tmp_path):
    data, _ = load_form(_form(tmp_path, "表尾:\n  填表人: 张三\n  电话: 027-87654321\n  填报日期: 2025年1月20日\n"))
    out = write_docx(data, tmp_path / "form.docx")
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert f"依托单位名称（盖公章）：{UNITS}  填表人：张三  电话：027-87654321  填报日期：2025年1月20日" in texts


def test_a_mistyped_footer_entry_is_named_with_the_fix(tmp_path):
    _, findings = check_form_file(_form(tmp_path, "表尾:\n  填表: 张三\n"))
    bad = [f for f in findings if f.rule == "form.signer_unknown"]
    assert bad and "填表" in bad[0].message and "填表人" in bad[0].hint
    _, findings = check_form_file(_form(tmp_path, "表尾: 张三\n"))
    assert [f.rule for f in findings if f.rule.startswith("form.signer")] == ["form.signer_not_mapping"]
