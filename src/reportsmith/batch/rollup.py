"""The province roll-up of the statistical forms: sums by level, derived figures on the sums.

For every row of 附件2 the forms of the national clusters, of the provincial clusters and
of all clusters are summed exactly (``int`` for counts, ``Decimal`` for 万元). A row that a
cluster left 未填 is *not* read as 0: it is left out of the sum and out of that row's
"填报集群数". Derived figures (研发投入强度 …) are recomputed by ``indicators.compute`` on
the sums — a ratio of sums, never an average of the clusters' ratios.

:func:`save_workbook` is the one deterministic .xlsx writer of the batch (fixed document
properties and zip entry times), shared with :mod:`reportsmith.batch.summary`.
"""

from __future__ import annotations

import datetime as _dt
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from reportsmith.form import spec as formspec
from reportsmith.core.atomic import atomic_path
from reportsmith.form.data import FormData, Number

if TYPE_CHECKING:  # openpyxl is imported only when a sheet is written
    from openpyxl.worksheet.worksheet import Worksheet

SCOPES = ("国家级", "省级", "全省")
SCOPE_TOTAL = "全省"
SHEET_TITLE = "全省合计"
ROLLUP_FILE = "汇总.xlsx"


@dataclass
class RollupRow:
    """One printed row of 附件2 with its sums and the number of clusters that filled it."""

    row: formspec.FormRow
    sums: dict[str, Number | None] = field(default_factory=dict)  # scope → sum, None when nobody filled it
    filled: dict[str, int] = field(default_factory=dict)  # scope → clusters that filled the row


@dataclass
class DerivedTotal:
    """A derived figure recomputed on the sums of each scope."""

    name: str
    unit: str
    display: dict[str, str]  # scope → formatted value or 不可计算
    reasons: dict[str, str]  # scope → why it cannot be computed (only where it cannot)


@dataclass
class Rollup:
    year: int
    clusters: dict[str, int]  # scope → clusters whose form was read
    rows: list[RollupRow]
    derived: list[DerivedTotal]


def _scopes_of(level: str) -> tuple[str, str]:
    return (level, SCOPE_TOTAL)


class RollupSums:
    """Running sums of forms, added one at a time: what a batch keeps instead of every form.

    The sums are exact (``int``, ``Decimal``), so the order in which forms arrive (parallel
    workers finish in any order) does not change them.
    """

    def __init__(self) -> None:
        self.rows = [RollupRow(row=r, sums={s: None for s in SCOPES}, filled={s: 0 for s in SCOPES}) for r in formspec.form_rows()]
        self._by_key = {r.row.key: r for r in self.rows if r.row.takes_value and r.row.key}
        self.clusters = {s: 0 for s in SCOPES}

    def add(self, level: str, form: FormData) -> None:
        """Add one cluster's form to the sums of its level and of the province."""
        scopes = _scopes_of(level)
        for s in scopes:
            self.clusters[s] += 1
        for key, value in form.values.items():
            target = self._by_key.get(key)
            if target is None or value is None:
                continue
            for s in scopes:
                current = target.sums[s]
                target.sums[s] = value if current is None else current + value
                target.filled[s] += 1

    def result(self, *, year: int = 2024) -> "Rollup":
        """The roll-up of the forms added so far, derived figures recomputed on the sums."""
        return Rollup(year=year, clusters=dict(self.clusters), rows=self.rows, derived=_derived_on_sums(self.rows, year))


def compute_rollup(forms: Iterable[tuple[str, FormData]], *, year: int = 2024) -> Rollup:
    """Sum the forms ``(level, FormData)`` by level and over all; recompute derived figures.

    >>> f = FormData(values={"集群企业总数": 10})
    >>> r = compute_rollup([("国家级", f), ("省级", FormData())])
    >>> r.rows[1].sums["全省"], r.rows[1].filled["全省"], r.rows[1].filled["省级"]
    (10, 1, 0)
    """
    sums = RollupSums()
    for level, form in forms:
        sums.add(level, form)
    return sums.result(year=year)


def _derived_on_sums(rows: list[RollupRow], year: int) -> list[DerivedTotal]:
    from reportsmith.compute import indicators
    per_scope = {}
    for s in SCOPES:
        values = {r.row.key: r.sums[s] for r in rows if r.row.key and r.sums[s] is not None}
        per_scope[s] = indicators.compute(FormData(values=values, year=year, cluster=None, source=f"{s}合计"))
    out: list[DerivedTotal] = []
    for i, ind in enumerate(per_scope[SCOPE_TOTAL]):
        display, reasons = {}, {}
        for s in SCOPES:
            this = per_scope[s][i]
            display[s] = this.display
            if this.value is None and this.reason:
                reasons[s] = this.reason
        out.append(DerivedTotal(name=ind.name, unit=ind.unit or "", display=display, reasons=reasons))
    return out


