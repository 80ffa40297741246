"""Styles and list numbering of a .docx (styles.xml, numbering.xml) — the part of the
WordprocessingML knowledge that resolves inheritance and generates list labels.

Only :mod:`reportsmith.docx.read` and :mod:`reportsmith.docx._body` use this module; the
rest of reportsmith sees plain records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

W_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # ISO "Strict" files
)
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
M_NS = "http://schemas.openxmlformats.org/officeDocument/2006/math"

def tag(el) -> str:
    """``"w:p"`` for a WordprocessingML element in either namespace, ``"mc:…"``, ``"m:…"``,
    ``"?local"`` for another namespace, ``"?"`` for comments and processing instructions."""
    t = el.tag
    if not isinstance(t, str):  # comments and processing instructions
        return "?"
    return _short_tag(t)


# Bounded: tag names come from untrusted files, and a reviewer's process may read many.
@lru_cache(maxsize=4096)
def _short_tag(t: str) -> str:
    ns, _, local = t[1:].partition("}") if t.startswith("{") else ("", "", t)
    if ns in W_NAMESPACES:
        return "w:" + local
    if ns == MC_NS:
        return "mc:" + local
    if ns == M_NS:
        return "m:" + local
    return "?" + local


def wval(el, name: str = "val") -> str | None:
    """The ``w:val`` (or another ``w:`` attribute) of an element, in either namespace."""
    if el is None:
        return None
    for ns in W_NAMESPACES:
        v = el.get(f"{{{ns}}}{name}")
        if v is not None:
            return v
    return None


def child(el, name: str):
    """The first child with short tag ``name`` (``"w:pPr"``), or None."""
    if el is None:
        return None
    for c in el:
        if tag(c) == name:
            return c
    return None


def on_off(el) -> bool | None:
    """An OOXML on/off property: present without val or with a true val means on."""
    if el is None:
        return None
    return (wval(el) or "true").lower() not in ("0", "false", "off", "none")


@dataclass
class Style:
    style_id: str
    name: str
    kind: str
    based_on: str | None = None
    outline_level: int | None = None
    num_id: str | None = None
    ilvl: int | None = None
    bold: bool | None = None


@dataclass
class Styles:
    by_id: dict[str, Style] = field(default_factory=dict)
    default_paragraph: str | None = None
    default_bold: bool = False

    def chain(self, style_id: str | None) -> list[Style]:
        """The style and its ``basedOn`` ancestors (cycles cut)."""
        out: list[Style] = []
        seen: set[str] = set()
        sid = style_id if style_id in self.by_id else self.default_paragraph
        while sid and sid in self.by_id and sid not in seen and len(out) < 50:
            seen.add(sid)
            out.append(self.by_id[sid])
            sid = self.by_id[sid].based_on
        return out

    def first(self, style_id: str | None, attr: str):
        for s in self.chain(style_id):
            v = getattr(s, attr)
            if v is not None:
                return v
        return None


_HEADING_NAME = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)


def parse_styles(root) -> Styles:
    """Read styles.xml (``root`` may be None when the part is absent)."""
    styles = Styles()
    if root is None:
        return styles
    defaults = child(root, "w:docDefaults")
    rpr = child(child(child(defaults, "w:rPrDefault"), "w:rPr"), "w:b")
    styles.default_bold = bool(on_off(rpr))
    for el in root:
        if tag(el) != "w:style":
            continue
        sid = wval(el, "styleId")
        if not sid:
            continue
        name = wval(child(el, "w:name")) or sid
        st = Style(sid, name, wval(el, "type") or "paragraph", wval(child(el, "w:basedOn")))
        ppr = child(el, "w:pPr")
        lvl = wval(child(ppr, "w:outlineLvl"))
        if lvl is not None and lvl.isdigit() and int(lvl) < 9:
            st.outline_level = int(lvl)
        else:
            m = _HEADING_NAME.match(name.strip())
            if m:
                st.outline_level = int(m.group(1)) - 1
        numpr = child(ppr, "w:numPr")
        if numpr is not None:
            st.num_id = wval(child(numpr, "w:numId"))
            ilvl = wval(child(numpr, "w:ilvl"))
            st.ilvl = int(ilvl) if ilvl and ilvl.isdigit() else None
        st.bold = on_off(child(child(el, "w:rPr"), "w:b"))
        styles.by_id[sid] = st
        if st.kind == "paragraph" and wval(el, "default") in ("1", "true", "on"):
            styles.default_paragraph = sid
    return styles


# ---- numbering -------------------------------------------------------------------------

@dataclass
class Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    legal: bool = False


_CN_DIGITS = "〇一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _chinese(n: int, digits: str = _CN_DIGITS, ten: str = "十") -> str:
    if n <= 0 or n >= 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return digits[ones]
    head = "" if tens == 1 and digits is _CN_DIGITS else digits[tens]
    return head + ten + (digits[ones] if ones else "")


def _letters(n: int) -> str:
    # Word repeats the letter: A..Z, AA..ZZ, AAA…
    if n <= 0:
        return str(n)
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _roman(n: int) -> str:
    if n <= 0 or n >= 4000:
        return str(n)
    out = ""
    for v, s in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                 (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= v:
            out += s
            n -= v
    return out


def format_number(n: int, fmt: str) -> str:
    """A list counter as Word displays it in format ``fmt`` (``chineseCounting`` 3 → ``三``)."""
    # chineseCounting, chineseCountingThousand, taiwaneseCountingThousand (LibreOffice), japaneseCounting…
    if "Counting" in fmt and not fmt.startswith(("korean", "hindi", "thai")):
        return _chinese(n)
    if fmt == "ideographDigital":
        return "".join(_CN_DIGITS[int(d)] for d in str(n))
    if fmt == "chineseLegalSimplified":
        return _chinese(n, _CN_LEGAL, "拾")
    if fmt == "ideographTraditional":
        return _TIANGAN[n - 1] if 1 <= n <= 10 else str(n)
    if fmt == "ideographZodiac":
        return _DIZHI[n - 1] if 1 <= n <= 12 else str(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese"):
        return _CIRCLED[n - 1] if 1 <= n <= 20 else str(n)
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(ord(d) + 0xFEE0) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "decimalEnclosedFullstop":
        return f"{n}."
    if fmt == "decimalEnclosedParen":
        return f"({n})"
    if fmt == "upperLetter":
        return _letters(n)
    if fmt == "lowerLetter":
        return _letters(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt in ("bullet", "none"):
        return ""
    return str(n)


def _parse_level(el) -> Level:
    lv = Level()
    start = wval(child(el, "w:start"))
    if start and start.lstrip("-").isdigit():
        lv.start = int(start)
    fmt_el = child(el, "w:numFmt")
    if fmt_el is None:  # Word 2010 wraps custom formats in mc:AlternateContent
        for alt in el:
            if tag(alt) == "mc:AlternateContent":
                for branch in alt:
                    fmt_el = fmt_el if fmt_el is not None else child(branch, "w:numFmt")
    lv.fmt = wval(fmt_el) or "decimal"
    text = wval(child(el, "w:lvlText"))
    lv.text = text if text is not None else ""
    lv.legal = bool(on_off(child(el, "w:isLgl")))
    return lv


@dataclass
class Numbering:
    """numbering.xml: list instances (numId) → levels, with counters kept in reading order."""

    nums: dict[str, dict[int, Level]] = field(default_factory=dict)
    restart: dict[str, dict[int, int]] = field(default_factory=dict)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)

    def level(self, num_id: str, ilvl: int) -> Level | None:
        return self.nums.get(num_id, {}).get(ilvl)

    def next_label(self, num_id: str, ilvl: int) -> tuple[str, str] | None:
        """Advance the counter of this list at ``ilvl``; return (number format, label text)."""
        levels = self.nums.get(num_id)
        if not levels or ilvl not in levels:
            return None
        counts = self.counters.setdefault(num_id, {})
        lv = levels[ilvl]
        start = self.restart.get(num_id, {}).get(ilvl, lv.start)
        counts[ilvl] = counts[ilvl] + 1 if ilvl in counts else start
        for deeper in [k for k in counts if k > ilvl]:
            del counts[deeper]

        def sub(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            other = levels.get(k)
            if other is None:
                return ""
            value = counts.get(k, self.restart.get(num_id, {}).get(k, other.start))
            fmt = "decimal" if lv.legal and other.fmt != "bullet" else other.fmt
            return format_number(value, fmt)

        return lv.fmt, re.sub(r"%([1-9])", sub, lv.text)


def parse_numbering(root, styles: Styles) -> Numbering:
    """Read numbering.xml (None when absent); ``numStyleLink`` is followed through styles."""
    numbering = Numbering()
    if root is None:
        return numbering
    abstract: dict[str, dict[int, Level]] = {}
    style_link: dict[str, str] = {}
    num_abstract: dict[str, str] = {}
    overrides: dict[str, tuple[dict[int, Level], dict[int, int]]] = {}
    for el in root:
        t = tag(el)
        if t == "w:abstractNum":
            aid = wval(el, "abstractNumId") or ""
            levels: dict[int, Level] = {}
            for lvl in el:
                if tag(lvl) == "w:lvl":
                    i = wval(lvl, "ilvl")
                    if i and i.isdigit():
                        levels[int(i)] = _parse_level(lvl)
            abstract[aid] = levels
            link = wval(child(el, "w:numStyleLink"))
            if link:
                style_link[aid] = link
        elif t == "w:num":
            nid = wval(el, "numId") or ""
            num_abstract[nid] = wval(child(el, "w:abstractNumId")) or ""
            lv_over: dict[int, Level] = {}
            starts: dict[int, int] = {}
            for ov in el:
                if tag(ov) != "w:lvlOverride":
                    continue
                i = wval(ov, "ilvl")
                if not (i and i.isdigit()):
                    continue
                so = wval(child(ov, "w:startOverride"))
                if so and so.lstrip("-").isdigit():
                    starts[int(i)] = int(so)
                full = child(ov, "w:lvl")
                if full is not None:
                    lv_over[int(i)] = _parse_level(full)
            overrides[nid] = (lv_over, starts)
    for nid, aid in num_abstract.items():
        levels = abstract.get(aid, {})
        if not levels and aid in style_link:  # the list's levels live on a numbering style
            linked = styles.by_id.get(style_link[aid])
            target = num_abstract.get(linked.num_id or "") if linked else None
            levels = abstract.get(target or "", {})
        lv_over, starts = overrides.get(nid, ({}, {}))
        numbering.nums[nid] = {**levels, **lv_over}
        numbering.restart[nid] = starts
    return numbering
