"""Coverage and length of a report against 附件3, and the full check of an assembled report.

:func:`check_sections` measures a list of :class:`AssembledSection` — assembled from
report.yaml, or read back from a .docx — so both kinds of check agree:

* **coverage**: each topic covered, only negated, or missing (:mod:`reportsmith.checks.coverage`);
* **length**: the body's 字数 — each heading's numbered title line plus its paragraphs
  and data sentences; not the title, not appendices, not 【待补充】 placeholders — against
  the target and bands of ``data/rules.yaml``.

:func:`check_assembled` adds the form, prose and evidence findings of the same folder
(:func:`reportsmith.report.pipeline.check_inputs` assembles and checks a folder).
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

from reportsmith.outline import headings as outline
from reportsmith.records.assembled import Assembled, AssembledSection, writer_texts
from reportsmith.records.checkresult import CheckResult, SectionLength, TopicCoverage, furthest_from_budget
from reportsmith.core.errors import Finding, Severity
from reportsmith.outline.report_input import ReportInput, unclassified_findings
from reportsmith.checks.coverage import topic_coverage
from reportsmith.checks.prose import check_prose
from reportsmith.checks.wording import check_report_wording
from reportsmith.checks.zishu import zishu

_BAND_SEVERITY = {"warn": Severity.WARNING, "fail": Severity.ERROR}


def section_zishu(section: AssembledSection) -> int:
    """字数 of a heading as printed: its title line, paragraphs and data sentences."""
    return zishu(section.title_line) + sum(zishu(p) for p in section.printed_paragraphs)


def check_sections(
    sections: Sequence[AssembledSection], *, source: str, cluster: str | None, total_zishu: int | None = None
) -> CheckResult:
    """Coverage, per-heading length and the length band of one report.

    A heading absent from ``sections`` counts 0 字 and is reported missing; a heading
    present without text is reported empty. When the whole document is empty (a fresh
    scaffold), only the missing topics are reported, plus a note of the 0 字.
    """
    if not any(s.paragraphs for s in sections):
        # Nothing of the writer's own yet (an untouched scaffold): the data sentences earn
        # the draft no 字数 and no coverage.
        sections = [dataclasses.replace(s, highlights=[]) for s in sections]
    by_title = {s.heading.title: s for s in sections}
    rule = outline.length_rule()
    lengths: list[SectionLength] = []
    topics: list[TopicCoverage] = []
    structure: list[Finding] = []
    for heading in outline.headings():
        section = by_title.get(heading.title)
        present = bool(section and (section.paragraphs or section.highlights))
        n = section_zishu(section) if section else 0
        lengths.append(
            SectionLength(heading.title, heading.numbered, n, heading.budget, present, rule.balance(n, heading.budget, present))
        )
        topics += topic_coverage(section, heading)
        structure += _structure_findings(heading, section, present, source)
    body = sum(s.zishu for s in lengths)
    data = sum(zishu("".join(s.highlights)) for s in sections if s.heading.title in by_title)
    band = rule.band(body)
    findings: list[Finding] = []
    nothing_written = not any(s.present for s in lengths) and not total_zishu
    if nothing_written:
        findings.append(
            Finding(Severity.INFO, "length.empty", f"各标题下尚未填写正文（目前只有标题行，共 {body} 字）", file=source,
                    measured=body, limit=rule.target,
                    hint="按提纲逐项填写各标题下的内容，全文约 3500 字")
        )
    else:
        findings += structure
        if band in _BAND_SEVERITY:
            findings.append(_length_finding(body, band, rule, lengths, source, data))
    findings += [_missing_topic(t, source) for t in topics if not t.covered]
    return CheckResult(
        source=source,
        cluster=cluster,
        zishu=body,
        target=rule.target,
        band=band,
        total_zishu=total_zishu,
        data_zishu=data,
        sections=lengths,
        topics=topics,
        findings=findings,
    )


def _structure_findings(heading: outline.Heading, section: AssembledSection | None, present: bool, source: str) -> list[Finding]:
    if section is None:
        return [
            Finding(
                Severity.WARNING if heading.is_container else Severity.ERROR,
                "section.missing",
                f"缺少标题“{heading.numbered}”",
                file=source,
                key=heading.title,
                hint="标题须与附件3一致，并按提纲顺序排列",
            )
        ]
    if not present and not heading.is_container:
        return [
            Finding(
                Severity.ERROR,
                "section.empty",
                f"标题“{heading.numbered}”下没有内容",
                file=source,
                key=heading.title,
                hint=f"附件3要求：{heading.requirement}建议约 {heading.budget} 字",
            )
        ]
    return []


def _missing_topic(t: TopicCoverage, source: str) -> Finding:
    heading = outline.find_heading(t.heading)
    topic = heading.topic(t.topic) if heading else None
    cues = "、".join(topic.cues[:5]) if topic else ""
    if t.negated:
        return Finding(
            Severity.WARNING,
            "topic.negated",
            f"“{heading.numbered if heading else t.heading}”对附件3要求的“{t.topic}”只有否定表述：“{t.sentence}”",
            file=source,
            key=t.heading,
            hint="请核实：已开展的工作请具体写明做法和成效；确实没有的，请说明原因和下一步打算，供审核时判断",
        )
    return Finding(
        Severity.WARNING,
        "topic.missing",
        f"“{heading.numbered if heading else t.heading}”未涉及附件3要求的“{t.topic}”",
        file=source,
        key=t.heading,
        hint=f"请补写相关内容（常用说法：{cues}）"
        + (f"；也可在 report.yaml 中以“{t.topic}:”为键单独成段" if source.endswith((".yaml", ".yml")) else ""),
    )


def _length_finding(
    body: int, band: str, rule: outline.LengthRule, lengths: list[SectionLength], source: str, data: int = 0
) -> Finding:
    over = body > rule.target
    gap = abs(body - rule.target)
    hint = f"{'压缩' if over else '补充'}正文约 {gap} 字"
    strays = furthest_from_budget(lengths, over)
    if strays:
        names = "、".join(f"“{s.numbered}”（{s.zishu} 字，建议 {s.budget} 字）" for s in strays)
        hint += f"；{'超出' if over else '低于'}建议字数最多的是{names}"
    if over and data:
        hint += (
            f"；其中自动数据句 {data} 字：可在 report.yaml 的 data_sentences 中把某个标题设为“关”，"
            "正文已写明的数字不会再由数据句重复"
        )
    own = f"（本人撰写 {body - data} 字，数据句 {data} 字）" if data else ""
    return Finding(
        _BAND_SEVERITY[band],
        f"length.{band}",
        f"正文 {body} 字{own}，比目标 {rule.target} 字{'超出' if over else '不足'} {gap / rule.target:.1%}"
        f"（±{rule.ok:.0%} 以内为合格，±{rule.warn:.0%} 以内为偏差较大）",
        file=source,
        key="字数",
        hint=hint,
        measured=body,
        limit=rule.target,
    )


def check_assembled(assembled: Assembled, report: ReportInput) -> CheckResult:
    """:func:`check_inputs` of a folder already assembled (batch assembles once, checks and renders)."""
    result = check_sections(assembled.sections, source=report.source, cluster=assembled.cluster.account)
    # Point the report findings at the heading's line in report.yaml.
    lines = {title: s.line for title, s in report.sections.items()}
    result.findings = [
        dataclasses.replace(f, line=lines.get(f.key)) if f.file == report.source and f.key in lines and f.line is None else f
        for f in result.findings
    ]
    result.source = str(assembled.folder)
    result.findings += unclassified_findings(report)
    result.findings += assembled.findings
    if assembled.form is not None:
        result.findings += check_prose(writer_texts(assembled.sections), assembled.form, file=report.source)
    if assembled.checklist is not None:
        result.findings += assembled.checklist.findings
    wording, switched_off = check_report_wording(assembled, report)
    result.findings += wording
    result.extra["wording_disabled"] = switched_off
    result.extra["year"] = assembled.year
    result.extra["title"] = assembled.title
    return result
