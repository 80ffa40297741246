"""Walk the body of word/document.xml in reading order and produce paragraph records.

The accepted view of tracked changes is read (``w:ins`` in, ``w:del`` / ``w:moveFrom``
out, a deleted paragraph mark joins two paragraphs); field results are read, field codes
are not; text boxes are collected apart from the main story; ``mc:Fallback`` copies of
drawings are skipped so a text box is not read twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reportsmith.docx._styles import Numbering, Styles, child, on_off, tag, wval

# Subtrees that hold no text of the accepted main story.
_SKIP = {
    "w:del", "w:moveFrom", "w:pPr", "w:rPr", "w:instrText", "w:delText", "w:delInstrText", "w:sdtPr",
    "w:sdtEndPr", "mc:Fallback", "w:footnoteReference", "w:endnoteReference", "w:commentReference",
    "w:annotationRef", "w:tblPr", "w:tblGrid", "w:trPr", "w:tcPr", "w:sectPr", "w:rPrChange", "w:pPrChange",
}
_BREAKS = {"w:cr": "\n", "w:tab": "\t", "w:ptab": "\t", "w:noBreakHyphen": "-"}


@dataclass
class Paragraph:
    """One paragraph as read: its text and what Word would show about it."""

    text: str
    style_id: str | None = None
    style_name: str | None = None
    outline_level: int | None = None  # 0 = level 1 heading, as in w:outlineLvl
    bold: bool = False
    lead_bold: int = 0  # characters of bold text at the start (a bold run-in heading)
    num_id: str | None = None
    ilvl: int | None = None
    num_format: str | None = None  # e.g. chineseCounting, decimal, bullet
    num_text: str | None = None  # the label Word generates, e.g. "一、" / "（一）"
    in_table: bool = False
    table: int | None = None  # index of the top-level table, in reading order
    cell: tuple[int, int] | None = None  # (row, column) inside that table


@dataclass
class _Ctx:
    styles: Styles
    numbering: Numbering
    paragraphs: list[Paragraph] = field(default_factory=list)
    text_boxes: list[str] = field(default_factory=list)
    tables: int = 0
    notes: set[str] = field(default_factory=set)
    joining: Paragraph | None = None  # paragraph whose mark was deleted


def _run_bold(run, p_style: str | None, ctx: _Ctx) -> bool:
    rpr = child(run, "w:rPr")
    explicit = on_off(child(rpr, "w:b"))
    if explicit is not None:
        return explicit
    rstyle = wval(child(rpr, "w:rStyle"))
    if rstyle and rstyle in ctx.styles.by_id:
        for s in ctx.styles.chain(rstyle):
            if s.bold is not None:
                return s.bold
    via_para = ctx.styles.first(p_style, "bold")
    return via_para if via_para is not None else ctx.styles.default_bold


def _hidden(run) -> bool:
    return bool(on_off(child(child(run, "w:rPr"), "w:vanish")))


def _inline(el, pieces: list[tuple[str, bool]], p_style: str | None, ctx: _Ctx) -> None:
    """Append (text, bold) pieces of the accepted view of ``el``'s inline content."""
    for c in el:
        t = tag(c)
        if t in _SKIP:
            continue
        if t == "w:r":
            if _hidden(c):
                continue
            bold = _run_bold(c, p_style, ctx)
            for rc in c:
                rt = tag(rc)
                if rt == "w:t":
                    pieces.append((rc.text or "", bold))
                elif rt in _BREAKS:
                    pieces.append((_BREAKS[rt], bold))
                elif rt == "w:br" and wval(rc, "type") in (None, "textWrapping"):
                    pieces.append(("\n", bold))
                elif rt == "w:sym":
                    code = wval(rc, "char") or ""
                    try:
                        cp = int(code, 16)
                    except ValueError:
                        continue
                    # Symbol-font characters are stored in the private area F000–F0FF.
                    pieces.append((chr(cp - 0xF000 if 0xF020 <= cp <= 0xF0FF else cp), bold))
                elif rt in ("w:drawing", "w:pict", "w:object", "mc:AlternateContent"):
                    _collect_boxes(rc, ctx)
                elif rt == "w:fldChar":
                    ctx.notes.add("fields")
        elif t == "mc:AlternateContent":
            choice = next((b for b in c if tag(b) == "mc:Choice"), None)
            if choice is not None:
                _inline(choice, pieces, p_style, ctx)
        elif t == "m:t":
            pieces.append((c.text or "", False))
        elif t == "w:ins" or t == "w:moveTo":
            ctx.notes.add("tracked")
            _inline(c, pieces, p_style, ctx)
        else:  # hyperlink, smartTag, fldSimple, sdt/sdtContent, customXml, math, bdo, dir…
            _inline(c, pieces, p_style, ctx)


def _collect_boxes(el, ctx: _Ctx) -> None:
    """Text boxes inside a drawing: read apart from the main story (not body text)."""
    for c in el:
        t = tag(c)
        if t == "mc:Fallback":
            continue
        if t == "w:txbxContent":
            box = _Ctx(ctx.styles, ctx.numbering)
            _blocks(c, box, None)
            text = "\n".join(p.text for p in box.paragraphs)
            if text.strip():
                ctx.text_boxes.append(text)
            ctx.text_boxes.extend(box.text_boxes)
        else:
            _collect_boxes(c, ctx)


