"""``reportsmith evidence FOLDER [--json]``: the 佐证材料清单 of one cluster folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import click

from reportsmith.core.errors import exit_code_for
from ._common import emit_json, handles_errors, out

if TYPE_CHECKING:
    from reportsmith.records.assembled import Checklist
    from reportsmith.core.errors import Finding

_STATUS_STYLE = {"已附": "green", "缺失": "yellow", "无效": "red", "不要求佐证": "dim"}


def _report_texts(folder: Path) -> dict[str, str] | None:
    """Heading title → the writer's raw text, for the planning/policy naming rule.

    An unreadable report.yaml is `reportsmith check`'s business: the rule is then skipped,
    and said so on stderr (stdout may be JSON).
    """
    path = folder / "report.yaml"
    if not path.exists():
        return None
    from reportsmith.core.errors import ReportsmithError
    from reportsmith.outline.report_input import load_report

    try:
        report = load_report(path)
    except ReportsmithError:
        click.echo(f"注意：{path} 无法读取，未检查正文是否点名规划和政策文件（请用 reportsmith check 查看原因）。", err=True)
        return None
    return {title: "\n\n".join(b.text for b in s.blocks) for title, s in report.sections.items()}


def _print_table(checklist: Checklist, source: str) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"佐证材料清单：{source}", show_lines=False)
    for col in ("序号", "类别", "名称", "级别", "文号", "佐证材料", "状态"):
        table.add_column(col, no_wrap=col in ("序号", "级别"), overflow="fold")
    for group, items in checklist.groups():
        table.add_row("", f"[bold]{group}[/]", "", "", "", "", "", end_section=False)
        if not items:
            table.add_row("", "", "（无）", "", "", "", "")
        for i in items:
            style = _STATUS_STYLE.get(i.status, "")
            table.add_row(
                str(i.seq), escape(i.category), escape(i.name), escape(i.level), escape(i.doc_no),
                escape("\n".join(i.files)), f"[{style}]{escape(i.status_text)}[/]",
            )
    # Wrap long names instead of cutting them: every file name must stay readable.
    Console(highlight=False).print(table)


def _print_findings(findings: Sequence[Finding]) -> None:
    if not findings:
        out("未发现问题。")
        return
    out(f"问题（{len(findings)} 条）：")
    for f in findings:
        out(f"- {f.severity.label}：{f.text()}")


@click.command("evidence", help="佐证材料清单：核对机构名单与统计报表、检查佐证材料文件。")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出清单和问题")
@click.option("--max-size-mb", type=click.FloatRange(min=0, min_open=True), default=None, help="单个文件的大小上限（MB），默认 50")
@handles_errors
def evidence(folder: Path, as_json: bool, max_size_mb: float | None) -> int:
    """Print the checklist of FOLDER; exit 0 all attached and reconciled, 1 problems, 2 unreadable."""
    from reportsmith.evidence import checklist as ev
    from reportsmith.core.errors import InputError

    if not folder.is_dir():
        raise InputError("填报文件夹不存在", file=folder, hint="请写 inputs/<账号>，如 inputs/whkjcyjq")
    if not (folder / ev.FILE_NAME).exists():
        raise InputError("文件不存在", file=folder / ev.FILE_NAME, hint="用 reportsmith init 生成 evidence.yaml 模板，列出机构名单和佐证材料")
    from reportsmith.report.pipeline import form_path

    form = None
    fpath = form_path(folder)  # form.yaml, else a filled form.xlsx: the same form `reportsmith check` reads
    if fpath is not None:
        from reportsmith.form.load import load_form

        form, _ = load_form(fpath)  # the form's own problems belong to `reportsmith form`
    max_bytes = int(max_size_mb * 1024 * 1024) if max_size_mb else None
    checklist = ev.build_checklist(folder, form, _report_texts(folder), max_bytes=max_bytes)
    if as_json:
        emit_json({"source": str(folder / ev.FILE_NAME), **ev.checklist_to_dict(checklist)})
    else:
        _print_table(checklist, str(folder / ev.FILE_NAME))
        out(checklist.count_line)
        if form is None:
            out("未找到统计报表（form.yaml 或 form.xlsx），未与统计报表核对机构数量。")
        _print_findings(checklist.findings)
    return exit_code_for(checklist.findings)
