"""The Excel form: layout like 附件2, protection and validation, lossless read-back."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportsmith.form import load as form

from reportsmith.form import spec as formspec

from reportsmith.form import xlsx as formxlsx
from reportsmith.core.errors import InputError, Severity
from reportsmith.form.data import FormData
from test_form import form_values  # one strategy for "a randomly filled form", YAML and Excel alike

ROOT = Path(__file__).resolve().parents[1]
FIRST = formxlsx.HEADER_ROW + 1


@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    path = tmp_path_factory.mktemp("blank") / "hstgcyjq.xlsx"
    formxlsx.write_xlsx(path, "hstgcyjq")
    return path


@pytest.fixture(scope="module")
def sheet(blank):
    return openpyxl.load_workbook(blank)[formxlsx.SHEET]


def test_title_units_and_column_headers(sheet):
    assert sheet["A1"].value == "2024年度创新型产业集群统计报表"
    assert sheet["A2"].value == "集群名称：黄石市西塞山区特钢精深加工省级创新型产业集群\n集群单位名称（依托单位）：黄石市科技局、西塞山区人民政府"
    assert [sheet.cell(formxlsx.HEADER_ROW, c).value for c in (1, 2, 3)] == ["指标名称", "计量单位", "数量"]
    assert all(sheet.cell(formxlsx.HEADER_ROW, c).font.b for c in (1, 2, 3))


def test_rows_in_order_with_units_bold_headers_and_indentation(sheet):
    rows = formspec.form_rows()
    for i, row in enumerate(rows):
        r = FIRST + i
        assert sheet.cell(r, 1).value == row.label
        assert sheet.cell(r, 2).value == (row.unit or "-")
        assert bool(sheet.cell(r, 1).font.b) is row.header
        indent = sheet.cell(r, 1).alignment.indent
        assert (indent > 0) is (row.indent > 0), row.label
    by_label = {row.label: FIRST + i for i, row in enumerate(rows)}
    indent = lambda label: sheet.cell(by_label[label], 1).alignment.indent  # noqa: E731
    assert indent("其中：硕士") > indent("其中：本科及以上")
    assert indent("博士") > indent("其中：硕士")  # continues the 硕士 list, after its "其中："
    assert indent("科技型中小企业") > indent("其中：高新技术企业")
    assert "依托单位名称（盖公章）" in str(sheet.cell(FIRST + len(rows) + 1, 1).value)


def test_only_the_quantity_cells_of_value_rows_are_unlocked(sheet):
    assert sheet.protection.sheet
    for i, row in enumerate(formspec.form_rows()):
        r = FIRST + i
        assert sheet.cell(r, 3).protection.locked is row.header, row.label
        assert sheet.cell(r, 1).protection.locked and sheet.cell(r, 2).protection.locked
    assert sheet["A1"].protection.locked


def test_quantity_cells_carry_numeric_validation(sheet):
    rules = {}
    for dv in sheet.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for (cell,) in sheet[rng.coord] if ":" in rng.coord else [(sheet[rng.coord],)]:
                rules[cell.row] = dv
    for i, row in enumerate(formspec.form_rows()):
        dv = rules.get(FIRST + i)
        if row.header:
            assert dv is None
        elif row.is_count:
            assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0")
        elif row.key == "净利润":
            assert dv.type == "decimal" and dv.operator == "between" and dv.formula1.startswith("-")
        else:
            assert (dv.type, dv.operator, dv.formula1) == ("decimal", "greaterThanOrEqual", "0")
        if dv is not None:
            assert dv.showErrorMessage and dv.error


def test_print_setup_is_a4_portrait_one_page_wide(sheet):
    setup = sheet.page_setup
    assert (int(setup.paperSize), setup.orientation) == (9, "portrait")  # 9 = A4 in OOXML
    assert (setup.fitToWidth, setup.fitToHeight, sheet.sheet_properties.pageSetUpPr.fitToPage) == (1, 0, True)
    last = FIRST + len(formspec.form_rows()) + 1
    assert sheet.print_area == f"'{formxlsx.SHEET}'!$A$1:$E${last}"  # with 上年数量; the hidden key column D is not printed
    assert sheet.column_dimensions["D"].hidden
    assert sheet.print_title_rows == f"${formxlsx.HEADER_ROW}:${formxlsx.HEADER_ROW}"  # repeated on page 2
    assert sheet.print_options.horizontalCentered
    assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text


def test_widths_fit_the_longest_label_and_the_view_opens_on_the_first_input(sheet):
    longest = max(len(r.label) * 2 + formxlsx.indent_em(r) for r in formspec.form_rows())
    assert sheet.column_dimensions["A"].width >= longest  # a CJK character is two width units
    assert sheet.column_dimensions["C"].width >= 15  # 1,000,000,000.00
    assert sheet.freeze_panes == f"A{FIRST}"
    assert sheet.sheet_view.selection[0].activeCell == f"C{FIRST + 1}"
    assert sheet[f"C{FIRST + 1}"].protection.locked is False


def test_key_column_is_hidden(sheet):
    assert sheet.column_dimensions["D"].hidden
    assert sheet["D1"].value == "hstgcyjq" and sheet["D2"].value == 2024


def test_same_input_same_bytes(tmp_path, blank):
    again = tmp_path / "again.xlsx"
    formxlsx.write_xlsx(again, "hstgcyjq")
    assert again.read_bytes() == blank.read_bytes()
    # No clock time inside, even when the two writes fall in the same second.
    props = openpyxl.load_workbook(blank).properties
    assert props.created == props.modified == datetime(2025, 1, 1)


def test_blank_form_reads_back_as_all_unfilled(blank):
    data, findings = form.check_form_file(blank)
    assert data.values == {} and data.cluster == "hstgcyjq" and data.year == 2024
    assert len(findings) == 77 and {f.rule for f in findings} == {"form.unfilled"}
    first = next(f for f in findings if f.key == "集群企业总数")
    assert first.line == FIRST + 1  # the sheet row, to find it in Excel


def test_a_sheet_filled_by_hand_is_read_and_checked(tmp_path, blank):
    wb = openpyxl.load_workbook(blank)
    ws = wb[formxlsx.SHEET]
    row_of = {ws.cell(r, 4).value: r for r in range(FIRST, ws.max_row + 1)}
    ws.cell(row_of["集群企业总数"], 3, "1,234")
    ws.cell(row_of["高新技术企业"], 3, 2000)
    ws.cell(row_of["营业收入"], 3, 1234.5)
    ws.cell(row_of["规上企业"], 3, "很多")
    ws.cell(row_of["科技型中小企业"], 3, datetime(2024, 1, 2))  # WPS turned "1-2" into a date
    ws.cell(row_of["境外控股企业"], 3, "１２")  # typed with a Chinese input method
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    data, findings = form.check_form_file(path)
    assert data.values["集群企业总数"] == 1234 and data.values["营业收入"] == Decimal("1234.5")
    assert data.values["境外控股企业"] == 12
    wrong = {f.key: f for f in findings if f.rule == "form.wrong_type"}
    assert wrong["规上企业"].line == row_of["规上企业"] and wrong["规上企业"].file == str(path)
    assert "是日期或时间" in wrong["科技型中小企业"].message and "数值" in wrong["科技型中小企业"].hint
    above = next(f for f in findings if f.rule == "form.child_above_parent")
    assert above.severity is Severity.ERROR and above.line == row_of["高新技术企业"]


def test_sheet_without_key_column_is_read_by_labels(tmp_path):
    data, _ = form.load_form(ROOT / "inputs" / "ycswcyjq" / "form.yaml")
    path = tmp_path / "f.xlsx"
    formxlsx.write_xlsx(path, "ycswcyjq", data)
    wb = openpyxl.load_workbook(path)
    wb[formxlsx.SHEET].delete_cols(4)
    wb.save(path)
    back, findings = form.load_form(path)
    assert back.values == data.values and back.year == 2024
    assert back.cluster is None and [f.rule for f in findings] == ["form.missing_cluster"]


def test_values_at_the_upper_limits_keep_every_digit(tmp_path):
    values = {"集群企业总数": 10**9, "营业收入": Decimal("999999999999.99"), "净利润": Decimal("-999999999999.99"),
              "出口总额": Decimal("0.01")}
    path = tmp_path / "limits.xlsx"
    formxlsx.write_xlsx(path, "whkjcyjq", FormData(values=values, cluster="whkjcyjq"))
    back, findings = form.load_form(path)
    assert findings == [] and back.values == values


def test_unreadable_files(tmp_path):
    bogus = tmp_path / "bogus.xlsx"
    bogus.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(InputError, match="无法读取 Excel"):
        form.load_form(bogus)
    foreign = tmp_path / "foreign.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "别的表"
    wb.save(foreign)
    with pytest.raises(InputError, match="表头"):
        form.load_form(foreign)
    old_format = tmp_path / "旧版.xls"
    old_format.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError, match="另存为.*xlsx"):
        form.load_form(old_format)


def test_unknown_account_is_refused(tmp_path):
    with pytest.raises(InputError):
        formxlsx.write_xlsx(tmp_path / "x.xlsx", "nosuchcyjq")
    assert not list(tmp_path.iterdir())


@settings(max_examples=20, deadline=None)
@given(values=form_values(), account=st.sampled_from(["whkjcyjq", "jsznqgcyjc", "xnswyycyjq"]))
def test_random_values_survive_xlsx_round_trip(tmp_path_factory, values, account):
    path = tmp_path_factory.mktemp("xlsx") / "form.xlsx"
    data = FormData(values=values, year=2024, cluster=account)
    formxlsx.write_xlsx(path, account, data)
    back, findings = form.load_form(path)
    assert findings == []
    assert back.values == values
    assert {k: type(v) for k, v in back.values.items()} == {k: type(v) for k, v in values.items()}
    assert (back.cluster, back.year) == (account, 2024)
