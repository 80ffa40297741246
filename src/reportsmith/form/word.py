"""A filled statistical form (附件2) as a Word table, laid out like the official one.

Title, 集群名称 and 集群单位名称 (依托单位), a three-column table (指标名称 / 计量单位 / 数量) with the "其中"
rows indented as printed, and the signature line under it. Fonts follow the layout
notes: East Asian fonts are set through ``w:eastAsia`` (python-docx's ``font.name``
only sets the Latin font). Rows left empty (未填) stay empty, never 0.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportsmith.form import spec as formspec

from reportsmith.registry import clusters as registry
from reportsmith.docx.out import save_deterministic, set_fonts
from reportsmith.form.data import FormData, Number
from reportsmith.form.xlsx import SIGNATURE, fixed_time, indent_em, title

TITLE_FONT, BODY_FONT, HEAD_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体"
TABLE_PT = 10.5


def format_cell(value: Number | None) -> str:
    """A value as printed in the 数量 column: thousands separators, decimals kept as filled.

    >>> format_cell(Decimal("1234567.5")), format_cell(326), format_cell(None)  # doctest: +SKIP
    ('1,234,567.5', '326', '')
    """
    if value is None:
        return ""
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,f}"


def set_font(run: Any, east_asian: str, size_pt: float, *, bold: bool = False) -> None:
    """Set a run's Latin and East Asian fonts (see :func:`docxout.set_fonts`), size and weight."""
    from docx.shared import Pt

    run.font.size = Pt(size_pt)
    run.font.bold = bold
    set_fonts(run._element.get_or_add_rPr(), east_asian)


def _paragraph(container: Any, text: str, font: str, size: float, *, bold: bool = False, align: Any = None,
               indent_chars: float = 0, space_after: float = 0) -> Any:
    from docx.shared import Pt

    p = container.add_paragraph()
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(space_after)
    if indent_chars:
        fmt.left_indent = Pt(indent_chars * size)
    set_font(p.add_run(text), font, size, bold=bold)
    return p


def build_document(data: FormData) -> Any:
    """The python-docx Document of the filled form (not saved)."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    set_fonts(doc.styles["Normal"].element.get_or_add_rPr(), BODY_FONT)
    # python-docx's default document starts with an empty paragraph: drop it so that
    # "附件2" is the first line, as printed.
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)

    _paragraph(doc, "附件2", HEAD_FONT, 16, space_after=6)
    _paragraph(doc, title(data.year), TITLE_FONT, 22, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    cluster = registry.get_cluster(data.cluster) if data.cluster in registry.accounts() else None
    _paragraph(doc, f"集群名称：{cluster.name if cluster else ''}", BODY_FONT, 14, space_after=0)
    _paragraph(doc, f"集群单位名称（依托单位）：{cluster.units_text if cluster else ''}", BODY_FONT, 14, space_after=6)

    rows = formspec.form_rows()
    table = doc.add_table(rows=len(rows) + 1, cols=3)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = (Mm(100), Mm(22), Mm(34))
    center, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    head = table.rows[0]
    # Repeat the column header on every page the table runs over.
    head._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for cell, text in zip(head.cells, ("指标名称", "计量单位", "数量")):
        _fill(cell, text, HEAD_FONT, align=center)
    for tr, row in zip(table.rows[1:], rows):
        label, unit, qty = tr.cells
        _fill(label, row.label, HEAD_FONT if row.header else BODY_FONT, indent=indent_em(row))
        _fill(unit, row.unit or "-", BODY_FONT, align=center)
        _fill(qty, "" if row.header else format_cell(data.values.get(row.key)), BODY_FONT, align=right)
    # LibreOffice reads the grid, Word the cell widths: set both.
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = width
    for tr in table.rows:
        for cell, width in zip(tr.cells, widths):
            cell.width = width

    _paragraph(doc, "", BODY_FONT, 10.5)
    _paragraph(doc, SIGNATURE, BODY_FONT, 10.5)
    return doc


def _fill(cell: Any, text: str, font: str, *, align: Any = None, indent: int = 0) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.shared import Pt

    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    p = cell.paragraphs[0]
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.left_indent = Pt(indent * TABLE_PT)
    p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(0)
    if text:
        set_font(p.add_run(text), font, TABLE_PT)


def write_docx(data: FormData, out_path: Path) -> Path:
    """Write the filled form to ``out_path`` (atomic; equal data give equal bytes)."""
    doc = build_document(data)
    doc.core_properties.author = "reportsmith"
    return save_deterministic(doc, out_path, fixed_time(data.year), title=title(data.year))
