"""The context a report template is filled with: every text made safe for Word XML.

Kept apart from :mod:`reportsmith.report.render` so that the set of variables the code
provides (:data:`CONTEXT_VARIABLES`) is one short, reviewable list.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import combinations
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from markupsafe import Markup, escape

from reportsmith.records.assembled import Assembled, AssembledSection, Checklist
from reportsmith.docx.out import xml_safe
from reportsmith.core.errors import Finding, Severity
from reportsmith.docx.template_builder import layout, text_block_pt

# Every top-level name the template may use; a test compares it with the template.
CONTEXT_VARIABLES = frozenset(
    {"title", "units", "date_text", "year", "sections", "indicators", "checklist_groups", "checklist_note"}
)

NO_CHECKLIST_NOTE = "尚未列出佐证材料（evidence.yaml 不存在或没有条目），清单为空。"
_INDENT = "\u3000"  # one full-width space per level of a child row in 附件1


class _Texts:
    """Turns text into escaped markup and collects a warning per place that lost characters."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.findings: list[Finding] = []
        self._reported: set[tuple[str, str]] = set()

    def __call__(self, text: Any, *, file: str, where: str) -> Markup:
        clean, removed = xml_safe("" if text is None else str(text))
        if removed and (file, where) not in self._reported:
            self._reported.add((file, where))
            self.findings.append(
                Finding(
                    Severity.WARNING,
                    "render.forbidden_characters",
                    f"“{where}”中含有 Word 文档不能保存的控制字符（{'、'.join(removed)}），生成报告时已删除",
                    file=str(self.folder / file),
                    key=where,
                    hint="这类字符多由从 Word、网页或 PDF 复制文字时带入（如分页符、垂直制表符）；请在源文件中删除并核对该段文字",
                )
            )
        # A carriage return is a line break; XML parsers would otherwise turn it into a bare "\n".
        clean = clean.replace("\r\n", "\n").replace("\r", "\n")
        # docxtpl rewrites "{_{" and "%_}" in its output; character references keep a writer's braces intact.
        return Markup(str(escape(clean)).replace("{", "&#123;").replace("}", "&#125;"))


def _columns(text: str) -> float:
    """Width in full-width columns: a Chinese character is one, a digit or Latin letter half."""
    return sum(1 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def _break_points(title: str, year: int, rules: dict[str, list[str]]) -> list[int]:
    def pattern(words: list[str]) -> re.Pattern[str]:
        # Longest first, so that 省级创新型产业集群 wins over the 创新型产业集群 inside it.
        words = sorted((w.replace("{year}", str(year)) for w in words), key=len, reverse=True)
        return re.compile("|".join(map(re.escape, words)))

    points = {m.start() for m in pattern(rules["before"]).finditer(title)}
    points |= {m.end() for m in pattern(rules["after"]).finditer(title)}
    return sorted(p for p in points if 0 < p < len(title))


def title_lines(title: str, year: int) -> list[str]:
    """The report title cut into lines where ``layout.yaml`` allows (GB/T 9704: a title breaks between words).

    Fewest lines that fit the text block, then the most even ones; Word would otherwise
    break anywhere, e.g. between "2024" and "年度".

    >>> title_lines("随州高新区香菇产业省级创新型产业集群2024年度总结报告", 2024)
    ['随州高新区香菇产业', '省级创新型产业集群2024年度总结报告']
    """
    lay = layout()
    title_pt = lay["sizes"][next(s["size"] for s in lay["styles"] if s["id"] == "Title")]
    limit = int(text_block_pt(lay)[0] // title_pt)
    points = _break_points(title, year, lay["title_breaks"])
    best: tuple[tuple[float, ...], list[str]] | None = None
    for k in range(len(points) + 1):
        for cut in combinations(points, k):
            lines = [title[a:b] for a, b in zip((0, *cut), (*cut, len(title)))]
            widths = [_columns(line) for line in lines]
            # Overflowing lines last; then fewer lines, a shorter longest line, a longer first line.
            score = (sum(max(w - limit, 0) for w in widths), len(lines), max(widths), -widths[0])
            if best is None or score < best[0]:
                best = (score, lines)
    return best[1] if best else [title]


def _section(s: AssembledSection, t: _Texts) -> SimpleNamespace:
    where = s.heading.numbered
    body = s.printed_paragraphs
    # Namespaces, not dicts: in jinja ``x.items`` on a dict is the method, not a key.
    return SimpleNamespace(
        heading=t(s.heading.numbered, file="report.yaml", where=where),
        level=s.heading.level,
        body=[t(p, file="report.yaml", where=where) for p in body],
        # Shown even after data sentences: they do not replace what the writer has to write.
        placeholder=t(s.placeholder, file="report.yaml", where=where) if s.placeholder else "",
    )


def _indicators(assembled: Assembled, t: _Texts) -> list[SimpleNamespace]:
    rows = []
    seen_derived = False
    for r in assembled.appendix_rows:
        where = f"附件1 主要指标：{r.label}"
        rows.append(
            SimpleNamespace(
                pad=_INDENT * max(r.indent, 0),
                label=t(r.label, file="form.yaml", where=where),
                unit=t(r.unit, file="form.yaml", where=where),
                value=t(r.value, file="form.yaml", where=where),
                previous=t(r.previous, file="form.yaml", where=where),
                change=t(r.change, file="form.yaml", where=where),
                first_derived=r.derived and not seen_derived,
            )
        )
        seen_derived = seen_derived or r.derived
    return rows


def _checklist(checklist: Checklist | None, t: _Texts) -> tuple[list[SimpleNamespace], Markup]:
    if checklist is None or not checklist.items:
        return [], Markup(NO_CHECKLIST_NOTE)
    groups = []
    for name, items in checklist.row_groups():
        rows = []
        for i in items:
            where = f"附件2 佐证材料清单：{i.name}"
            rows.append(
                SimpleNamespace(
                    seq=i.seq,
                    category=t(i.category, file="evidence.yaml", where=where),
                    name=t(i.name, file="evidence.yaml", where=where),
                    level=t(i.level, file="evidence.yaml", where=where),
                    doc_no=t(i.doc_no, file="evidence.yaml", where=where),
                    files=t("\n".join(i.files if i.shown_files is None else i.shown_files), file="evidence.yaml", where=where),
                    status=t(i.status_text, file="evidence.yaml", where=where),
                )
            )
        groups.append(SimpleNamespace(name=name, rows=rows))
    return groups, t(checklist.count_line, file="evidence.yaml", where="附件2 佐证材料清单")


def make_context(assembled: Assembled) -> tuple[dict[str, Any], list[Finding]]:
    """The template context for ``assembled`` and the warnings about removed characters."""
    t = _Texts(assembled.folder)
    groups, note = _checklist(assembled.checklist, t)
    context = {
        "title": t("\n".join(title_lines(assembled.title, assembled.year)), file="report.yaml", where="标题"),
        "units": t(assembled.cluster.units_text, file="report.yaml", where="依托单位"),
        "date_text": t(assembled.date_text, file="report.yaml", where="日期"),
        "year": assembled.year,
        "sections": [_section(s, t) for s in assembled.sections],
        "indicators": _indicators(assembled, t),
        "checklist_groups": groups,
        "checklist_note": note,
    }
    return context, t.findings
