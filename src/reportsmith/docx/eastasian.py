"""East Asian punctuation in Chinese text drawn with the Chinese font: “ ” ‘ ’ — … ·.

These characters exist in both Latin and Chinese fonts. Word and WPS pick the font by
the run's ``w:rFonts/@w:hint``: without ``w:hint="eastAsia"`` they use the Latin font
(Times New Roman), which draws narrow quotation marks with a visible gap — a
typographic error in a 公文. LibreOffice 7 ignores the hint and uses the run's Latin
font, so these characters also get a run of their own whose Latin font names
(``w:ascii``, ``w:hAnsi``) are the run's East Asian font. The text is never changed.

The characters are data: ``east_asian_punctuation`` in ``data/layout.yaml``.
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from typing import Any

from reportsmith.core.resources import load_data

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_XML_NS = "http://www.w3.org/XML/1998/namespace"
# Han ideographs, CJK punctuation, full-width forms: a paragraph holding any is Chinese text.
_CJK = re.compile("[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


@lru_cache(maxsize=1)
def punctuation() -> str:
    """The characters that must be drawn with the East Asian font in Chinese text."""
    return str(load_data("layout.yaml")["east_asian_punctuation"])


def _pattern() -> re.Pattern[str]:
    return re.compile(f"([{re.escape(punctuation())}]+)")


class StyleFonts:
    """The East Asian font each style resolves to (``basedOn`` chains, document defaults)."""

    def __init__(self, styles: Any) -> None:
        self._own: dict[str, tuple[str | None, str | None]] = {}
        self.default_paragraph: str | None = None
        self.doc_default: str | None = None
        if styles is None:
            return
        rpr_default = styles.find(f"{_w('docDefaults')}/{_w('rPrDefault')}/{_w('rPr')}")
        self.doc_default = _ea_of(rpr_default)
        for style in styles.iter(_w("style")):
            sid = style.get(_w("styleId"))
            if sid is None:
                continue
            based = style.find(_w("basedOn"))
            self._own[sid] = (_ea_of(style.find(_w("rPr"))), based.get(_w("val")) if based is not None else None)
            if style.get(_w("type")) == "paragraph" and style.get(_w("default")) in ("1", "true"):
                self.default_paragraph = sid

    def font(self, style_id: str | None) -> str | None:
        seen = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            own, based = self._own.get(style_id, (None, None))
            if own:
                return own
            style_id = based
        return None


def _ea_of(rpr: Any) -> str | None:
    if rpr is None:
        return None
    rfonts = rpr.find(_w("rFonts"))
    return rfonts.get(_w("eastAsia")) if rfonts is not None else None


def mark_punctuation(body: Any, styles: StyleFonts) -> int:
    """Give every run of East Asian punctuation in a Chinese paragraph of ``body`` the East Asian font.

    Returns how many punctuation runs were marked. Runs are split where needed; the
    paragraph text stays exactly the same.
    """
    pattern = _pattern()
    marked = 0
    for p in body.iter(_w("p")):
        texts = [t.text or "" for t in p.iter(_w("t"))]
        joined = "".join(texts)
        if not _CJK.search(joined) or not pattern.search(joined):
            continue
        pstyle = p.find(f"{_w('pPr')}/{_w('pStyle')}")
        para_font = styles.font(pstyle.get(_w("val")) if pstyle is not None else styles.default_paragraph)
        for r in list(p.iter(_w("r"))):
            if any(pattern.search(t.text or "") for t in r.findall(_w("t"))):
                marked += _split_run(r, pattern, _run_font(r, styles) or para_font or styles.doc_default)
    return marked


def _run_font(r: Any, styles: StyleFonts) -> str | None:
    rpr = r.find(_w("rPr"))
    own = _ea_of(rpr)
    if own:
        return own
    rstyle = rpr.find(_w("rStyle")) if rpr is not None else None
    return styles.font(rstyle.get(_w("val"))) if rstyle is not None else None


def _split_run(r: Any, pattern: re.Pattern[str], font: str | None) -> int:
    """Replace ``r`` by runs: text as before, punctuation in runs with the East Asian font."""
    rpr = r.find(_w("rPr"))
    pieces: list[Any] = []  # the new runs, in order
    current: Any = None
    marked = 0

    def plain() -> Any:
        nonlocal current
        if current is None:
            current = _new_run(r, rpr)
            pieces.append(current)
        return current

    for child in list(r):
        if child is rpr:
            continue
        if child.tag != _w("t") or not pattern.search(child.text or ""):
            plain().append(child)
            continue
        for n, segment in enumerate(pattern.split(child.text or "")):
            if not segment:
                continue
            if n % 2 == 0:
                plain().append(_text(segment))
            else:
                punct = _new_run(r, rpr)
                _east_asian_fonts(punct, font)
                punct.append(_text(segment))
                pieces.append(punct)
                current = None
                marked += 1
    parent = r.getparent()
    index = parent.index(r)
    parent.remove(r)
    for k, piece in enumerate(pieces):
        parent.insert(index + k, piece)
    return marked


def _new_run(r: Any, rpr: Any) -> Any:
    run = r.makeelement(r.tag, dict(r.attrib))
    if rpr is not None:
        run.append(copy.deepcopy(rpr))
    return run


def _text(segment: str) -> Any:
    from lxml import etree

    t = etree.Element(_w("t"))
    t.text = segment
    if segment != segment.strip():
        t.set(f"{{{_XML_NS}}}space", "preserve")
    return t


def _east_asian_fonts(run: Any, font: str | None) -> None:
    from lxml import etree

    rpr = run.find(_w("rPr"))
    if rpr is None:
        rpr = etree.Element(_w("rPr"))
        run.insert(0, rpr)
    rfonts = rpr.find(_w("rFonts"))
    if rfonts is None:
        rfonts = etree.Element(_w("rFonts"))
        style = rpr.find(_w("rStyle"))
        rpr.insert(1 if style is not None else 0, rfonts)  # schema order: rStyle, rFonts, …
    for attr in ("asciiTheme", "hAnsiTheme"):
        rfonts.attrib.pop(_w(attr), None)
    if font:
        rfonts.set(_w("ascii"), font)
        rfonts.set(_w("hAnsi"), font)
        rfonts.set(_w("eastAsia"), font)
    rfonts.set(_w("hint"), "eastAsia")
