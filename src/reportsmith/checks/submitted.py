"""Check a submitted Word report (.docx) with the same length and coverage rules as the inputs.

:func:`check_docx` reads the file safely (:mod:`docxread`), finds the outline headings
(:mod:`docxlayout`), hands the text under each heading to :func:`check.check_sections`
and adds what only a submitted file can have: headings missing, out of order, reworded or
numbered by Word, and text left out of the body 字数 (title, signature, appendices,
trailing tables, text boxes, footnotes).
"""

from __future__ import annotations

import re
from pathlib import Path

from reportsmith.records.assembled import AssembledSection
from reportsmith.records.checkresult import CheckResult
from reportsmith.checks.conformance import layout_findings
from reportsmith.checks.headings import Layout, detect
from reportsmith.docx.formatting import read_formatting
from reportsmith.docx.read import DocxContent, read_docx
from reportsmith.core.errors import Finding, ReportsmithError, Severity
from reportsmith.outline.headings import headings
from reportsmith.registry.clusters import Cluster, load_clusters
from reportsmith.core.resources import load_data
from reportsmith.checks.wording import check_wording
from reportsmith.checks.zishu import zishu

__all__ = ["check_docx", "check_folder", "check_content", "guess_cluster", "SUBMITTED_SUFFIXES"]

# A folder check also picks up old formats, so that they get their "save as .docx" message.
SUBMITTED_SUFFIXES = (".docx", ".doc", ".wps", ".docm")


def guess_cluster(layout: Layout) -> Cluster | None:
    """The cluster whose name appears in the title lines (or, failing that, early in the text)."""
    texts = [p.text for p in layout.title] + [p.text for p in layout.content.paragraphs[:5]]
    joined = "".join(texts)
    named = [c for c in load_clusters() if c.name in joined]
    return max(named, key=lambda c: len(c.name)) if named else None


_YEAR = re.compile(r"((?:19|20)\d\d)\s*年度?")


def _title_year(layout: Layout) -> int | None:
    """The report year named in the title lines (“……2024年度总结报告”), for the short-year rule."""
    m = _YEAR.search("".join(p.text for p in layout.title))
    return int(m.group(1)) if m else None


def _sections(layout: Layout) -> list[AssembledSection]:
    """One section per heading found (a heading not found is left out, so it is reported missing)."""
    out = []
    for h in headings():
        found = layout.heading(h.title)
        if found is not None:
            paras = [p.text for p in layout.body.get(h.title, []) if p.text.strip()]
            # Count the heading as written: an automatic number is not text for Word.
            out.append(AssembledSection(h, paras, heading_line=found.text))
    return out


def _finding(severity: Severity, rule: str, message: str, file: str, key: str | None = None, hint: str | None = None, **kw) -> Finding:
    return Finding(severity, rule, message, file=file, key=key, hint=hint, **kw)


def _heading_findings(layout: Layout, file: str) -> list[Finding]:
    s = load_data("submitted.yaml")["headings"]
    out: list[Finding] = []
    if not layout.found:
        out.append(_finding(
            Severity.ERROR, "docx.no_headings", "没有找到附件3提纲中的任何标题，无法按标题检查", file,
            hint="请按附件3的提纲写出“一、集群总体情况”等各级标题（序号、标题文字与提纲一致）",
        ))
        return out
    order = list(headings())
    seen_max = -1
    prev = None
    for f in layout.found:
        i = order.index(f.heading)
        if i < seen_max and prev is not None:
            out.append(_finding(
                Severity.WARNING, "docx.heading_order",
                f"标题“{f.text}”出现在“{prev.text}”之后，与附件3提纲的顺序不一致", file, f.heading.numbered,
                hint="请按附件3的顺序排列各部分",
            ))
        else:
            seen_max, prev = i, f
        if f.similarity < s["confident_similarity"]:
            out.append(_finding(
                Severity.WARNING, "docx.heading_uncertain",
                f"第 {f.index + 1} 段“{f.text}”按相似度认作“{f.heading.numbered}”（相似度 {f.similarity:.2f}），把握不大",
                file, f.heading.numbered, hint=f"请核对；建议标题照录附件3：“{f.heading.numbered}”",
                measured=round(f.similarity, 2), limit=s["confident_similarity"],
            ))
        elif f.similarity < 0.999:
            out.append(_finding(
                Severity.INFO, "docx.heading_reworded",
                f"标题“{f.text}”与附件3的“{f.heading.numbered}”略有不同，已按该标题统计（相似度 {f.similarity:.2f}）",
                file, f.heading.numbered, measured=round(f.similarity, 2),
            ))
    auto = [f for f in layout.found if f.auto_number]
    if auto:
        out.append(_finding(
            Severity.INFO, "docx.auto_numbering",
            f"{len(auto)} 个标题的序号（如“{auto[0].number}”）由 Word 自动编号生成，不在文字中，"
            "Word 的字数统计不计这些序号，本检查也不计", file,
        ))
    for d in layout.duplicates:
        out.append(_finding(
            Severity.WARNING, "docx.heading_duplicate",
            f"第 {d.index + 1} 段“{d.text}”与前面的标题“{d.heading.numbered}”重复，按正文统计", file, d.heading.numbered,
            hint="请删除重复的标题，或把两部分合并",
        ))
    return out