# --- writing -------------------------------------------------------------------------------

_HEADERS = ("指标名称", "计量单位", "国家级合计", "国家级填报集群数", "省级合计", "省级填报集群数", "全省合计", "全省填报集群数")
_WIDTHS = (44, 10, 16, 10, 16, 10, 16, 10)


def write_rollup_sheet(ws: "Worksheet", rollup: Rollup) -> None:
    """Fill ``ws`` with the roll-up: the 附件2 rows with sums and counts, then derived figures."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    c = rollup.clusters
    ws.append([f"{rollup.year}年度创新型产业集群统计报表 全省合计"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(
        [
            f"汇总范围：国家级 {c['国家级']} 个、省级 {c['省级']} 个，共 {c['全省']} 个集群的统计报表。"
            "未填的指标不计为 0，只是不计入该行的“填报集群数”。"
        ]
    )
    ws.append(list(_HEADERS))
    for cell in ws[3]:
        cell.font, cell.fill = bold, head_fill
    for r in rollup.rows:
        row = r.row
        if row.header:
            ws.append([row.label])
            ws.cell(ws.max_row, 1).font = bold
            continue
        cells: list[object] = [row.label.strip(), row.unit or ""]
        for s in SCOPES:
            cells += [r.sums[s], r.filled[s]]
        ws.append(cells)
        ws.cell(ws.max_row, 1).alignment = Alignment(indent=row.indent * 2)
        number_format = "#,##0" if row.kind == "count" else "#,##0.00"
        for col in (3, 5, 7):
            ws.cell(ws.max_row, col).number_format = number_format
    ws.append([])
    ws.append(["派生指标（按上面的合计值重新计算，不是各集群指标的平均）"])
    ws.cell(ws.max_row, 1).font = bold
    ws.append(["指标名称", "计量单位", "国家级", "", "省级", "", "全省", "说明"])
    for cell in ws[ws.max_row]:
        cell.font, cell.fill = bold, head_fill
    for d in rollup.derived:
        why = "；".join(f"{s}：{d.reasons[s]}" for s in SCOPES if s in d.reasons)
        ws.append([d.name, d.unit, d.display["国家级"], "", d.display["省级"], "", d.display["全省"], why])
    for i, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "C4"


def rollup_sheet(rollup: Rollup) -> "Worksheet":
    """The roll-up on a sheet of its own workbook (to be copied into a write-only one)."""
    from openpyxl import Workbook

    ws = Workbook().active
    write_rollup_sheet(ws, rollup)
    return ws


def copy_sheet(src: "Worksheet", dst) -> None:
    """Copy values, styles, column widths and frozen panes of ``src`` into the write-only sheet ``dst``."""
    from copy import copy

    from openpyxl.cell import WriteOnlyCell

    for key, dim in src.column_dimensions.items():
        dst.column_dimensions[key].width = dim.width
    dst.freeze_panes = src.freeze_panes
    for row in src.iter_rows():
        cells = []
        for c in row:
            cell = WriteOnlyCell(dst, value=c.value)
            if c.has_style:
                cell.font, cell.fill, cell.alignment = copy(c.font), copy(c.fill), copy(c.alignment)
                cell.number_format = c.number_format
            cells.append(cell)
        dst.append(cells)


def write_rollup_xlsx(rollup: Rollup, path: Path) -> Path:
    """Write ``汇总.xlsx`` (one sheet 全省合计) atomically and deterministically."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    write_rollup_sheet(ws, rollup)
    return save_workbook(wb, path, year=rollup.year)


# Zip entries carry a date; 1980-01-01 is the earliest a zip can hold, used for every entry.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_COPY_CHUNK = 1 << 20


def save_workbook(wb, path: Path, *, year: int) -> Path:
    """Save ``wb`` so that the same content gives the same bytes.

    openpyxl stamps the clock into docProps/core.xml and into every zip entry; both are
    replaced by fixed values (the end of the report year for the properties).
    """
    from openpyxl.writer.excel import ExcelWriter

    when = _dt.datetime(year, 12, 31)
    props = wb.properties
    props.created = props.modified = when
    props.creator = props.lastModifiedBy = "reportsmith"
    # Through files, entry by entry, not whole archives in memory: a summary of thousands of
    # clusters has a sheet of many megabytes.
    with tempfile.TemporaryFile() as raw:
        archive = zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        ExcelWriter(wb, archive).save()  # also closes the archive
        with atomic_path(path) as tmp, zipfile.ZipFile(raw) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH)
                entry.compress_type = zipfile.ZIP_DEFLATED
                entry.create_system = 0
                entry.external_attr = 0
                entry.file_size = info.file_size  # known in advance, as writestr knew it: same header bytes
                with src.open(info) as fin, dst.open(entry, "w") as fout:
                    shutil.copyfileobj(fin, fout, _COPY_CHUNK)
    return path

