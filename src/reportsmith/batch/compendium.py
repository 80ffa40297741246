"""The provincial compendium (汇编): every cluster's report in one Word volume.

:func:`build_compendium` builds and checks every cluster (the batch, in a temporary folder),
then composes (:class:`reportsmith.docx.compose.Composer`): a cover; the contents, a Word
``TOC`` field with one entry per report; each report from a new page with its own title and
headings — 国家级 first, then 省级, each in 附件1 order; and at the end the province's summary
(each report's check, the roll-up of 附件2, derived figures) and charts. One section, so
pages are numbered continuously (the cover carries no number).

The contents' page numbers need a layout engine: LibreOffice updates the contents
(:mod:`reportsmith.report.lo_index`), its page numbers are written into the field's result,
and the layout is checked again — when filling them moved a title, once more. Without
LibreOffice the numbers stay 0, Word is asked to update the field on opening, and a
warning says so. ``--pdf`` exports the PDF of that very layout.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Sequence

from reportsmith.batch import charts
from reportsmith.batch._work import STATUS_BUILT, STATUS_PROBLEMS, ClusterResult
from reportsmith.batch.rollup import SCOPES, Rollup
from reportsmith.batch.summary import batch_year
from reportsmith.core.atomic import atomic_path
from reportsmith.core.errors import Finding, InputError, Severity
from reportsmith.core.numfmt import format_percent
from reportsmith.core.yamlio import load_yaml
from reportsmith.registry.clusters import Cluster

__all__ = ["CompendiumResult", "build_compendium", "compose_compendium", "approved_accounts", "REVIEW_FILE", "APPROVED", "compendium_order"]

REVIEW_FILE = "review.yaml"
APPROVED = "已通过"
LEVEL_ORDER = ("国家级", "省级")
MAX_LAYOUT_PASSES = 3


@dataclass
class CompendiumResult:
    path: Path
    pdf: Path | None
    titles: list[str]  # the reports' titles, in the order they stand
    accounts: list[str]
    pages: list[int] | None  # each title's page (the contents' numbers); None without a layout engine
    left_out: list[tuple[Cluster, str]] = field(default_factory=list)  # cluster, why it is not in the volume
    findings: list[Finding] = field(default_factory=list)


def compendium_order(cluster: Cluster) -> tuple[int, int]:
    """国家级 before 省级, then the number in 附件1."""
    level = LEVEL_ORDER.index(cluster.level) if cluster.level in LEVEL_ORDER else len(LEVEL_ORDER)
    return level, cluster.seq


def approved_accounts(inputs: Path) -> set[str]:
    """Accounts marked 已通过 in ``inputs/review.yaml`` (written by the review desk)."""
    path = Path(inputs) / REVIEW_FILE
    if not path.is_file():
        raise InputError(
            f"没有审核状态文件 {REVIEW_FILE}，无法确定哪些集群已通过审核",
            file=path,
            hint=f"审核台导出时会写出该文件；也可手工编写，每行“账号: {APPROVED}”，例如：whkjcyjq: {APPROVED}",
        )
    data, lines = load_yaml(path)
    if not isinstance(data, dict):
        raise InputError("审核状态文件应为“账号: 状态”的列表", file=path, hint=f"例如：whkjcyjq: {APPROVED}")
    return {str(k) for k, v in data.items() if str(v).strip() == APPROVED}


def _summary_tables(c, results: Sequence[ClusterResult], roll: Rollup) -> None:
    c.paragraph("一、各集群报告检查情况", "Heading1")
    rows = []
    for r in results:
        cov = None if r.coverage is None or not r.topics_total else r.topics_covered / r.topics_total
        rows.append([
            f"{r.cluster.level}{r.cluster.seq}", r.cluster.name, r.status,
            "" if r.zishu is None else str(r.zishu), r.band_label or "",
            "" if cov is None else format_percent(cov, 0), "" if r.coverage is None else str(r.errors + r.warnings),
        ])
    c.table(["序号", "集群名称", "状态", "正文字数", "长度评价", "提纲覆盖", "问题数"], rows, [16, 62, 16, 16, 16, 16, 14],
            align=["center", "left", "center", "right", "center", "right", "right"])
    c.paragraph("二、全省统计报表合计（附件2）", "Heading1", page_break_before=True)
    c.paragraph("按级别汇总各集群统计报表；未填的指标不计为 0，“填报”为全省填报该指标的集群数。", "NoteText")
    rows = []
    for r in roll.rows:
        if not r.row.takes_value or not r.row.key:
            continue
        cells = [r.row.label, r.row.unit or ""]
        cells += ["未填" if r.sums[s] is None else _plain(r.row, r.sums[s]) for s in SCOPES]
        cells.append(str(r.filled[SCOPES[-1]]))
        rows.append(cells)
    c.table(["指标", "单位", "国家级", "省级", "全省", "填报"], rows, [50, 12, 27, 27, 27, 13],
            align=["left", "center", "right", "right", "right", "right"])
    c.paragraph("三、派生指标（按合计值计算）", "Heading1")
    rows = [[d.name, d.unit, *[d.display.get(s, "") for s in SCOPES]] for d in roll.derived]
    c.table(["指标", "单位", "国家级", "省级", "全省"], rows, [56, 19, 27, 27, 27], align=["left", "center", "right", "right", "right"])


def _plain(row, value) -> str:
    from reportsmith.core.numfmt import format_number

    return format_number(value, 0 if row.kind == "count" else 2)


def _chart_pages(c, results: Sequence[ClusterResult], forms, year: int) -> None:
    from reportsmith.docx.compose import png_size

    points = charts.points_from_batch(results)
    figures = charts.province_indicators(forms)
    pictures = [
        ("图1　各集群正文字数", charts.zishu_chart(points)),
        ("图2　附件3提纲内容项覆盖情况", charts.coverage_chart(points)),
        ("图3　全省主要指标（国家级与省级）", charts.province_indicator_chart(figures, year=year)),
    ]
    for i, (caption, png) in enumerate(pictures):
        c.paragraph("四、图表" if i == 0 else "", "Heading1" if i == 0 else None, page_break_before=True)
        w, h = png_size(png)
        width = min(156.0, 190.0 * w / h)  # fit the 156 × 225 mm text block with the caption
        c.picture(png, width, caption)


def _forms(inputs: Path, results: Sequence[ClusterResult]):
    from reportsmith.form.load import check_form_file

    out = []
    for r in results:
        path = Path(inputs) / r.key / "form.yaml"
        if path.is_file():
            try:
                form, _ = check_form_file(path)
            except InputError:
                continue
            if form is not None:
                out.append((r.cluster.level, form))
    return out


def _entry_pages(text: str, titles: Sequence[str]) -> list[int] | None:
    """Page numbers of a contents' text (``title\\tpage`` lines) when its entries are exactly ``titles``."""
    entries = []
    for line in text.splitlines():
        if "\t" in line:
            title, _, page = line.rpartition("\t")
            entries.append(("".join(title.split()), page.strip()))
    want = ["".join(t.split()) for t in titles]
    if [t for t, _ in entries] != want or not all(p.isdigit() for _, p in entries):
        return None
    return [int(p) for _, p in entries]


