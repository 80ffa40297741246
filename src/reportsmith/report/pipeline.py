"""Assemble one cluster folder into the report as it will be printed (:class:`Assembled`).

``inputs/<account>/`` holds ``report.yaml`` (required), ``form.yaml`` or ``form.xlsx`` and
``evidence.yaml`` (optional). :func:`assemble` reads them, fills the figure expressions of
the writer's text, adds the data sentences, builds the appendix rows and the evidence
checklist, and puts a visible 【待补充：…】 under every heading left empty.

Findings: ``Assembled.findings`` holds the form's findings (loading and relational checks,
figures that cannot be computed) and the cross-checks between report.yaml and the form;
the evidence findings stay in ``Assembled.checklist.findings``. :func:`check_inputs`
adds the coverage, length and prose findings. Checking measures this same record, so a
check of the inputs and a check of the rendered .docx agree.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from reportsmith.outline import headings as outline
from reportsmith.records.assembled import Assembled, AssembledSection, writer_texts
from reportsmith.records.checkresult import CheckResult
from reportsmith.checks.sections import check_assembled
from reportsmith.core.errors import Finding, InputError, Severity
from reportsmith.form.data import FormData
from reportsmith.registry.clusters import get_cluster
from reportsmith.outline.report_input import ReportInput, TextBlock, load_report, split_at_marker, split_paragraphs

if TYPE_CHECKING:
    from reportsmith.compute.figures import FigureError

REPORT_FILE = "report.yaml"
FORM_FILES = ("form.yaml", "form.xlsx")


def date_text(date: dt.date | None) -> str:
    """``2025年1月15日`` (no leading zeros), or "" without a date.

    >>> date_text(dt.date(2025, 1, 5))
    '2025年1月5日'
    """
    return f"{date.year}年{date.month}月{date.day}日" if date else ""


def placeholder(heading: outline.Heading, covered: frozenset[str] = frozenset()) -> str | None:
    """The visible 【待补充：…】 text for a heading without writer text, naming the topics
    still to write (those the data sentences already cover are left out)."""
    missing = [t.name for t in heading.topics if t.name not in covered]
    if heading.is_container or not missing:
        return None
    return "【待补充：" + "、".join(missing) + "】"


def form_path(folder: Path) -> Path | None:
    """The folder's form: form.yaml, else a filled form.xlsx, else None."""
    for name in FORM_FILES:
        if (folder / name).is_file():
            return folder / name
    return None


def load_and_assemble(folder: Path) -> tuple[Assembled, ReportInput]:
    """:func:`assemble`, also returning the parsed report.yaml (for line numbers in messages)."""
    from reportsmith.form.load import check_form_file

    folder = Path(folder)
    report_path = folder / REPORT_FILE
    if not report_path.is_file():
        raise InputError(
            f"文件夹中没有 {REPORT_FILE}",
            file=folder,
            hint="请用 reportsmith init 账号 生成模板，或检查文件夹路径",
        )
    report = load_report(report_path)
    form: FormData | None = None
    form_findings: list[Finding] = []
    fpath = form_path(folder)
    if fpath is not None:
        form, form_findings = check_form_file(fpath)
    return assemble_report(report, form, form_findings, folder), report


def assemble_report(report: ReportInput, form: FormData | None, form_findings: list[Finding], folder: Path) -> Assembled:
    """:func:`assemble` of inputs already read: report.yaml's record, the form with its
    findings (from :func:`reportsmith.form.load.check_form_file`) and the folder holding
    evidence.yaml and its files. The workspace calls it with records kept in memory."""
    from reportsmith.evidence.checklist import build_checklist
    from reportsmith.compute.highlights import section_sentences
    from reportsmith.compute.indicators import appendix_rows, not_computable_findings

    cluster = get_cluster(report.cluster, file=report.source)
    findings: list[Finding] = []
    if form is not None:
        findings += form_findings
        findings += not_computable_findings(form)
        findings += _cross_check(report, form)

    sections = _sections(report, form)
    if form is not None:
        sentences = section_sentences(form)
        for s in sections:
            place_highlights(s, report, form, sentences)
    return Assembled(
        folder=Path(folder),
        cluster=cluster,
        year=report.year,
        date_text=date_text(report.date),
        sections=sections,
        form=form,
        appendix_rows=appendix_rows(form) if form is not None else [],
        checklist=build_checklist(Path(folder), form, writer_texts(sections)),
        findings=findings,
    )


def assemble(folder: Path) -> Assembled:
    """Everything needed to check and render one cluster folder.

    Raises :class:`InputError` when report.yaml (or the form) cannot be read, or when the
    text refers to unknown figures — all such problems of report.yaml in one error.
    """
    return load_and_assemble(folder)[0]


