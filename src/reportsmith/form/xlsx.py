"""The statistical form (附件2) as an Excel sheet: write a blank or filled one, read a filled one.

The sheet is laid out like the official form — title, 集群名称 and 集群单位名称 (依托单位),
the columns 指标名称 / 计量单位 / 数量, "其中" rows indented — plus a column E 上年数量
(optional, read back into ``previous`` for the 同比 figures). It is protected so that only
the 数量 and 上年数量 cells can be edited, each with numeric validation. A hidden column D
holds the row key (and, above the table, the cluster's account and the year) so that
reading back does not depend on the printed labels; a sheet without it is read by its labels.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from reportsmith.form import spec as formspec

from reportsmith.registry import clusters as registry
from reportsmith.core.atomic import atomic_path
from reportsmith.core.errors import InputError
from reportsmith.form.data import FormData
from reportsmith.form.spec import FormRow
from reportsmith.core.yamlio import LineMap

SHEET = "统计报表"
HEADER_ROW = 3
SIGNATURE = "依托单位名称（盖公章）：_______  填表人：______  电话：______  填报日期：_______"
_KEY_COL = 4  # hidden column D
_PREV_COL = 5  # column E: last year's values
PREVIOUS_HEADER = "上年数量（可选，用于同比）"


def header_line(cluster: registry.Cluster) -> str:
    """The form's header naming its cluster: 集群名称 and its 依托单位 (集群单位名称)."""
    return f"集群名称：{cluster.name}\n集群单位名称（依托单位）：{cluster.units_text}"


def title(year: int) -> str:
    return f"{year}年度创新型产业集群统计报表"


def indent_em(row: FormRow) -> int:
    """Indentation of a label in character widths: 其中 rows by depth, continuations after "其中："."""
    if not row.indent:
        return 0
    base = 2 * row.indent
    return base if row.label.startswith("其中：") else base + 3


def fixed_time(year: int) -> datetime:
    """The creation time written into generated files: fixed, so equal inputs give equal bytes."""
    return datetime(year + 1, 1, 1)


def write_xlsx(out_path: Path, account: str, data: FormData | None = None, *, year: int | None = None) -> Path:
    """Write the form of ``account`` to ``out_path``: blank, or filled with ``data``'s values.

    >>> write_xlsx(Path("out/whkjcyjq.xlsx"), "whkjcyjq")  # doctest: +SKIP
    """
    from openpyxl import Workbook

    from reportsmith.docx.out import normalize_zip  # the same fixed zip layout as every generated .docx

    cluster = registry.get_cluster(account)
    year = year or (data.year if data else 2024)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    _layout(ws, cluster, year, data)
    wb.properties.creator = "reportsmith"
    buf = io.BytesIO()
    wb.save(buf)
    when = fixed_time(year)
    with atomic_path(out_path) as tmp:
        tmp.write_bytes(normalize_zip(_stamp_core(buf.getvalue(), when), when))
    return Path(out_path)


