"""The Word table of a filled form, read back with python-docx."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from reportsmith.form import load as form

from reportsmith.form import word as formdocx

from reportsmith.form import spec as formspec
from reportsmith.form.data import FormData

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo():
    data, _ = form.load_form(ROOT / "inputs" / "hstgcyjq" / "form.yaml")
    return data


@pytest.fixture(scope="module")
def written(demo, tmp_path_factory):
    path = tmp_path_factory.mktemp("docx") / "表.docx"
    formdocx.write_docx(demo, path)
    return path


def _texts(path):
    return [p.text for p in docx.Document(str(path)).paragraphs]


def test_title_units_and_signature_line(written):
    texts = _texts(written)
    assert texts[:4] == ["附件2", "2024年度创新型产业集群统计报表", "集群名称：黄石市西塞山区特钢精深加工省级创新型产业集群",
                         "集群单位名称（依托单位）：黄石市科技局、西塞山区人民政府"]
    assert texts[-1] == "依托单位名称（盖公章）：_______  填表人：______  电话：______  填报日期：_______"


def test_table_has_the_83_rows_with_units_and_values(written, demo):
    table = docx.Document(str(written)).tables[0]
    assert len(table.columns) == 3 and len(table.rows) == 84
    assert [c.text for c in table.rows[0].cells] == ["指标名称", "计量单位", "数量"]
    for tr, row in zip(table.rows[1:], formspec.form_rows()):
        label, unit, qty = (c.text for c in tr.cells)
        assert label == row.label and unit == (row.unit or "-")
        if row.header:
            assert qty == ""
        else:
            assert qty.replace(",", "") == form_value_text(demo.values[row.key])


def form_value_text(value):
    return str(value) if isinstance(value, int) else format(value, "f")


def test_a4_page_and_the_column_header_repeats_on_page_two(written):
    document = docx.Document(str(written))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    head = document.tables[0].rows[0]._tr
    assert head.trPr is not None and head.trPr.find(qn("w:tblHeader")) is not None


def test_values_are_formatted_with_thousands_separators():
    assert formdocx.format_cell(1234567) == "1,234,567"
    assert formdocx.format_cell(Decimal("2025049.0")) == "2,025,049.0"
    assert formdocx.format_cell(Decimal("-1520.35")) == "-1,520.35"
    assert formdocx.format_cell(None) == ""


def test_unfilled_rows_stay_empty_not_zero(tmp_path):
    data = FormData(values={"集群企业总数": 12, "净利润": Decimal("-3.5")}, year=2024, cluster="szxgcyjq")
    path = tmp_path / "f.docx"
    formdocx.write_docx(data, path)
    table = docx.Document(str(path)).tables[0]
    qty = {tr.cells[0].text: tr.cells[2].text for tr in table.rows[1:]}
    assert qty["集群企业总数"] == "12" and qty["净利润"] == "-3.5"
    assert qty["营业收入"] == "" and qty["其中：高新技术企业"] == ""


def test_qizhong_rows_are_indented_as_printed(written):
    table = docx.Document(str(written)).tables[0]
    indent = {tr.cells[0].text: (tr.cells[0].paragraphs[0].paragraph_format.left_indent or 0) for tr in table.rows[1:]}
    assert indent["集群企业总数"] == 0 and indent["营业收入"] == 0
    assert 0 < indent["其中：本科及以上"] < indent["其中：硕士"] < indent["博士"]
    assert indent["其中：高新技术企业"] < indent["科技型中小企业"]
    assert indent["其中：主导产业营业收入"] > 0


def test_east_asian_fonts_are_set(written):
    document = docx.Document(str(written))
    title = document.paragraphs[1].runs[0]
    assert title._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    cell_run = document.tables[0].rows[2].cells[0].paragraphs[0].runs[0]
    assert cell_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    head_run = document.tables[0].rows[0].cells[0].paragraphs[0].runs[0]
    assert head_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"


def test_same_data_same_bytes_and_no_temporary_files(written, demo, tmp_path):
    again = tmp_path / "again.docx"
    formdocx.write_docx(demo, again)
    assert again.read_bytes() == written.read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["again.docx"]


@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None, reason="needs LibreOffice")
def test_libreoffice_lays_it_out_on_two_pages(written, tmp_path):
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(written)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / (written.stem + ".pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+2$", info, re.M), info
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "年度创新型产业集群统计报表" in text and "填报日期" in text
