"""The form names its cluster (集群名称 and 依托单位) in the Excel, Word and YAML forms, and
the Excel form carries a 上年 column read back into ``previous``."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import docx
import openpyxl

from reportsmith.compute.figures import figures
from reportsmith.form import xlsx as formxlsx
from reportsmith.form.data import FormData
from reportsmith.form.load import check_form_file, load_form
from reportsmith.form.word import write_docx
from reportsmith.registry.clusters import get_cluster
from reportsmith.report.scaffold import scaffold

SUIZHOU = ("szzbcyjq", "szfjcyjq", "szxgcyjq")  # three clusters, one 依托单位


def test_the_three_suizhou_forms_can_be_told_apart(tmp_path):
    heads = {}
    for account in SUIZHOU:
        c = get_cluster(account)
        xlsx = formxlsx.write_xlsx(tmp_path / f"{account}.xlsx", account)
        a2 = openpyxl.load_workbook(xlsx)[formxlsx.SHEET]["A2"].value
        word = write_docx(FormData({}, cluster=account, year=2024), tmp_path / f"{account}.docx")
        texts = [p.text for p in docx.Document(str(word)).paragraphs[:4]]
        scaffold(account, tmp_path / "in")
        yaml_head = (tmp_path / "in" / account / "form.yaml").read_text(encoding="utf-8").splitlines()[:4]
        for where in (a2, "\n".join(texts), "\n".join(yaml_head)):
            assert f"集群名称：{c.name}" in where and f"依托单位）：{c.units_text}" in where
        heads[account] = (a2, tuple(texts))
    assert len(set(heads.values())) == 3


def test_last_years_column_round_trips_into_previous(tmp_path):
    data = FormData(
        {"集群企业总数": 186, "营业收入": Decimal("1268500"), "净利润": Decimal("-1500.5")},
        previous={"集群企业总数": 170, "营业收入": Decimal("1100000")},
        cluster="whkjcyjq", year=2024,
    )
    path = formxlsx.write_xlsx(tmp_path / "form.xlsx", "whkjcyjq", data)
    ws = openpyxl.load_workbook(path)[formxlsx.SHEET]
    assert ws.cell(formxlsx.HEADER_ROW, 5).value == formxlsx.PREVIOUS_HEADER
    back, findings = check_form_file(path)
    assert back.values == data.values and back.previous == data.previous
    assert not [f for f in findings if f.is_problem]
    assert figures(back)["营业收入"].change == "同比增长15.3%"


def test_a_writer_fills_the_previous_column_in_excel(tmp_path):
    path = formxlsx.write_xlsx(tmp_path / "form.xlsx", "whkjcyjq", year=2024)
    wb = openpyxl.load_workbook(path)
    ws = wb[formxlsx.SHEET]
    rows = {ws.cell(r, 4).value: r for r in range(formxlsx.HEADER_ROW + 1, ws.max_row + 1)}
    ws.cell(rows["集群企业总数"], 3).value = 186
    ws.cell(rows["集群企业总数"], 5).value = 170
    ws.cell(rows["营业收入"], 5).value = "abc"  # a wrong value is named with its row
    assert ws.cell(rows["集群企业总数"], 5).protection.locked is False
    wb.save(path)
    data, findings = load_form(path)
    assert data.previous == {"集群企业总数": 170}
    bad = [f for f in findings if f.key == "previous.营业收入"]
    assert bad and bad[0].line == rows["营业收入"]
