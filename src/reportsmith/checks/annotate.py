"""Findings of a submitted .docx check → Word comments (批注) at the paragraph each concerns.

:func:`finding_anchors` decides where each finding belongs: a finding about a heading at
that heading's paragraph (a missing heading at the nearest heading written before it),
text before the headings at its first paragraph, a duplicate heading at the duplicate,
a layout finding at the paragraph it names; the rest (length, left-out text, tracked
changes …) at the report's title. :func:`annotate_docx` checks a file and writes the
comments with :func:`reportsmith.docx.comments.add_comments`, leaving the text untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportsmith.checks.headings import Layout, detect
from reportsmith.core.errors import Finding
from reportsmith.docx.comments import Comment, add_comments
from reportsmith.docx.read import DocxContent, read_docx
from reportsmith.outline.headings import headings
from reportsmith.records.checkresult import CheckResult

__all__ = ["AnnotateResult", "annotate_docx", "comment_text", "finding_anchors", "COMMENT_AUTHOR"]

COMMENT_AUTHOR = "报告检查"
COMMENT_INITIALS = "JC"


@dataclass
class AnnotateResult:
    """The check, where each comment went (paragraph index per finding) and the file written."""

    result: CheckResult
    anchors: list[tuple[Finding, int]]
    out: Path


def comment_text(f: Finding) -> str:
    """What a reviewer writes in the margin: severity and message, then the hint on its own line."""
    text = f"{f.severity.label}：{f.message}"
    if f.hint:
        text += f"\n建议：{f.hint}"
    return text


def _front_index(layout: Layout) -> int:
    """The report's title (or its first paragraph with text): where whole-document findings go."""
    if layout.title:
        return layout.content.paragraphs.index(layout.title[0])
    return next((i for i, p in enumerate(layout.content.paragraphs) if p.text.strip()), 0)


def finding_anchors(result: CheckResult, layout: Layout) -> list[tuple[Finding, int]]:
    """Each finding of ``result`` with the index (in ``layout.content.paragraphs``) of its paragraph."""
    order = list(headings())
    by_key = {}
    for h in order:
        by_key[h.title] = h
        by_key[h.numbered] = h
    front = _front_index(layout)
    duplicates: dict[str, list[int]] = {}
    for d in layout.duplicates:
        duplicates.setdefault(d.heading.numbered, []).append(d.index)
    paragraphs = layout.content.paragraphs
    out: list[tuple[Finding, int]] = []
    for f in result.findings:
        index = front
        if f.rule.startswith("layout.heading_") and f.key in by_key and layout.heading(by_key[f.key].title):
            index = layout.heading(by_key[f.key].title).index
        elif f.rule == "docx.heading_duplicate" and duplicates.get(f.key or ""):
            index = duplicates[f.key].pop(0)
        elif f.rule == "docx.text_before_headings" and layout.preamble:
            index = paragraphs.index(layout.preamble[0])
        elif f.key in by_key:
            heading = by_key[f.key]
            found = layout.heading(heading.title)
            if found is None:  # missing: at the nearest heading written before it
                before = [layout.heading(h.title) for h in order[: order.index(heading)]]
                before = [b for b in before if b is not None]
                found = before[-1] if before else None
            if found is not None:
                index = found.index
                if f.rule.startswith("wording."):  # a wording finding sits on its own paragraph
                    from reportsmith.checks.wording import in_paragraph

                    own = next((p for p in layout.body.get(heading.title, []) if in_paragraph(f, p.text)), None)
                    index = paragraphs.index(own) if own is not None else index
        out.append((f, index))
    return out


def annotate_content(content: DocxContent, result: CheckResult, out: Path) -> AnnotateResult:
    """Write ``result``'s findings as comments into a copy of ``content``'s file at ``out``."""
    layout = detect(content)
    anchors = finding_anchors(result, layout)
    paragraphs = content.paragraphs
    comments = [
        Comment(i, paragraphs[i].text if 0 <= i < len(paragraphs) else "", comment_text(f), COMMENT_AUTHOR, COMMENT_INITIALS)
        for f, i in anchors
    ]
    placed = add_comments(content.path, out, comments)
    return AnnotateResult(result, [(f, p) for (f, _), p in zip(anchors, placed)], Path(out))


def annotate_docx(path: str | Path, out: str | Path) -> AnnotateResult:
    """Check a submitted .docx (:func:`reportsmith.checks.submitted.check_content`) and write every finding
    as a Word comment into ``out``; the text and formatting of the document are left as they were.

    >>> annotate_docx("报送/武汉.docx", "报送/武汉-批注.docx").out  # doctest: +SKIP
    PosixPath('报送/武汉-批注.docx')
    """
    from reportsmith.checks.submitted import check_content

    path, out = Path(path), Path(out)
    content = read_docx(path)
    result = check_content(content, source=str(path))
    return annotate_content(content, result, out)
