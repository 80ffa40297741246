"""Put several reports made from the same template into one Word document, with a real table of contents.

:class:`Composer` starts from the first report's package — its styles, numbering, page setup and
footer (the page number) stay as they are — empties the body, and appends: cover lines, a Word
``TOC`` field with one entry per report (a hyperlink to a bookmark on the report's title and a
``PAGEREF`` for its page), each report's body (from a new page, its pictures carried over),
paragraphs, tables and pictures. The document is one section, so page numbers run on; the cover
has no number. The contents' page numbers are placeholders until :meth:`Composer.fill_pages`
gets them from a layout engine; :meth:`Composer.mark_fields_dirty` asks Word to update them
on opening when no layout engine was available.

Reports from the same template share style and numbering definitions, so composing the body
XML keeps each report's look without merging styles (what docxcompose does, and where it drops
headers). Saved with :func:`reportsmith.docx.out.save_deterministic`: same inputs, same bytes.
"""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Sequence

import docx
from docx.enum.text import WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm

from reportsmith.docx.out import save_deterministic

__all__ = ["Composer", "TocEntry", "TOC_INSTRUCTION", "BOOKMARK_PREFIX", "insert_picture_after_table", "png_size", "report_title", "title_text"]

BOOKMARK_PREFIX = "_Toc_rs_"
# Entries are the paragraphs in style "Title" (each report's title), at level 1; \h: hyperlinks.
TOC_INSTRUCTION = ' TOC \\h \\z \\t "Title,1" '
PLACEHOLDER_PAGE = "0"
_TOC_STYLE = "TOC1"
_TOC_HEADING_STYLE = "TOCHeading"
_COVER_STYLE = "CoverTitle"


@dataclass(frozen=True)
class TocEntry:
    title: str
    bookmark: str
    page: str = PLACEHOLDER_PAGE


def title_text(p) -> str:
    """A title paragraph's text as one line (line breaks inside it dropped)."""
    return "".join(t.text or "" for t in p.iter(qn("w:t")))


def report_title(path: str | Path) -> str:
    """The first paragraph in style Title of a report, as one line ("" when there is none)."""
    for p in docx.Document(str(path)).element.body.iter(qn("w:p")):
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if style is not None and style.get(qn("w:val")) == "Title":
            return title_text(p)
    return ""


def _styles_xml(width_twips: int) -> list[str]:
    return [
        # The cover's title looks like a report title but is not one: not in the contents.
        f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="{_COVER_STYLE}"><w:name w:val="汇编封面标题"/>'
        '<w:basedOn w:val="Title"/><w:next w:val="Subtitle"/><w:pPr><w:spacing w:before="2400" w:after="600"/></w:pPr>'
        '<w:rPr><w:sz w:val="52"/><w:szCs w:val="52"/></w:rPr></w:style>',
        f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="{_TOC_HEADING_STYLE}"><w:name w:val="TOC Heading"/>'
        '<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="0" w:after="280" w:line="720" w:lineRule="exact"/>'
        '<w:ind w:firstLineChars="0" w:firstLine="0"/><w:jc w:val="center"/></w:pPr>'
        '<w:rPr><w:rFonts w:eastAsia="黑体"/><w:sz w:val="44"/><w:szCs w:val="44"/></w:rPr></w:style>',
        f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="{_TOC_STYLE}"><w:name w:val="toc 1"/>'
        '<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr>'
        f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{width_twips}"/></w:tabs>'
        '<w:spacing w:before="0" w:after="0" w:line="480" w:lineRule="exact"/><w:ind w:left="0" w:right="567" w:hanging="0" w:firstLineChars="0" w:firstLine="0"/><w:jc w:val="left"/></w:pPr>'
        '<w:rPr><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr></w:style>',
    ]


