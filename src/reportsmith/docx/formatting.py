"""How a .docx looks: page setup, the fonts, sizes and line spacing paragraphs end up with,
and whether a footer carries a page number — read for the layout conformance check.

Values are resolved the way Word resolves them: document defaults, then the paragraph
style's chain (``w:basedOn``), then the paragraph's own properties, then each run's
character style and direct formatting. A paragraph's font and size are those that cover
most of its characters. Theme fonts (``w:eastAsiaTheme``) are looked up in the theme.
The file is opened with the safe reader's checks.
"""

from __future__ import annotations

import posixpath
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from reportsmith.docx._styles import child, tag, wval
from reportsmith.docx.order import paragraph_elements
from reportsmith.docx.read import SafeDocx, open_docx

__all__ = ["PageSetup", "ParagraphLook", "DocxFormatting", "read_formatting"]

_TWIP_MM = 25.4 / 1440


@dataclass(frozen=True)
class PageSetup:
    """One section's paper and margins, in millimetres."""

    width_mm: float
    height_mm: float
    top_mm: float
    bottom_mm: float
    left_mm: float
    right_mm: float


@dataclass(frozen=True)
class ParagraphLook:
    """The East Asian font and size (pt) covering most of a paragraph's characters, and its line spacing."""

    font: str | None
    size_pt: float | None
    line_rule: str | None  # exact / atLeast / auto (multiple of single) / None
    line_pt: float | None  # exact or at-least spacing in points; for auto, the multiple × 12


@dataclass
class DocxFormatting:
    pages: list[PageSetup] = field(default_factory=list)
    paragraphs: list[ParagraphLook] = field(default_factory=list)  # reading order, as read_docx lists them
    footer_page_number: bool = False  # a PAGE field in some footer
    has_footer: bool = False


@dataclass
class _Props:
    font: str | None = None
    font_theme: str | None = None
    size: float | None = None
    line_rule: str | None = None
    line: int | None = None

    def merged(self, other: "_Props") -> "_Props":
        out = _Props(**self.__dict__)
        if other.font is not None or other.font_theme is not None:
            out.font, out.font_theme = other.font, other.font_theme
        for k in ("size", "line_rule", "line"):
            if getattr(other, k) is not None:
                setattr(out, k, getattr(other, k))
        return out


def _rpr_props(rpr) -> _Props:
    p = _Props()
    if rpr is None:
        return p
    fonts = child(rpr, "w:rFonts")
    if fonts is not None:
        ea, theme = wval(fonts, "eastAsia"), wval(fonts, "eastAsiaTheme")
        if theme:
            p.font_theme = theme
        elif ea:
            p.font = ea
    sz = wval(child(rpr, "w:sz"))
    if sz and sz.replace(".", "", 1).isdigit():
        p.size = float(sz) / 2
    return p


def _ppr_props(ppr) -> _Props:
    p = _Props()
    spacing = child(ppr, "w:spacing")
    line = wval(spacing, "line")
    if line is not None and line.lstrip("-").isdigit():
        p.line = int(line)
        p.line_rule = wval(spacing, "lineRule") or "auto"
    return p


class _Styles:
    def __init__(self, root) -> None:
        self.paragraph: dict[str, tuple[str | None, _Props]] = {}  # id → (basedOn, props incl. rPr)
        self.character: dict[str, tuple[str | None, _Props]] = {}
        self.default_para: str | None = None
        self.defaults = _Props()
        if root is None:
            return
        defaults = child(root, "w:docDefaults")
        rpr = child(child(defaults, "w:rPrDefault"), "w:rPr")
        ppr = child(child(defaults, "w:pPrDefault"), "w:pPr")
        self.defaults = _rpr_props(rpr).merged(_ppr_props(ppr))
        for s in root:
            if tag(s) != "w:style":
                continue
            sid, kind = wval(s, "styleId"), wval(s, "type")
            if not sid:
                continue
            props = _ppr_props(child(s, "w:pPr")).merged(_rpr_props(child(s, "w:rPr")))
            entry = (wval(child(s, "w:basedOn")), props)
            if kind == "paragraph":
                self.paragraph[sid] = entry
                if wval(s, "default") in ("1", "true", "on"):
                    self.default_para = sid
            elif kind == "character":
                self.character[sid] = entry

    def resolve(self, table: dict, sid: str | None) -> _Props:
        chain, seen = [], set()
        while sid and sid in table and sid not in seen:
            seen.add(sid)
            based, props = table[sid]
            chain.append(props)
            sid = based
        out = _Props()
        for props in reversed(chain):
            out = out.merged(props)
        return out