def _stamp_core(package: bytes, when: datetime) -> bytes:
    """openpyxl writes the clock into docProps/core.xml on save: put ``when`` there instead."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            body = src.read(name)
            if name == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)", rb"\g<1>" + stamp + rb"\g<3>", body)
            dst.writestr(name, body)
    return out.getvalue()


def _layout(ws: Any, cluster: registry.Cluster, year: int, data: FormData | None) -> None:
    from openpyxl.styles import Alignment, Border, Font, Protection, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    body = Font(name="宋体", size=11)
    bold = Font(name="宋体", size=11, bold=True)
    ws.merge_cells("A1:C1")
    ws["A1"] = title(year)
    ws["A1"].font = Font(name="黑体", size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 32
    ws.merge_cells("A2:C2")
    ws["A2"] = header_line(cluster)
    ws["A2"].font = body
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[2].height = 36
    for col, text in ((1, "指标名称"), (2, "计量单位"), (3, "数量"), (_PREV_COL, PREVIOUS_HEADER)):
        cell = ws.cell(HEADER_ROW, col, text)
        cell.font, cell.border = bold, box
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.cell(1, _KEY_COL, cluster.account)
    ws.cell(2, _KEY_COL, year)
    ws.cell(HEADER_ROW, _KEY_COL, "键")

    checks = {
        "count": DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                                errorTitle="请填写整数", error="此项为计数，请填写不小于 0 的整数。"),
        "amount": DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                                 errorTitle="请填写金额", error="此项为金额（万元），请填写不小于 0 的数字，可有小数。"),
        "signed_amount": DataValidation(type="decimal", operator="between", formula1="-1E+15", formula2="1E+15",
                                        allow_blank=True, errorTitle="请填写金额",
                                        error="此项为金额（万元），请填写数字；亏损时填负数。"),
    }
    for dv in checks.values():
        dv.showErrorMessage = True
        ws.add_data_validation(dv)

    values = data.values if data else {}
    previous = data.previous if data else {}
    for i, row in enumerate(formspec.form_rows()):
        r = HEADER_ROW + 1 + i
        label = ws.cell(r, 1, row.label)
        unit = ws.cell(r, 2, row.unit or "-")
        qty = ws.cell(r, 3)
        prev = ws.cell(r, _PREV_COL)
        for cell in (label, unit, qty, prev):
            cell.border, cell.font = box, bold if row.header else body
        label.alignment = Alignment(indent=indent_em(row), vertical="center", wrap_text=True)
        unit.alignment = Alignment(horizontal="center", vertical="center")
        if row.header:
            continue
        ws.cell(r, _KEY_COL, row.key)
        for cell, value in ((qty, values.get(row.key)), (prev, previous.get(row.key))):
            cell.protection = Protection(locked=False)
            cell.number_format = "0" if row.is_count else "#,##0.00"
            cell.alignment = Alignment(horizontal="right", vertical="center")
            checks[row.kind].add(cell.coordinate)
            if value is not None:
                cell.value = as_number(value)
    last = HEADER_ROW + len(formspec.form_rows()) + 2
    ws.merge_cells(start_row=last, start_column=1, end_row=last, end_column=3)
    ws.cell(last, 1, SIGNATURE).font = body

    ws.column_dimensions["A"].width = 56
    ws.column_dimensions["B"].width = 10
    ws.column_dimensions["C"].width = 18
    ws.column_dimensions["D"].hidden = True
    ws.column_dimensions["E"].width = 18
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    # Open with the cursor on the first 数量 cell, where the user starts typing.
    first = ws.cell(HEADER_ROW + 1 + next(i for i, r in enumerate(formspec.form_rows()) if not r.header), 3)
    for selection in ws.sheet_view.selection:
        selection.activeCell = selection.sqref = first.coordinate
    _print_setup(ws, last)
    # Protected without a password: it guards against accidental edits, not against the user.
    ws.protection.sheet = True
    ws.protection.formatColumns = False


def _print_setup(ws: Any, last: int) -> None:
    """A4 portrait, one page wide, header row repeated, page numbers in the footer."""
    from openpyxl.worksheet.page import PageMargins

    ws.print_area = f"A1:E{last}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.6, right=0.6, top=0.8, bottom=0.8, header=0.4, footer=0.4)
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def read_xlsx(path: Path) -> tuple[dict[str, Any], LineMap]:
    """The raw mapping (``cluster``, ``year``, row key → cell value) of a filled sheet, with row numbers."""
    from openpyxl import load_workbook

    path = Path(path)
    try:
        wb = load_workbook(path, data_only=True)
    except FileNotFoundError:
        raise InputError("文件不存在", file=path, hint="请检查路径") from None
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise InputError(f"无法读取 Excel 文件（{type(exc).__name__}）", file=path,
                         hint="请确认文件是 .xlsx 格式（WPS/Excel 中“另存为”Excel 工作簿）") from None
    ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
    header = _find_header(ws)
    if header is None:
        raise InputError("找不到表头“指标名称 / 计量单位 / 数量”", file=path,
                         hint="请使用 reportsmith form blank 生成的表格填写")
    by_label = {r.label: r.key for r in formspec.value_rows()}
    raw: dict[str, Any] = {}
    previous: dict[str, Any] = {}
    lines: dict[tuple, int] = {}
    has_previous = str(ws.cell(header, _PREV_COL).value or "").startswith("上年")
    for r in range(header + 1, ws.max_row + 1):
        key = ws.cell(r, _KEY_COL).value
        if key not in formspec.rows_by_key():
            label = ws.cell(r, 1).value
            key = by_label.get(str(label).strip()) if label is not None else None
        if key is None:
            continue
        raw[key] = ws.cell(r, 3).value
        lines[(key,)] = r
        last = ws.cell(r, _PREV_COL).value if has_previous else None
        if last is not None and str(last).strip() != "":
            previous[key], lines[("previous", key)] = last, r
    if previous:
        raw["previous"], lines[("previous",)] = previous, header
    account = ws.cell(1, _KEY_COL).value
    if isinstance(account, str) and account:
        raw["cluster"], lines[("cluster",)] = account, 1
    year = ws.cell(2, _KEY_COL).value
    if not isinstance(year, int):
        m = re.match(r"\s*(\d{4})年度", str(ws.cell(1, 1).value or ""))
        year = int(m.group(1)) if m else None
    if year is not None:
        raw["year"], lines[("year",)] = year, 1
    return raw, LineMap(lines)


def _find_header(ws: Any) -> int | None:
    for r in range(1, min(ws.max_row, 20) + 1):
        if str(ws.cell(r, 1).value or "").strip() == "指标名称" and str(ws.cell(r, 3).value or "").strip() == "数量":
            return r
    return None


def as_number(value: Decimal | int) -> int | float:
    """How a value is stored in a cell: Excel holds doubles, so amounts go in as floats."""
    return value if isinstance(value, int) else float(value)
