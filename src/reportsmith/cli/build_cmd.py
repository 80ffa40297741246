"""``reportsmith build FOLDER [-o out/] [--template T] [--pdf] [--bundle]``: one cluster's Word report."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import EXIT_OK, EXIT_PROBLEMS
from ._common import handles_errors, out


@click.command("build", help="生成一个集群的 Word 总结报告（out/<账号>/<集群名称>2024年度总结报告.docx）。")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("out"), show_default=True, help="输出文件夹")
@click.option("--template", type=click.Path(path_type=Path, dir_okay=False), default=None, help="自定义 Word 模板（.docx），默认使用内置模板")
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 转换为 PDF")
@click.option("--bundle", is_flag=True, help="同时把佐证材料按清单序号复制到 out/<账号>/佐证材料/")
@handles_errors
def build(folder: Path, out_dir: Path, template: Path | None, pdf: bool, bundle: bool) -> int:
    """Build the report of FOLDER; exit 0 built, 1 built with problems, 2 could not build."""
    from ..build import build as run_build
    from ..errors import InputError

    if not folder.is_dir():
        raise InputError("填报文件夹不存在", file=folder, hint="请写 inputs/<账号>，如 inputs/whkjcyjq")
    try:
        result = run_build(folder, out_dir, template=template, pdf=pdf, bundle=bundle)
    except OSError as exc:
        # Typically the output folder is read-only or the file is open in Word on Windows.
        raise InputError(
            f"无法写入输出文件：{exc.strerror or exc}",
            file=exc.filename or out_dir,
            hint="请检查输出文件夹是否可写；如报告正在 Word/WPS 中打开，请先关闭",
        ) from None
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
