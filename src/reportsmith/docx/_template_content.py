"""The body of ``templates/outline.docx``: title, heading loop and the two appendix tables.

docxtpl tags sit each in one run of its own paragraph (or merged table row), so Word
and docxtpl see them whole. Used by :mod:`reportsmith.docx.template_builder`.
"""

from __future__ import annotations

from typing import Any

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.shared import Twips

from reportsmith.docx.out import element as _el
from reportsmith.docx.out import text_run as _run


def twips_mm(mm: float) -> int:
    """Millimetres in twips (1/1440 inch), the unit of Word's page and table measures."""
    return round(mm * 1440 / 25.4)


def _para(container: Any, text: str, style: str, *, align: str | None = None) -> Any:
    p = container.add_paragraph()
    ppr = p._p.get_or_add_pPr()
    ppr.style = style
    if align:
        ppr.append(_el("w:jc", val=align))
    if text:
        p._p.append(_run(text))
    return p


def _cell_text(cell: Any, text: str, style: str, *, align: str | None = None) -> None:
    p = cell.paragraphs[0]
    p._p.get_or_add_pPr().style = style
    if align:
        p._p.get_or_add_pPr().append(_el("w:jc", val=align))
    if text:
        p._p.append(_run(text))


def _table(document: Any, columns: list[dict[str, Any]]) -> Any:
    table = document.add_table(rows=0, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for col, spec in zip(table.columns, columns):
        col.width = Twips(twips_mm(spec["mm"]))
    return table


def _row(
    table: Any, texts: list[str], style: str = "TableText", *, header: bool = False, aligns: list[str] | None = None
) -> Any:
    row = table.add_row()
    for n, (cell, text, col) in enumerate(zip(row.cells, texts, table.columns)):
        cell.width = col.width
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        _cell_text(cell, text, style, align=aligns[n] if aligns else None)
    # A row torn across two pages (a unit or a file name alone on the next page) is hard to read.
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(_el("w:cantSplit"))
    if header:
        tr_pr.append(_el("w:tblHeader"))
    return row


def _merged_row(table: Any, text: str, style: str = "TableText", *, align: str | None = None) -> Any:
    """One cell across the table: used for docxtpl's ``{%tr %}`` tags and group rows."""
    row = _row(table, [""] * len(table.columns), style)
    cell = row.cells[0].merge(row.cells[-1])
    _cell_text(cell, text, style, align=align)
    return row


def _indicator_table(document: Any, lay: dict[str, Any]) -> None:
    cols = lay["tables"]["indicators"]
    table = _table(document, cols)
    _row(table, [c["title"].replace("{year}", "{{ year }}") for c in cols], "TableHeader", header=True)
    _merged_row(table, "{%tr for r in indicators %}")
    _merged_row(table, "{%tr if r.first_derived %}")
    _merged_row(table, "以下为根据统计报表计算的派生指标", "TableHeader")
    _merged_row(table, "{%tr endif %}")
    _row(
        table,
        ["{{ r.pad }}{{ r.label }}", "{{ r.unit }}", "{{ r.value }}", "{{ r.previous }}", "{{ r.change }}"],
        aligns=[c["align"] for c in cols],
    )
    _merged_row(table, "{%tr endfor %}")
    _merged_row(table, "{%tr if not indicators %}")
    _merged_row(table, "未提供统计报表（form.yaml），暂无指标数据。", align="center")
    _merged_row(table, "{%tr endif %}")


def _checklist_table(document: Any, lay: dict[str, Any]) -> None:
    cols = lay["tables"]["checklist"]
    table = _table(document, cols)
    _row(table, [c["title"] for c in cols], "TableHeader", header=True)
    _merged_row(table, "{%tr for g in checklist_groups %}")
    _merged_row(table, "{{ g.name }}", "TableHeader")
    _merged_row(table, "{%tr for i in g.rows %}")
    _row(
        table,
        ["{{ i.seq }}", "{{ i.category }}", "{{ i.name }}", "{{ i.level }}", "{{ i.doc_no }}", "{{ i.files }}", "{{ i.status }}"],
        aligns=[c["align"] for c in cols],
    )
    _merged_row(table, "{%tr endfor %}")
    _merged_row(table, "{%tr if not g.rows %}")
    _merged_row(table, "（无）", align="center")
    _merged_row(table, "{%tr endif %}")
    _merged_row(table, "{%tr endfor %}")
    _merged_row(table, "{%tr if not checklist_groups %}")
    _merged_row(table, "未提供佐证材料清单（evidence.yaml），本表为空。", align="center")
    _merged_row(table, "{%tr endif %}")


def add_content(document: Any, lay: dict[str, Any]) -> None:
    """Append the report body with its docxtpl tags to ``document``."""
    body = document
    _para(body, "{{ title }}", "Title")
    _para(body, "依托单位：{{ units }}{% if date_text %}　　{{ date_text }}{% endif %}", "Subtitle")
    for text, style in (
        ("{%p for s in sections %}", "Normal"),
        ("{%p if s.level == 1 %}", "Normal"),
        ("{{ s.heading }}", "Heading1"),
        ("{%p else %}", "Normal"),
        ("{{ s.heading }}", "Heading2"),
        ("{%p endif %}", "Normal"),
        ("{%p for text in s.body %}", "Normal"),
        ("{{ text }}", "Normal"),
        ("{%p endfor %}", "Normal"),
        ("{%p if s.placeholder %}", "Normal"),
        ("{{ s.placeholder }}", "Placeholder"),
        ("{%p endif %}", "Normal"),
        ("{%p endfor %}", "Normal"),
    ):
        _para(body, text, style)
    _para(body, "附件1", "AttachmentLabel")
    _para(body, "主要指标", "AttachmentTitle")
    _indicator_table(document, lay)
    _para(body, "附件2", "AttachmentLabel")
    _para(body, "佐证材料清单", "AttachmentTitle")
    _para(body, "{{ checklist_note }}", "NoteText")
    _checklist_table(document, lay)
    # Word expects a paragraph, not a table, right before the section properties.
    _para(body, "", "NoteText")