def build_compendium(
    inputs: Path,
    out: Path,
    *,
    pdf: bool = False,
    pdf_a: bool = False,
    only_approved: bool = False,
    only: Sequence[str] | None = None,
    jobs: int | None = None,
    layout: bool = True,
) -> CompendiumResult:
    """Build the compendium of the clusters under ``inputs`` into ``out`` (a .docx); see the module docstring.

    ``only`` limits it to these accounts; ``only_approved`` to those marked 已通过 in ``review.yaml``;
    ``layout=False`` skips LibreOffice (page numbers left for Word to fill); ``pdf_a`` makes the PDF PDF/A-2b.
    """
    from reportsmith.batch.run import run_batch

    inputs, out = Path(inputs), Path(out)
    _check_target(out)
    approved = approved_accounts(inputs) if only_approved else None
    with tempfile.TemporaryDirectory(prefix="reportsmith-compendium-") as tmp:
        batch = run_batch(inputs, Path(tmp) / "out", jobs=jobs, only=list(only) if only else None, summary=False)
        return compose_compendium(batch, inputs, out, pdf=pdf, pdf_a=pdf_a, approved=approved, layout=layout)


def _check_target(out: Path) -> None:
    if out.suffix.lower() != ".docx":
        raise InputError("汇编文件须以 .docx 结尾", file=out, hint="例如：-o 汇编.docx")


