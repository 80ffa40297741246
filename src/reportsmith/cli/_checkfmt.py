"""Print a :class:`CheckResult` as Chinese tables, or as JSON.

Shared by ``reportsmith check`` (inputs folder, submitted .docx) and the batch commands,
which print the same record.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from reportsmith.records.checkresult import CheckResult, TopicCoverage, furthest_from_budget
from reportsmith.core.errors import EXIT_OK, EXIT_UNREADABLE, Finding, ReportsmithError, Severity, split_findings
from ._common import console as _base_console

_BAND_STYLE = {"ok": "green", "warn": "yellow", "fail": "red"}
# Above this many 提示 (info) findings, only their number is printed unless asked for all.
MAX_INFOS_SHOWN = 10


# Not on a terminal (a pipe, a log, a test), rich would assume 80 columns and cut
# Chinese messages short; a report read later is better wide than truncated.
_PIPE_WIDTH = 132
_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def console():
    """The shared console, widened when printing to a pipe or a file."""
    c = _base_console()
    if not c.is_terminal:
        c.width = _PIPE_WIDTH
    return c


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def band_text(result: CheckResult) -> str:
    """The band label, coloured."""
    return f"[{_BAND_STYLE[result.band]}]{result.band_label}[/]"


# A heading against its suggested budget (SectionLength.balance): a guide, not a problem.
_BALANCE = {"ok": "适中", "over": "[yellow]偏多[/]", "under": "[yellow]偏少[/]", "empty": "[red]空[/]", None: "—"}


def print_lengths(result: CheckResult) -> None:
    """Per heading: 字数 beside the suggested budget, so a writer sees where to cut or add."""
    from rich.table import Table

    from reportsmith.outline.headings import length_rule

    tolerance = length_rule().heading_tolerance
    table = Table(title="字数（按标题）", show_footer=True,
                  caption=f"字数含标题行；建议字数仅作参考，与之相差 {tolerance:.0%} 以内为“适中”")
    table.add_column("标题", footer="正文合计")
    table.add_column("字数", justify="right", footer=str(result.zishu))
    table.add_column("建议字数", justify="right", footer=str(result.target))
    table.add_column("差额", justify="right", footer=f"{result.zishu - result.target:+d}")
    table.add_column("评价", footer=band_text(result))
    for s in result.sections:
        diff = f"{s.zishu - s.budget:+d}" if s.budget else ""
        table.add_row(_esc(s.numbered), str(s.zishu), str(s.budget or ""), diff, _BALANCE[s.balance])
    console().print(table)
    if result.data_zishu:
        console().print(f"正文合计 {result.zishu} 字 = 本人撰写 {result.own_zishu} 字 + 自动数据句 {result.data_zishu} 字"
                        "（按印出的正文评价；正文已写明的数字不再由数据句重复）")
    over = result.zishu > result.target
    strays = furthest_from_budget(result.sections, over) if result.band != "ok" and result.zishu else []
    if strays:
        names = "、".join(f"{_esc(s.numbered)}（{s.zishu - s.budget:+d}）" for s in strays)
        console().print(f"{'可优先压缩' if over else '可优先补充'}：{names}")


def _how(t: TopicCoverage) -> str:
    """How a topic was found, in words: keyed, the opening overview, or the cue word in quotes."""
    if t.how == "keyed":
        return "按内容项标注"
    if t.how == "overview":
        return "开头概述段"
    cue = (t.how or "").removeprefix("cue:")
    return cue if cue.startswith("“") else f"“{cue}”"


def print_topics(result: CheckResult) -> None:
    """Per topic of 附件3: covered (and how), only negated (quoting the sentence), or missing."""
    from rich.table import Table

    negated = len(result.negated_topics)
    title = f"提纲覆盖（{sum(t.covered for t in result.topics)}/{len(result.topics)} 项"
    table = Table(title=title + (f"，另有 {negated} 项仅有否定表述）" if negated else "）"))
    table.add_column("标题", overflow="fold")
    table.add_column("内容项", overflow="fold")
    table.add_column("是否涉及（依据）", overflow="fold")
    last = None
    for t in result.topics:
        if t.covered:
            mark = f"[green]✓[/] {_esc(_how(t))}"
        elif t.negated:
            mark = f"[yellow]! 仅有否定表述[/]：{_esc(t.sentence or '')}"
        else:
            mark = "[red]✗ 未涉及[/]"
        table.add_row(_esc(t.heading) if t.heading != last else "", _esc(t.topic), mark)
        last = t.heading
    console().print(table)


def print_result(result: CheckResult, *, show_all: bool = False) -> None:
    """The full readable report of one check: header, lengths, coverage, problems, verdict."""
    c = console()
    c.print(f"[bold]检查：{_esc(result.source)}[/bold]" + (f"  集群账号：{_esc(result.cluster)}" if result.cluster else ""))
    print_lengths(result)
    print_topics(result)
    groups = split_findings(result.findings)
    shown = groups["errors"] + groups["warnings"]
    infos = groups["infos"]
    if show_all or len(infos) <= MAX_INFOS_SHOWN:
        shown += infos
    print_problems(shown)
    print_disabled(result)
    if len(shown) < len(result.findings):
        c.print(f"另有 {len(infos)} 条提示未列出（加 --all 显示全部，或用 --json 输出）。")
    c.print(verdict(result))


def print_problems(findings: Sequence[Finding]) -> None:
    """Findings as a table: severity, location, problem, how to fix (long text folds, never cut)."""
    from rich.table import Table

    c = console()
    if not findings:
        c.print("[green]未发现问题。[/green]")
        return
    table = Table(title="问题")
    table.add_column("级别", no_wrap=True)
    table.add_column("位置", overflow="fold")
    table.add_column("问题", overflow="fold")
    table.add_column("如何修改", overflow="fold")
    for f in findings:
        table.add_row(f"[{_STYLE[f.severity]}]{f.severity.label}[/]", _esc(f.location), _esc(f.message), _esc(f.hint or ""))
    c.print(table)


def print_disabled(result: CheckResult) -> None:
    """The wording checks the writer switched off in report.yaml (关闭检查), with the reasons."""
    off = result.extra.get("wording_disabled") or []
    if not off:
        return
    c = console()
    c.print(f"已关闭的文字检查（{len(off)} 项，见 report.yaml“关闭检查”）：")
    for item in off:
        rules = "、".join(item["rules"])
        named = item["rule"] if rules == item["rule"] else f"{item['rule']}（{rules}）"
        c.print(f"  - {_esc(named)}：{_esc(item['reason'] or '未写理由')}")


def verdict(result: CheckResult) -> str:
    """The closing line: 字数 and band, coverage, and the number of findings of each kind."""
    groups = split_findings(result.findings)
    total = f"，全文 {result.total_zishu} 字" if result.total_zishu is not None else ""
    own = f"，其中本人撰写 {result.own_zishu} 字、数据句 {result.data_zishu} 字" if result.data_zishu else ""
    return (
        f"结论：正文 {result.zishu} 字（目标约 {result.target} 字，{band_text(result)}{own}）{total}；"
        f"提纲覆盖 {result.coverage:.0%}；错误 {len(groups['errors'])} 条，警告 {len(groups['warnings'])} 条，"
        f"提示 {len(groups['infos'])} 条。"
    )


def result_json(result: CheckResult) -> dict[str, Any]:
    """One report as JSON."""
    return result.to_json()


Outcome = tuple[Path, "CheckResult | ReportsmithError"]


def print_many(outcomes: Sequence[Outcome], *, show_all: bool = False) -> None:
    """A folder of reports: one summary row per file, then each file's details."""
    from rich.table import Table

    table = Table(title=f"汇总（{len(outcomes)} 个文件）")
    for col in ("文件", "集群账号", "正文字数", "评定", "提纲覆盖", "错误", "警告"):
        # Fold long file names: two drafts often differ only at the end ("（报送稿）"/"（第二稿）").
        table.add_column(col, justify="right" if col in ("正文字数", "错误", "警告") else "left", overflow="fold")
    for path, r in outcomes:
        if isinstance(r, ReportsmithError):
            table.add_row(_esc(path.name), "", "", "[red]无法读取[/]", "", "1", "")
            continue
        g = split_findings(r.findings)
        table.add_row(
            _esc(path.name), _esc(r.cluster or ""), str(r.zishu), band_text(r), f"{r.coverage:.0%}",
            str(len(g["errors"])), str(len(g["warnings"])),
        )
    c = console()
    c.print(table)
    for path, r in outcomes:
        c.rule(_esc(path.name))
        if isinstance(r, ReportsmithError):
            c.print(f"[red]无法读取：[/]{_esc(r.text())}")
        else:
            print_result(r, show_all=show_all)


def many_json(outcomes: Sequence[Outcome]) -> list[dict[str, Any]]:
    """A folder of reports as a JSON list; an unreadable file carries its error instead."""
    out = []
    for path, r in outcomes:
        if isinstance(r, ReportsmithError):
            out.append({"file": str(path), "error": r.to_dict()})
        else:
            out.append({"file": str(path), **r.to_json()})
    return out


def many_exit_code(outcomes: Sequence[Outcome]) -> int:
    """2 when a file could not be read, else 1 when any report has problems, else 0."""
    codes = [EXIT_UNREADABLE if isinstance(r, ReportsmithError) else r.exit_code for _, r in outcomes]
    return max(codes, default=EXIT_OK)


__all__ = ["print_result", "print_many", "print_problems", "result_json", "many_json", "many_exit_code", "verdict"]
