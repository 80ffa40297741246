"""``reportsmith batch [inputs/] [-o out/] [--jobs N] [--pdf] [--pdf-a] [--only ACCOUNT…] [--force] [--json]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ._common import console, emit_json, handles_errors, is_terminal, out

_STYLE = {"已生成": "green", "有问题": "yellow", "无法生成": "red", "未提交": "dim"}


@click.command("batch")
@click.argument("inputs", default="inputs", type=click.Path(path_type=Path), metavar="[INPUTS]")
@click.option("-o", "--out", "out_dir", default="out", type=click.Path(path_type=Path), show_default=True,
              help="输出文件夹：各集群报告、summary.csv/xlsx、index.html、manifest.json、汇总.xlsx")  # fmt: skip
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="并行进程数（默认：CPU 核数）")
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 转换为 PDF")
@click.option("--pdf-a", "pdf_a", is_flag=True, help="转换为 PDF/A-2b 归档格式的 PDF（含 --pdf）")
@click.option("--only", multiple=True, metavar="ACCOUNT", help="只处理这些账号（可重复，或用逗号分隔）")
@click.option("--force", is_flag=True, help="全部重新生成（默认只重新生成缺少的、或输入有变化的报告）")
@click.option("--template", type=click.Path(path_type=Path), default=None, help="自定义 Word 模板")
@click.option("--chart", is_flag=True, help="在每份报告的附件1中加入该集群主要指标的本年与上年对比图")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出每个集群的结果")
@handles_errors
def batch(inputs: Path, out_dir: Path, jobs: int | None, pdf: bool, pdf_a: bool, only: tuple[str, ...], force: bool,
          template: Path | None, chart: bool, as_json: bool) -> int:  # fmt: skip
    """批量生成并检查全部集群的总结报告，输出汇总表和汇总页面。

    INPUTS 是存放各集群文件夹（INPUTS/<账号>/report.yaml、form.yaml、evidence.yaml）的目录，默认 inputs。
    没有 report.yaml 的集群列为“未提交”。退出码：0 全部生成且检查通过；1 有集群存在问题或未提交；
    2 有集群无法生成（输入无法读取）。
    """
    from reportsmith.batch.run import run_batch

    options = dict(jobs=jobs, only=list(only), pdf=pdf, pdf_a=pdf_a, force=force, template=template, on_interrupt=_stopping,
                   chart=chart)
    try:
        if as_json:
            result = run_batch(inputs, out_dir, **options)
        elif is_terminal():
            result = _with_progress_bar(inputs, out_dir, options)
        else:
            result = run_batch(inputs, out_dir, progress=_plain_line, **options)
    except KeyboardInterrupt:
        click.echo("已中止：未开始的集群没有生成，汇总表未更新；已生成的报告完整保留，没有留下不完整的文件。"
                   "再次运行同一命令即可继续，已生成且输入未变的报告不会重复生成。", err=True)  # fmt: skip
        return 130
    if as_json:
        emit_json(result.to_json())
    else:
        _print_result(result)
    return result.exit_code


def _stopping() -> None:
    click.echo("收到 Ctrl-C，正在停止：未开始的集群不再处理，正在生成的报告写完即停（通常几秒）；再按一次 Ctrl-C 立即停止。", err=True)


def _line(res: Any) -> str:
    text = f"{res.key} {res.cluster.name}：{res.status}"
    if res.zishu is not None:
        text += f"，{res.zishu} 字（{res.band_label}）"
    if res.status == "无法生成":
        text += f"——{res.message}"
    return text


def _plain_line(done: int, total: int, res: Any) -> None:
    out(f"[{done}/{total}] {_line(res)}")


def _with_progress_bar(inputs: Path, out_dir: Path, options: dict[str, Any]) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from reportsmith.batch.run import run_batch

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console(), transient=True) as bar:
        task = bar.add_task("生成报告", total=None)

        def step(done: int, total: int, res: Any) -> None:
            bar.update(task, completed=done, total=total, description=f"生成报告 {res.key}")

        return run_batch(inputs, out_dir, progress=step, **options)


def _print_result(result: Any) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from reportsmith.core.numfmt import format_percent
    from reportsmith.batch.summary import coverage_ratio

    # Piped output has no width; a wide fixed one keeps each cluster on one line for logs and grep.
    c = console() if is_terminal() else Console(highlight=False, width=160, no_color=True)
    table = Table(title="批量生成结果", show_lines=False)
    for col in ("编号", "账号", "状态", "字数", "长度", "覆盖率", "缺失主题", "佐证缺失", "表单错误", "警告"):
        table.add_column(col, no_wrap=True)
    for r in result.clusters:
        cov = coverage_ratio(r)
        table.add_row(
            r.cluster.code, escape(r.key), f"[{_STYLE.get(r.status, '')}]{r.status}[/]",
            _num(r.zishu), r.band_label, "" if cov is None else format_percent(cov),
            _num(len(r.missing_topics) if r.coverage is not None else None),
            _num(r.evidence_missing), _num(r.form_errors), _num(r.warnings if r.status != "无法生成" else None),
        )  # fmt: skip
    c.print(table)
    for r in result.clusters:
        if r.status == "无法生成":
            c.print(f"[red]无法生成[/] {escape(r.key)}：{escape(r.message)}")
        elif r.status == "有问题" and r.problems:
            # One line per cluster keeps 48 clusters readable; the summary page lists every problem.
            more = f"（共 {len(r.problems)} 条，见汇总页面）" if len(r.problems) > 1 else ""
            c.print(f"[yellow]有问题[/] {escape(r.key)}：{escape(r.problems[0])}{more}")
    for s in result.strays:
        c.print(f"[red]未处理[/] {escape(s.text())}")
    c.print(f"共 {len(result.clusters)} 个集群：{result.counts_text()}。")
    if "index" in result.files:
        c.print(f"汇总页面：{escape(str(result.files['index']))}（用浏览器打开）；汇总表：{escape(str(result.files['xlsx']))}")


def _num(value: int | None) -> str:
    return "" if value is None else str(value)