def place_highlights(section: AssembledSection, report: ReportInput, form: FormData, sentences: dict[str, list[str]]) -> None:
    """Give ``section`` its data sentences (from ``section_sentences(form)``) unless the report
    turns them off, leaving out those the writer's text already states; a heading with data
    sentences but no text of its own gets the placeholder of the topics still missing."""
    if report.highlights_on(section.heading.title):
        section.highlights, section.repeated = _not_repeated(sentences.get(section.heading.title, []), section.paragraphs, form)
    if section.highlights and not section.paragraphs:
        section.placeholder = placeholder(section.heading, _covered_topics(section))


def _not_repeated(sentences: list[str], paragraphs: list[str], form: FormData) -> tuple[list[str], list[str]]:
    """(kept, left out): a data sentence stating a figure the writer's own text of the heading
    already states with the form's value is left out, so no figure is printed twice."""
    from reportsmith.checks.prose import stated_figures
    from reportsmith.compute.figures import figures

    if not sentences or not paragraphs:
        return list(sentences), []
    figs = figures(form)
    own = stated_figures("\n".join(paragraphs), form, figs)
    kept, left = [], []
    for sentence in sentences:
        (left if stated_figures(sentence, form, figs) & own else kept).append(sentence)
    return kept, left


def _covered_topics(section: AssembledSection) -> frozenset[str]:
    from reportsmith.checks.coverage import topic_coverage

    return frozenset(t.topic for t in topic_coverage(section, section.heading) if t.covered)


def assemble_section(
    heading: outline.Heading,
    blocks: Sequence[TextBlock],
    form: FormData | None,
    *,
    keyed: frozenset[str] = frozenset(),
    file: str | None = None,
    line: int | None = None,
) -> tuple[AssembledSection, list[FigureError]]:
    """One heading assembled from the writer's blocks: figure expressions filled, paragraphs
    split, the 【待补充】 placeholder when empty; a block whose figures cannot be filled is
    left out and its error returned. Used for every heading of a report, and alone by the
    workspace's live check of the heading being typed."""
    from reportsmith.compute.figures import FigureError, fill_text

    errors: list[FigureError] = []
    paragraphs: list[str] = []
    marker: int | None = None
    for block in blocks:
        for i, part in enumerate(split_at_marker(block.text)):
            if i and marker is None:  # the first {{ 数据句 }} line places the data sentences
                marker = len(paragraphs)
            try:
                filled = fill_text(part, form, section=heading.title, file=file)
            except FigureError as exc:
                exc.line = exc.line or line
                errors.append(exc)
                continue
            paragraphs += split_paragraphs(filled)
    section = AssembledSection(
        heading=heading, paragraphs=paragraphs, keyed_topics=keyed,
        placeholder=None if paragraphs else placeholder(heading), marker=marker,
    )
    return section, errors


def _sections(report: ReportInput, form: FormData | None) -> list[AssembledSection]:
    """Every heading of the outline in order, with the writer's paragraphs filled in."""
    errors: list[FigureError] = []
    out: list[AssembledSection] = []
    for heading in outline.headings():
        section = report.sections.get(heading.title)
        assembled, errs = assemble_section(
            heading, section.blocks if section else [], form,
            keyed=section.keyed_topics if section else frozenset(), file=report.source, line=section.line if section else None,
        )
        errors += errs
        out.append(assembled)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputError(
            f"正文中有 {len(errors)} 处指标表达式无法填入",
            file=report.source,
            line=errors[0].line,
            details=[f"第 {e.line} 行 {e.message}（{e.hint}）" if e.line else e.text() for e in errors],
        )
    return out


def _cross_check(report: ReportInput, form: FormData) -> list[Finding]:
    """report.yaml and the form must describe the same cluster and year."""
    out: list[Finding] = []
    if form.cluster and form.cluster != report.cluster:
        out.append(
            Finding(
                Severity.ERROR,
                "inputs.cluster_mismatch",
                f"report.yaml 的集群账号是“{report.cluster}”，统计报表却是“{form.cluster}”",
                file=form.source,
                key="cluster",
                hint="两个文件应属于同一个集群，请核对账号",
            )
        )
    if form.year and form.year != report.year:
        out.append(
            Finding(
                Severity.ERROR,
                "inputs.year_mismatch",
                f"report.yaml 的年度是 {report.year} 年，统计报表却是 {form.year} 年",
                file=form.source,
                key="year",
                hint="两个文件应为同一年度，请核对 year",
            )
        )
    return out


def check_inputs(folder: Path) -> CheckResult:
    """The full check of ``inputs/<account>/``: coverage and length of the assembled
    report, the form, hand-written figures in the prose, and the evidence checklist.

    Raises :class:`InputError` when an input cannot be read (exit 2).
    """
    return check_assembled(*load_and_assemble(Path(folder)))
