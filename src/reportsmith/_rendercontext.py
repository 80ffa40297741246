"""The context a report template is filled with: every text made safe for Word XML.

Kept apart from :mod:`reportsmith.render` so that the set of variables the code
provides (:data:`CONTEXT_VARIABLES`) is one short, reviewable list.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from markupsafe import Markup, escape

from .assembled import Assembled, AssembledSection, Checklist
from .docxout import xml_safe
from .errors import Finding, Severity

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


def _section(s: AssembledSection, t: _Texts) -> SimpleNamespace:
    where = s.heading.numbered
    body = s.printed_paragraphs
    # Namespaces, not dicts: in jinja ``x.items`` on a dict is the method, not a key.
    return SimpleNamespace(
        heading=t(s.heading.numbered, file="report.yaml", where=where),
        level=s.heading.level,
        body=[t(p, file="report.yaml", where=where) for p in body],
        placeholder=t(s.placeholder, file="report.yaml", where=where) if not body and s.placeholder else "",
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
    for name, items in checklist.groups():
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
                    files=t("\n".join(i.files), file="evidence.yaml", where=where),
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
        "title": t(assembled.title, file="report.yaml", where="标题"),
        "units": t(assembled.cluster.units_text, file="report.yaml", where="依托单位"),
        "date_text": t(assembled.date_text, file="report.yaml", where="日期"),
        "year": assembled.year,
        "sections": [_section(s, t) for s in assembled.sections],
        "indicators": _indicators(assembled, t),
        "checklist_groups": groups,
        "checklist_note": note,
    }
    return context, t.findings
