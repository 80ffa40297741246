"""Find the outline's headings in a submitted report and split its text under them.

Real documents number headings in many ways ("一、" / "一." / "一 、" / "（一）" / "(一)"),
make them bold body text instead of a heading style, let Word number them automatically
(the number is then not in the text), reword them slightly, and put a title line before
and a signature block and appendices after. :func:`detect` tolerates all of these and
says how sure each match is.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from reportsmith.docx.read import DocxContent, Paragraph
from reportsmith.outline.headings import Heading, headings
from reportsmith.core.resources import load_data

_CN = "一二三四五六七八九十"
_L1 = re.compile(rf"^([{_CN}]{{1,3}})\s*[、.．,，:：]\s*")
_L2 = re.compile(rf"^[（(]\s*([{_CN}]{{1,3}})\s*[）)]\s*[、.．]?\s*")
_ARABIC = re.compile(r"^(?:(\d{1,2})\s*[、.．]|[（(]\s*\d{1,2}\s*[）)]\s*[、.．]?)\s*(?!\d)")
# A heading may run into its text after a stop or a manual line break (Shift+Enter).
_RUN_IN = re.compile(r"[。：:；;\n]")
_DATE = re.compile(r"^\s*(\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,2}\s*月(\s*[\d一二三四五六七八九十]{1,3}\s*日)?\s*$")


def _settings() -> dict:
    return load_data("submitted.yaml")


@dataclass
class FoundHeading:
    """An outline heading found in the document."""

    heading: Heading
    index: int  # paragraph index in DocxContent.paragraphs
    text: str  # the heading line as it is in the text (an automatic number is not in it)
    number: str | None  # the number as written or generated, e.g. "一、" / "（二）"
    auto_number: bool  # the number comes from Word's automatic list numbering
    similarity: float  # how close the title is to 附件3's, 0..1
    signals: tuple[str, ...]  # why it is taken as a heading: number / auto / style / bold / exact
    run_in: str = ""  # body text after the heading in the same paragraph

    def to_json(self) -> dict:
        return {
            "heading": self.heading.title,
            "numbered": self.heading.numbered,
            "text": self.text,
            "number": self.number,
            "auto_number": self.auto_number,
            "similarity": round(self.similarity, 2),
            "signals": list(self.signals),
            "paragraph": self.index + 1,
        }


@dataclass
class LeftOut:
    """Text not counted in the body 字数: title, signature, appendix, trailing table, text box…"""

    kind: str
    text: str
    paragraphs: int = 1

    def to_json(self, zishu: int) -> dict:
        return {"kind": self.kind, "text": self.text[:60], "paragraphs": self.paragraphs, "zishu": zishu}


@dataclass
class Layout:
    """The document split into its parts."""

    content: DocxContent
    found: list[FoundHeading] = field(default_factory=list)
    body: dict[str, list[Paragraph]] = field(default_factory=dict)  # title → paragraphs under it
    title: list[Paragraph] = field(default_factory=list)
    preamble: list[Paragraph] = field(default_factory=list)  # other text before the first heading
    signature: list[Paragraph] = field(default_factory=list)
    appendix: list[Paragraph] = field(default_factory=list)
    trailing_tables: list[Paragraph] = field(default_factory=list)
    duplicates: list[FoundHeading] = field(default_factory=list)

    def heading(self, title: str) -> FoundHeading | None:
        return next((f for f in self.found if f.heading.title == title), None)

    def left_out(self) -> list[LeftOut]:
        out: list[LeftOut] = []
        for kind, paras in (("题目", self.title), ("标题前的文字", self.preamble), ("落款", self.signature),
                            ("附件", self.appendix), ("文末表格", self.trailing_tables)):
            if paras:
                out.append(LeftOut(kind, "\n".join(p.text for p in paras), len(paras)))
        for box in self.content.text_boxes:
            out.append(LeftOut("文本框", box))
        for note in self.content.footnotes + self.content.endnotes:
            out.append(LeftOut("脚注/尾注", note))
        return out


def _split_number(text: str) -> tuple[str | None, int | None, str]:
    """("一、", 1, rest) / ("（一）", 2, rest) / ("1." or "（1）", None, rest) / (None, None, text)."""
    for pattern, level in ((_L2, 2), (_L1, 1), (_ARABIC, None)):
        m = pattern.match(text)
        if m:
            return m.group(0).strip(), level, text[m.end():]
    return None, None, text


def _similarity(a: str, b: str) -> float:
    a, b = re.sub(r"\s+", "", a), re.sub(r"\s+", "", b)
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() if a and b else 0.0


def _number_of(written: str | None) -> str | None:
    m = re.search(rf"[{_CN}]+", written or "")
    return m.group(0) if m else None


@dataclass
class _Candidate:
    heading: Heading
    score: float
    similarity: float
    text: str
    number: str | None
    level: int | None
    auto: bool
    signals: tuple[str, ...]
    run_in: str


def _candidate(p: Paragraph, expected: Heading | None) -> _Candidate | None:
    s = _settings()["headings"]
    text = p.text.strip()
    if not text or p.in_table:
        return None
    number, level, rest = _split_number(text)
    auto = False
    if number is None and p.num_text and p.num_format not in ("bullet", "none"):
        number, level, _ = _split_number(p.num_text.strip() + "x")
        auto = number is not None
    rest = rest.strip()
    # A heading may run into the first sentence of its text ("一、集群总体情况。集群……"):
    # try the part before the first stop as the title, and keep whichever matches better.
    options = [] if len(rest) > s["max_heading_chars"] else [(rest, "")]
    # Only a marked paragraph (number, heading style, bold start) can be a run-in heading;
    # skipping the comparison for ordinary body text keeps long reports fast.
    marked = number is not None or p.outline_level is not None or p.bold or p.lead_bold > 0
    m = _RUN_IN.search(rest, 0, s["max_heading_chars"] + 1) if marked else None
    if m and rest[m.end():].strip():
        options.append((rest[: m.start()], rest[m.end():].strip()))
    if not options:
        return None
    title, run_in = max(options, key=lambda o: max(_similarity(o[0].rstrip("。：:；; "), h.title) for h in headings()))
    title = title.rstrip("。：:；; ")
    signals = []
    if number and not auto:
        signals.append("number")
    if auto:
        signals.append("auto")
    if p.outline_level is not None:
        signals.append("style")
    if p.bold or (run_in and p.lead_bold >= len(text) - len(run_in) - 1):
        signals.append("bold")
    best: _Candidate | None = None
    for h in headings():
        sim = _similarity(title, h.title)
        agrees = _number_of(number) == h.number.strip("（）") and (level in (None, h.level))
        score = sim + (0.05 if agrees else 0.0)
        if best is None or score > best.score:
            best = _Candidate(h, score, sim, text if not run_in else text[: len(text) - len(run_in)].rstrip(),
                              number, level, auto, tuple(signals), run_in)
    if best is None:
        return None
    if best.similarity >= 0.95 and not run_in and len(title) == len(text):
        best.signals = best.signals or ("exact",)
        return best
    if best.similarity >= s["min_similarity"] and signals:
        return best
    # A clearly numbered short line in the place of the next expected heading, reworded.
    if (expected is not None and not run_in and (number and level == expected.level)
            and _number_of(number) == expected.number.strip("（）") and best.similarity >= 0.25):
        sim = _similarity(title, expected.title)
        return _Candidate(expected, sim, sim, text, number, level, auto, tuple(signals), "")
    return None


def _next_expected(found: list[FoundHeading]) -> Heading | None:
    order = list(headings())
    if not found:
        return order[0]
    i = max(order.index(f.heading) for f in found) + 1
    return order[i] if i < len(order) else None


def _is_signature(p: Paragraph) -> bool:
    s = _settings()["signature"]
    text = p.text.strip()
    if not text:
        return True
    if len(text) > s["max_chars"] or "。" in text:
        return False
    return bool(_DATE.match(text)) or any(c in text for c in s["cues"])


def detect(content: DocxContent) -> Layout:
    """Find the outline headings in ``content`` and split its paragraphs under them."""
    layout = Layout(content)
    paras = content.paragraphs
    starts: dict[int, FoundHeading] = {}
    for i, p in enumerate(paras):
        cand = _candidate(p, _next_expected(layout.found))
        if cand is None:
            continue
        fh = FoundHeading(cand.heading, i, cand.text, cand.number, cand.auto, cand.similarity, cand.signals, cand.run_in)
        if layout.heading(cand.heading.title) is not None:
            layout.duplicates.append(fh)
            continue
        layout.found.append(fh)
        starts[i] = fh
    first = min(starts) if starts else len(paras)
    _split_front(layout, paras[:first])
    current: str | None = None
    tail: list[Paragraph] = []
    for i in range(first, len(paras)):
        if i in starts:
            current = starts[i].heading.title
            layout.body[current] = []
            if starts[i].run_in:
                p = paras[i]
                layout.body[current].append(Paragraph(starts[i].run_in, p.style_id, p.style_name))
            continue
        layout.body[current].append(paras[i])
    if current is not None:
        tail = layout.body[current]
        layout.body[current] = _split_tail(layout, tail)
    return layout


def _split_front(layout: Layout, front: list[Paragraph]) -> None:
    """Title lines (short, with 总结/报告/年度 or a date) and other text before the first heading."""
    s = _settings()
    in_title = True
    for p in front:
        text = p.text.strip()
        if not text:
            continue
        is_title = len(text) <= s["title_max_chars"] and "。" not in text and (
            any(c in text for c in s["title_cues"]) or _DATE.match(text.strip("（）()")) is not None
        )
        if in_title and is_title and not p.in_table:
            layout.title.append(p)
        else:
            in_title = False
            layout.preamble.append(p)


def _split_tail(layout: Layout, tail: list[Paragraph]) -> list[Paragraph]:
    """Cut appendices, the signature block and trailing tables off the last section's text."""
    markers = tuple(_settings()["appendix_markers"])
    for j, p in enumerate(tail):
        if not p.in_table and p.text.strip().startswith(markers):
            layout.appendix = tail[j:]
            tail = tail[:j]
            break
    end = len(tail)
    signature: list[Paragraph] = []
    tables: list[Paragraph] = []
    # Walk back over the signature block and tables appended after the text, in any order.
    while end > 0:
        p = tail[end - 1]
        if p.in_table:
            tables.insert(0, p)
        elif _is_signature(p):
            if p.text.strip():
                signature.insert(0, p)
        else:
            break
        end -= 1
    layout.signature, layout.trailing_tables = signature, tables
    return tail[:end]
