"""``reportsmith build FOLDER [-o out/] [--template T] [--pdf] [--pdf-a] [--bundle]``: one cluster's Word report."""

from __future__ import annotations

from pathlib import Path

import click

from reportsmith.core.errors import EXIT_OK, EXIT_PROBLEMS, InputError, os_error_reason
from ._common import handles_errors, out


def _os_error(exc: OSError, out_dir: Path) -> InputError:
    """An OSError of a build as a Chinese message: writing under ``out_dir``, or reading an input."""
    why = os_error_reason(exc)
    where = Path(exc.filename) if exc.filename else out_dir
    if where == out_dir or out_dir in where.parents or where in out_dir.parents:
        if where.suffix == ".part":  # the temporary file beside the report: name its folder instead
            where = where.parent
        return InputError(
            f"无法写入输出文件：{why}",
            file=where,
            hint=f"请检查输出文件夹 {out_dir} 是否可写，或用 -o 指定另一个文件夹；如报告正在 Word/WPS 中打开，请先关闭",
        )
    return InputError(f"无法读取：{why}", file=where, hint="请检查该文件是否存在、是否有读取权限")


@click.command("build", help="生成一个集群的 Word 总结报告（out/<账号>/<集群名称>2024年度总结报告.docx）。")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("out"), show_default=True, help="输出文件夹")
@click.option("--template", type=click.Path(path_type=Path, dir_okay=False), default=None, help="自定义 Word 模板（.docx），默认使用内置模板")
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 转换为 PDF")
@click.option("--pdf-a", "pdf_a", is_flag=True, help="转换为 PDF/A-2b 归档格式的 PDF（含 --pdf）")
@click.option("--bundle", is_flag=True, help="同时把佐证材料按清单序号复制到 out/<账号>/佐证材料/")
@click.option("--chart", is_flag=True, help="在附件1中加入本集群主要指标的本年与上年对比图")
@handles_errors
def build(folder: Path, out_dir: Path, template: Path | None, pdf: bool, pdf_a: bool, bundle: bool, chart: bool) -> int:
    """Build the report of FOLDER; exit 0 built, 1 built with problems, 2 could not build."""
    from reportsmith.report.build import build as run_build

    if not folder.is_dir():
        raise InputError("填报文件夹不存在", file=folder, hint="请写 inputs/<账号>，如 inputs/whkjcyjq")
    try:
        result = run_build(folder, out_dir, template=template, pdf=pdf, pdf_a=pdf_a, bundle=bundle, chart=chart)
    except OSError as exc:
        raise _os_error(exc, out_dir) from None
    out(f"已生成：{result.docx}")
    if result.pdf is not None:
        out(f"已生成：{result.pdf}")
    if result.bundle:
        out(f"已复制佐证材料 {len(result.bundle)} 个文件到：{result.bundle[0].parent}")
    problems = [f for f in result.findings if f.is_problem]
    infos = len(result.findings) - len(problems)
    if problems:
        out(f"问题（{len(problems)} 条）：")
        for f in problems:
            out(f"- {f.severity.label}：{f.text()}")
    if infos:
        out(f"另有 {infos} 条提示，运行 reportsmith check {folder} 查看。")
    return EXIT_PROBLEMS if problems else EXIT_OK