def compose_compendium(
    batch, inputs: Path, out: Path, *, pdf: bool = False, pdf_a: bool = False, approved: set[str] | None = None,
    layout: bool = True,
) -> CompendiumResult:
    """The compendium of a batch already run (``BatchResult`` whose reports are in ``batch.out``)."""
    from reportsmith.docx.compose import Composer, report_title

    inputs, out = Path(inputs), Path(out)
    _check_target(out)
    findings: list[Finding] = []
    with tempfile.TemporaryDirectory(prefix="reportsmith-compendium-") as tmp:
        tmpdir = Path(tmp)
        year = batch_year(batch)
        included: list[ClusterResult] = []
        left_out: list[tuple[Cluster, str]] = []
        for r in sorted(batch.clusters, key=lambda r: compendium_order(r.cluster)):
            if r.status not in (STATUS_BUILT, STATUS_PROBLEMS) or not r.output:
                left_out.append((r.cluster, r.message or r.status))
            elif approved is not None and r.key not in approved:
                left_out.append((r.cluster, f"未通过审核（{REVIEW_FILE} 中不是“{APPROVED}”）"))
            else:
                included.append(r)
        if not included:
            raise InputError(
                "没有可以收录的报告" + ("（没有已通过审核的集群）" if approved is not None else ""),
                file=inputs,
                hint="请先用 reportsmith batch 检查各集群能否生成报告" + (f"，并在 {REVIEW_FILE} 中标记“{APPROVED}”" if approved is not None else ""),
            )
        paths = [Path(batch.out) / r.output for r in included]
        titles = [report_title(p) for p in paths]
        c = Composer(paths[0])
        counts = {lv: sum(1 for r in included if r.cluster.level == lv) for lv in LEVEL_ORDER}
        c.cover(
            f"湖北省创新型产业集群\n{year}年度总结报告汇编",
            [f"（{year}年度）", "收录集群 {} 个：{}".format(len(included), "、".join(f"{lv} {n} 个" for lv, n in counts.items() if n))],
        )
        entries = c.contents("目　录", titles)
        for e, path in zip(entries, paths):
            c.report(path, e.bookmark)
        ordered = sorted(batch.clusters, key=lambda r: compendium_order(r.cluster))
        c.paragraph("全省汇总", "AttachmentTitle", page_break_before=True)
        _summary_tables(c, ordered, batch.rollup.result(year=year))
        _chart_pages(c, ordered, _forms(inputs, ordered), year)
        when = datetime(year, 12, 31)
        title = f"湖北省创新型产业集群{year}年度总结报告汇编"
        draft = tmpdir / "compendium.docx"
        c.save(draft, when, title=title)
        pages = None
        if layout:
            pages, more = _lay_out(c, draft, entries, titles, when, title)
            findings += more
        if pages is None:
            c.mark_fields_dirty()
            c.save(draft, when, title=title)
            if layout is False:
                findings.append(Finding(Severity.INFO, "compendium.pages_left", "未排版，目录页码未填写（显示为 0）；Word 打开时会提示更新目录",
                                        file=str(out), hint="在 Word 中右键目录选择“更新域→只更新页码”"))
        out.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(out) as part:
            shutil.copyfile(draft, part)
        pdf_path = None
        if pdf or pdf_a:
            from reportsmith.report.pdf import convert_pdf

            pdf_path, more = convert_pdf(out, pdf_a=pdf_a)
            findings += more
    return CompendiumResult(out, pdf_path, titles, [r.key for r in included], pages, left_out, findings)


def _lay_out(c, draft: Path, entries, titles, when, title):
    """Fill the contents' page numbers from LibreOffice; return (pages or None, findings)."""
    from reportsmith.report.lo_index import layout_pages

    marks = [e.bookmark for e in entries]
    laid, findings = layout_pages(draft, marks, update=True)
    if laid is None:
        return None, findings
    # The contents as LibreOffice updated it; its page numbers when its entries are our titles.
    pages = next((p for p in (_entry_pages(t, titles) for t in laid.indexes) if p), None)
    if pages is None:
        pages = [laid.pages.get(m, 0) for m in marks]
    for _ in range(MAX_LAYOUT_PASSES):
        c.fill_pages(pages)
        c.save(draft, when, title=title)
        check, more = layout_pages(draft, marks, update=False)
        if check is None:
            return None, findings + more
        now = [check.pages.get(m, 0) for m in marks]
        if now == pages:
            return pages, findings
        pages = now  # filling the numbers moved a title (a contents line wrapped): once more
    findings.append(Finding(Severity.WARNING, "compendium.pages_unstable", "目录页码经多次排版仍有变动，可能有个别页码不准",
                            file=str(draft), hint="请在 Word 中右键目录选择“更新域→只更新页码”"))
    return pages, findings