class Composer:
    """A document built from ``base`` (a report made from the shared template); see the module docstring."""

    def __init__(self, base: str | Path) -> None:
        self.document = docx.Document(str(base))
        body = self.document.element.body
        self._sect = body.find(qn("w:sectPr"))
        for child in list(body):
            if child is not self._sect:
                body.remove(child)
        self._body = body
        self._bookmark_id = 0
        self._toc: list[TocEntry] = []
        self._toc_paragraphs: list = []
        self._page_runs: list = []
        self._docpr_id = 1000
        styles = self.document.styles.element
        section = self.document.sections[0]
        width = int((section.page_width - section.left_margin - section.right_margin) / 635)  # EMU → twips
        for xml in _styles_xml(width):
            sid = xml.split('w:styleId="')[1].split('"')[0]
            if styles.find(f"{qn('w:style')}[@{qn('w:styleId')}='{sid}']") is None:
                styles.append(parse_xml(xml))
        if self._sect is not None and self._sect.find(qn("w:titlePg")) is None:
            # No number on the cover: a first-page footer that is empty (no reference = blank).
            self._sect.append(parse_xml(f'<w:titlePg {nsdecls("w")}/>'))
            _order_sectpr(self._sect)

    # --- plain content -----------------------------------------------------------------

    def _append(self, el) -> None:
        if self._sect is not None:
            self._sect.addprevious(el)
        else:
            self._body.append(el)

    def _style(self, style_id: str):
        for s in self.document.styles:
            if s.style_id == style_id:
                return s
        raise KeyError(style_id)

    def cover(self, title: str, lines: Sequence[str]) -> None:
        """The cover page: the volume's title and lines under it (no page number on this page)."""
        self.paragraph(title, _COVER_STYLE)
        for line in lines:
            self.paragraph(line, "Subtitle")

    def paragraph(self, text: str = "", style: str | None = None, *, page_break_before: bool = False, center: bool = False):
        """A paragraph in the style with id ``style`` (Title, Heading1, NoteText …)."""
        p = self.document.add_paragraph(text, style=self._style(style) if style else None)
        el = p._p
        el.getparent().remove(el)
        self._append(el)
        if page_break_before:
            p.paragraph_format.page_break_before = True
        if center:
            p.alignment = 1
            p.paragraph_format.first_line_indent = 0
        return p

    def page_break(self) -> None:
        p = self.paragraph()
        p.add_run().add_break(WD_BREAK.PAGE)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]], widths_mm: Sequence[float], *,
              header_style: str = "TableHeader", cell_style: str = "TableText", align: Sequence[str] | None = None):
        """A table with a repeated header row; rows never break across pages."""
        t = self.document.add_table(rows=1 + len(rows), cols=len(header))
        el = t._tbl
        el.getparent().remove(el)
        self._append(el)
        try:
            t.style = self.document.styles["Table Grid"]
        except KeyError:
            _borders(t)
        t.autofit = False
        tblpr = t._tbl.tblPr
        tblpr.append(parse_xml(f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>'))
        for col, w in zip(t._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm):
            col.set(qn("w:w"), str(round(w / 25.4 * 1440)))
        for row_index, values in enumerate([list(header), *[list(r) for r in rows]]):
            row = t.rows[row_index]
            trpr = row._tr.get_or_add_trPr()
            trpr.append(parse_xml(f'<w:cantSplit {nsdecls("w")}/>'))
            if row_index == 0:
                trpr.append(parse_xml(f'<w:tblHeader {nsdecls("w")}/>'))
            for col, value in enumerate(values):
                cell = row.cells[col]
                cell.width = Mm(widths_mm[col])
                p = cell.paragraphs[0]
                p.style = self._style(header_style if row_index == 0 else cell_style)
                if row_index and align and align[col] == "right":
                    p.alignment = 2
                elif row_index and align and align[col] == "center":
                    p.alignment = 1
                p.add_run(str(value))
        return t

    def picture(self, png: bytes, width_mm: float, caption: str | None = None) -> None:
        p = self.paragraph(center=True)
        p.paragraph_format.line_spacing = None
        p.add_run().add_picture(io.BytesIO(png), width=Mm(width_mm))
        self._renumber_drawings(p._p)
        if caption:
            self.paragraph(caption, "NoteText", center=True)

    # --- contents ----------------------------------------------------------------------

    def contents(self, heading: str, titles: Sequence[str]) -> list[TocEntry]:
        """The contents page: a heading and a TOC field with one entry per title (placeholders for pages)."""
        self.paragraph(heading, _TOC_HEADING_STYLE, page_break_before=True)
        entries = [TocEntry(t, f"{BOOKMARK_PREFIX}{i + 1:03d}") for i, t in enumerate(titles)]
        for i, e in enumerate(entries):
            p = parse_xml(f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="{_TOC_STYLE}"/></w:pPr></w:p>')
            if i == 0:
                p.append(_run('<w:fldChar w:fldCharType="begin"/>'))
                instr = _run('<w:instrText xml:space="preserve"/>')
                instr[0].text = TOC_INSTRUCTION
                p.append(instr)
                p.append(_run('<w:fldChar w:fldCharType="separate"/>'))
            link = parse_xml(f'<w:hyperlink {nsdecls("w")} w:anchor="{e.bookmark}" w:history="1"/>')
            text = _run('<w:t xml:space="preserve"/>')
            text[0].text = e.title
            link.append(text)
            link.append(_run("<w:tab/>"))
            link.append(_run('<w:fldChar w:fldCharType="begin"/>'))
            ref = _run('<w:instrText xml:space="preserve"/>')
            ref[0].text = f" PAGEREF {e.bookmark} \\h "
            link.append(ref)
            link.append(_run('<w:fldChar w:fldCharType="separate"/>'))
            page = _run(f'<w:t>{PLACEHOLDER_PAGE}</w:t>')
            link.append(page)
            link.append(_run('<w:fldChar w:fldCharType="end"/>'))
            p.append(link)
            if i == len(entries) - 1:
                p.append(_run('<w:fldChar w:fldCharType="end"/>'))
            self._append(p)
            self._toc_paragraphs.append(p)
            self._page_runs.append(page)
        self._toc = entries
        return entries

    @property
    def toc(self) -> list[TocEntry]:
        return list(self._toc)

    def fill_pages(self, pages: Sequence[int | str]) -> None:
        """Write the page number of each contents entry (in entry order)."""
        if len(pages) != len(self._page_runs):
            raise ValueError("one page number per contents entry")
        for run, page in zip(self._page_runs, pages):
            run.find(qn("w:t")).text = str(page)
        self._toc = [TocEntry(e.title, e.bookmark, str(p)) for e, p in zip(self._toc, pages)]

    def mark_fields_dirty(self) -> None:
        """Ask Word to update the contents (and its page numbers) when the file is opened."""
        settings = self.document.settings.element
        if settings.find(qn("w:updateFields")) is None:
            settings.append(parse_xml(f'<w:updateFields {nsdecls("w")} w:val="true"/>'))

    # --- reports -----------------------------------------------------------------------

    def report(self, path: str | Path, bookmark: str | None = None) -> str:
        """Append the body of the report at ``path`` from a new page; return its title (one line).

        The first paragraph in style Title gets ``bookmark`` (the contents' link target).
        """
        other = docx.Document(str(path))
        body = other.element.body
        items = [c for c in body if c.tag != qn("w:sectPr")]
        title = ""
        first = True
        for el in items:
            el = copy.deepcopy(el)
            for old in el.iter(qn("w:bookmarkStart"), qn("w:bookmarkEnd")):
                old.getparent().remove(old)
            self._carry_pictures(el, other)
            if first and el.tag == qn("w:p"):
                ppr = el.find(qn("w:pPr"))
                if ppr is None:
                    ppr = parse_xml(f'<w:pPr {nsdecls("w")}/>')
                    el.insert(0, ppr)
                if ppr.find(qn("w:pageBreakBefore")) is None:
                    brk = parse_xml(f'<w:pageBreakBefore {nsdecls("w")}/>')
                    style = ppr.find(qn("w:pStyle"))
                    (style.addnext(brk) if style is not None else ppr.insert(0, brk))
                first = False
            style = el.find(f"{qn('w:pPr')}/{qn('w:pStyle')}") if el.tag == qn("w:p") else None
            if not title and style is not None and style.get(qn("w:val")) == "Title":
                title = title_text(el)
                if bookmark:
                    self._bookmark(el, bookmark)
            self._append(el)
        return title

    def _bookmark(self, p, name: str) -> None:
        self._bookmark_id += 1
        start = parse_xml(f'<w:bookmarkStart {nsdecls("w")} w:id="{self._bookmark_id}" w:name="{name}"/>')
        end = parse_xml(f'<w:bookmarkEnd {nsdecls("w")} w:id="{self._bookmark_id}"/>')
        ppr = p.find(qn("w:pPr"))
        (ppr.addnext(start) if ppr is not None else p.insert(0, start))
        p.append(end)

    def _carry_pictures(self, el, other) -> None:
        """Give pictures of another package a relationship in this one (same image, new id)."""
        for blip in el.iter(qn("a:blip")):
            rid = blip.get(qn("r:embed"))
            if not rid:
                continue
            part = other.part.related_parts.get(rid)
            if part is None:
                continue
            new_rid, _ = self.document.part.get_or_add_image(io.BytesIO(part.blob))
            blip.set(qn("r:embed"), new_rid)
        self._renumber_drawings(el)

    def _renumber_drawings(self, el) -> None:
        for pr in el.iter(qn("wp:docPr")):
            self._docpr_id += 1
            pr.set("id", str(self._docpr_id))

    # --- saving ------------------------------------------------------------------------

    def save(self, path: str | Path, when: datetime, *, title: str | None = None) -> Path:
        return save_deterministic(self.document, path, when, title=title)


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels of a PNG image."""
    import struct

    return struct.unpack(">II", png[16:24])


def _run(inner: str):
    return parse_xml(f'<w:r {nsdecls("w")}>{inner}</w:r>')


_SECT_ORDER = [
    "headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar", "paperSrc", "pgBorders",
    "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote", "titlePg", "textDirection", "bidi", "rtlGutter",
    "docGrid", "printerSettings", "sectPrChange",
]


def _order_sectpr(sect) -> None:
    """Children of w:sectPr in schema order (Word refuses a file otherwise)."""
    def key(c):
        local = c.tag.rsplit("}", 1)[-1]
        return _SECT_ORDER.index(local) if local in _SECT_ORDER else len(_SECT_ORDER)

    children = sorted(list(sect), key=key)
    for c in list(sect):
        sect.remove(c)
    for c in children:
        sect.append(c)


def _borders(table) -> None:
    tblpr = table._tbl.tblPr
    tblpr.append(parse_xml(
        f'<w:tblBorders {nsdecls("w")}>'
        + "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>' for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
        + "</w:tblBorders>"
    ))


def insert_picture_after_table(path: str | Path, label: str, png: bytes, width_mm: float, caption: str, when: datetime) -> bool:
    """Put a picture and its caption after the first table that follows the paragraph reading ``label``
    (an attachment's label, e.g. 附件1); save deterministically. False when there is no such place."""
    document = docx.Document(str(path))
    body = document.element.body
    start = None
    for el in body:
        if el.tag == qn("w:p") and title_text(el).strip() == label:
            start = el
            break
    if start is None:
        return False
    table = start.getnext()
    while table is not None and table.tag != qn("w:tbl"):
        if table.tag == qn("w:p") and title_text(table).strip().startswith("附件") and table is not start and len(title_text(table).strip()) <= 4:
            return False  # the next attachment began: no table here
        table = table.getnext()
    if table is None:
        return False
    styles = {s.style_id: s for s in document.styles}
    picture = document.add_paragraph()
    picture.alignment = 1
    picture.paragraph_format.first_line_indent = 0
    picture.paragraph_format.line_spacing = None
    picture.paragraph_format.space_before = Mm(3)
    picture.add_run().add_picture(io.BytesIO(png), width=Mm(width_mm))
    note = document.add_paragraph(caption, style=styles.get("NoteText"))
    note.alignment = 1
    table.addnext(picture._p)
    picture._p.addnext(note._p)
    save_deterministic(document, path, when, title=document.core_properties.title or None)
    return True