def _theme_fonts(doc: SafeDocx) -> dict[str, str]:
    """``minorEastAsia`` / ``majorEastAsia`` → typeface (the ``ea`` font, or the Simplified Chinese one)."""
    name = doc.related("/theme")
    root = doc.xml(name) if name else None
    out: dict[str, str] = {}
    if root is None:
        return out
    for kind in ("minor", "major"):
        for el in root.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}" + kind + "Font"):
            face = None
            for c in el:
                local = c.tag.rsplit("}", 1)[-1] if isinstance(c.tag, str) else ""
                if local == "ea" and c.get("typeface"):
                    face = c.get("typeface")
                elif local == "font" and c.get("script") == "Hans" and not face:
                    face = c.get("typeface")
            if face:
                out[f"{kind}EastAsia"] = face
    return out


def _run_props(run, styles: _Styles) -> _Props:
    rpr = child(run, "w:rPr")
    p = _Props()
    rstyle = wval(child(rpr, "w:rStyle"))
    if rstyle:
        p = p.merged(styles.resolve(styles.character, rstyle))
    return p.merged(_rpr_props(rpr))


def _run_text_len(run) -> int:
    return sum(len(t.text or "") for t in run if tag(t) == "w:t")


def _runs(p):
    for c in p:
        t = tag(c)
        if t == "w:r":
            yield c
        elif t in ("w:ins", "w:hyperlink", "w:smartTag", "w:sdt", "w:sdtContent", "w:customXml", "w:fldSimple", "w:moveTo"):
            yield from _runs(c)


def _look(p, styles: _Styles, themes: dict[str, str]) -> ParagraphLook:
    ppr = child(p, "w:pPr")
    sid = wval(child(ppr, "w:pStyle")) or styles.default_para
    base = styles.defaults.merged(styles.resolve(styles.paragraph, sid)).merged(_ppr_props(ppr))
    fonts: Counter = Counter()
    sizes: Counter = Counter()
    for run in _runs(p):
        n = _run_text_len(run)
        if not n:
            continue
        props = base.merged(_run_props(run, styles))
        font = props.font if props.font_theme is None else themes.get(props.font_theme, props.font_theme)
        fonts[font] += n
        sizes[props.size] += n
    if not fonts:  # an empty paragraph: what its mark says
        mark = base.merged(_rpr_props(child(ppr, "w:rPr")))
        font = mark.font if mark.font_theme is None else themes.get(mark.font_theme, mark.font_theme)
        fonts[font] += 1
        sizes[mark.size] += 1
    font = fonts.most_common(1)[0][0]
    size = sizes.most_common(1)[0][0]
    line_pt = None
    if base.line is not None:
        line_pt = base.line / 20 if base.line_rule in ("exact", "atLeast") else round(base.line / 240 * 12, 2)
    return ParagraphLook(font, size, base.line_rule, line_pt)


def _page(sect) -> PageSetup | None:
    sz, mar = child(sect, "w:pgSz"), child(sect, "w:pgMar")
    if sz is None or mar is None:
        return None

    def mm(el, name: str) -> float:
        v = wval(el, name)
        try:
            return round(abs(float(v)) * _TWIP_MM, 1) if v is not None else 0.0
        except ValueError:
            return 0.0

    return PageSetup(mm(sz, "w"), mm(sz, "h"), mm(mar, "top"), mm(mar, "bottom"), mm(mar, "left"), mm(mar, "right"))


def _has_page_field(root) -> bool:
    for el in root.iter():
        t = tag(el)
        if t == "w:instrText" and "PAGE" in (el.text or "").split():
            return True
        if t == "w:fldSimple" and "PAGE" in (wval(el, "instr") or "").split():
            return True
    return False


def read_formatting(path: str | Path) -> DocxFormatting:
    """The page setup of every section, each paragraph's look, and whether a footer numbers the pages."""
    doc = open_docx(path)
    try:
        root = doc.xml(doc.main_part)
        styles = _Styles(doc.xml(doc.related("/styles", "word/styles.xml") or ""))
        themes = _theme_fonts(doc)
        out = DocxFormatting()
        out.paragraphs = [_look(p, styles, themes) for p in paragraph_elements(root)]
        for sect in root.iter():
            if tag(sect) == "w:sectPr":
                page = _page(sect)
                if page is not None:
                    out.pages.append(page)
        folder, base = posixpath.split(doc.main_part)
        rels = doc.xml(posixpath.join(folder, "_rels", base + ".rels"))
        for rel in rels if rels is not None else ():
            if (rel.get("Type") or "").endswith("/footer") and rel.get("TargetMode") != "External":
                target = posixpath.normpath(posixpath.join(folder, rel.get("Target") or ""))
                footer = doc.xml(target) if target in doc.names else None
                if footer is not None:
                    out.has_footer = True
                    out.footer_page_number = out.footer_page_number or _has_page_field(footer)
    finally:
        doc.close()
    return out