def _content_findings(layout: Layout, content: DocxContent, file: str) -> list[Finding]:
    out: list[Finding] = []
    if layout.preamble:
        text = "".join(p.text for p in layout.preamble)
        out.append(_finding(
            Severity.WARNING, "docx.text_before_headings",
            f"第一个标题之前有 {len(layout.preamble)} 段文字（{zishu(text)} 字），未计入正文字数：“{text[:20]}…”", file,
            hint="如属正文，请放到相应标题下",
        ))
    left = layout.left_out()
    if left:
        parts = "、".join(f"{lo.kind} {lo.paragraphs} 段（{zishu(lo.text)} 字）" for lo in left)
        out.append(_finding(Severity.INFO, "docx.left_out", f"未计入正文字数：{parts}", file,
                            hint="正文只计各级标题及其下的文字；题目、落款、附件、文末表格、文本框和脚注另计"))
    if content.has_tracked_changes:
        out.append(_finding(
            Severity.INFO, "docx.tracked_changes", "文档含有修订记录，已按“接受全部修订”后的文字统计", file,
            hint="提交前请在 Word“审阅”中接受或拒绝全部修订",
        ))
    if content.has_embedded_content:
        out.append(_finding(
            Severity.WARNING, "docx.embedded_content", "文档中嵌入了外部文档内容（altChunk），这部分文字未能读取、未计入", file,
            hint="请在 Word 中打开后另存一次，使嵌入内容成为普通正文",
        ))
    return out


def check_content(content: DocxContent, *, source: str | None = None) -> CheckResult:
    """Check already extracted content (see :func:`check_docx`)."""
    from reportsmith.checks.sections import check_sections  # check imports the highlight machinery; load it only when used

    file = source or str(content.path)
    layout = detect(content)
    cluster = guess_cluster(layout)
    whole = zishu(content.text)
    result = check_sections(_sections(layout), source=file, cluster=cluster.account if cluster else None, total_zishu=whole)
    result.findings = _heading_findings(layout, file) + _content_findings(layout, content, file) + list(result.findings)
    result.findings += layout_findings(layout, read_formatting(content.path), file)
    result.findings += check_wording(_sections(layout), cluster, year=_title_year(layout), docx=True, file=file)
    result.extra.update({
        "headings_found": [f.to_json() for f in layout.found],
        "left_out": [lo.to_json(zishu(lo.text)) for lo in layout.left_out()],
        "tables_in_body": sum(1 for ps in layout.body.values() for p in ps if p.in_table),
        "cluster_name": cluster.name if cluster else None,
    })
    return result


def check_docx(path: Path) -> CheckResult:
    """Check one submitted .docx; hostile or unreadable files raise :class:`~reportsmith.core.errors.InputError`.

    >>> check_docx(Path("报送/whkjcyjq.docx")).zishu  # doctest: +SKIP
    3512
    """
    path = Path(path)
    return check_content(read_docx(path), source=str(path))


def check_folder(folder: Path) -> list[tuple[Path, CheckResult | ReportsmithError]]:
    """Check every Word file in ``folder`` (not recursive, sorted by name); a bad file does not stop the rest."""
    folder = Path(folder)
    files = sorted(
        p for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in SUBMITTED_SUFFIXES and not p.name.startswith("~$")
    )
    results: list[tuple[Path, CheckResult | ReportsmithError]] = []
    for path in files:
        try:
            results.append((path, check_docx(path)))
        except ReportsmithError as exc:
            results.append((path, exc))
    return results