def _paragraph(p, ctx: _Ctx, where: tuple[int, int, int] | None) -> None:
    ppr = child(p, "w:pPr")
    style_id = wval(child(ppr, "w:pStyle"))
    pieces: list[tuple[str, bool]] = []
    _inline(p, pieces, style_id, ctx)
    text = "".join(s for s, _ in pieces)
    visible = [b for s, b in pieces if s.strip()]
    lead = 0
    for s, b in pieces:
        if s.strip() and not b:
            break
        lead += len(s)
    chain = ctx.styles.chain(style_id)
    para = Paragraph(
        text=text,
        style_id=chain[0].style_id if chain else style_id,
        style_name=chain[0].name if chain else None,
        bold=bool(visible) and all(visible),
        lead_bold=lead - (len(text) - len(text.lstrip())) if visible else 0,
    )
    lvl = wval(child(ppr, "w:outlineLvl"))
    if lvl is not None and lvl.isdigit():
        para.outline_level = int(lvl) if int(lvl) < 9 else None
    else:
        para.outline_level = ctx.styles.first(style_id, "outline_level")
    numpr = child(ppr, "w:numPr")
    num_id = wval(child(numpr, "w:numId")) or ctx.styles.first(style_id, "num_id")
    ilvl_text = wval(child(numpr, "w:ilvl"))
    ilvl = int(ilvl_text) if ilvl_text and ilvl_text.isdigit() else (ctx.styles.first(style_id, "ilvl") or 0)
    if num_id and num_id != "0":
        label = ctx.numbering.next_label(num_id, ilvl)
        if label is not None:
            para.num_id, para.ilvl = num_id, ilvl
            para.num_format, para.num_text = label
    if where is not None:
        para.in_table, para.table, para.cell = True, where[0], (where[1], where[2])
    if ctx.joining is not None:
        # The previous paragraph's mark was deleted: in the accepted view the two are one
        # paragraph, carrying the properties of the surviving (later) mark.
        para.text = ctx.joining.text + para.text
        ctx.paragraphs.remove(ctx.joining)
        ctx.joining = None
    ctx.paragraphs.append(para)
    if child(child(ppr, "w:rPr"), "w:del") is not None:
        ctx.joining = para
        ctx.notes.add("tracked")


def _items(el, wanted: str):
    """Children named ``wanted``, looking through content controls and custom XML wrappers."""
    for c in el:
        t = tag(c)
        if t == wanted:
            yield c
        elif t in ("w:sdt", "w:sdtContent", "w:customXml", "w:ins", "w:moveTo"):
            yield from _items(c, wanted)
        elif t == "mc:AlternateContent":
            choice = next((b for b in c if tag(b) == "mc:Choice"), None)
            if choice is not None:
                yield from _items(choice, wanted)


def _table(tbl, ctx: _Ctx, where: tuple[int, int, int] | None) -> None:
    index = where[0] if where else ctx.tables
    if where is None:
        ctx.tables += 1
    for r, tr in enumerate(_items(tbl, "w:tr")):
        if child(child(tr, "w:trPr"), "w:del") is not None:  # a deleted row
            continue
        for col, tc in enumerate(_items(tr, "w:tc")):
            _blocks(tc, ctx, where or (index, r, col))


def _blocks(el, ctx: _Ctx, where: tuple[int, int, int] | None) -> None:
    for c in el:
        t = tag(c)
        if t == "w:p":
            _paragraph(c, ctx, where)
        elif t == "w:tbl":
            _table(c, ctx, where)
        elif t in ("w:sdt", "w:sdtContent", "w:customXml", "w:ins", "w:moveTo"):
            _blocks(c, ctx, where)
        elif t == "mc:AlternateContent":
            choice = next((b for b in c if tag(b) == "mc:Choice"), None)
            if choice is not None:
                _blocks(choice, ctx, where)
        elif t == "w:altChunk":
            ctx.notes.add("altChunk")


def read_body(document_root, styles: Styles, numbering: Numbering) -> tuple[list[Paragraph], list[str], set[str]]:
    """Paragraphs of the main story in reading order, the text boxes, and notes on what was seen."""
    ctx = _Ctx(styles, numbering)
    body = child(document_root, "w:body")
    if body is not None:
        _blocks(body, ctx, None)
    return ctx.paragraphs, ctx.text_boxes, ctx.notes


def read_notes(root, kind: str, styles: Styles, numbering: Numbering) -> list[str]:
    """Text of each footnote or endnote (``kind`` = ``"w:footnote"`` / ``"w:endnote"``)."""
    out: list[str] = []
    if root is None:
        return out
    for el in root:
        if tag(el) != kind or wval(el, "type") in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        ctx = _Ctx(styles, numbering)
        _blocks(el, ctx, None)
        text = "\n".join(p.text for p in ctx.paragraphs).strip()
        if text:
            out.append(text)
    return out
