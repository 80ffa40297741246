"""``reportsmith export-all [INPUTS] -o 全部材料.zip [--pdf] [--no-compendium] [--jobs N]``."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import handles_errors, out


@click.command("export-all")
@click.argument("inputs", default="inputs", type=click.Path(path_type=Path), metavar="[INPUTS]")
@click.option("-o", "--out", "zip_file", required=True, type=click.Path(path_type=Path), metavar="文件",
              help="导出的压缩包（.zip），例如 全部材料.zip")
@click.option("--pdf", is_flag=True, help="各报告和汇编同时生成 PDF（需要 LibreOffice）")
@click.option("--no-compendium", is_flag=True, help="不生成汇编（更快）")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="并行进程数（默认：CPU 核数）")
@handles_errors
def export_all(inputs: Path, zip_file: Path, pdf: bool, no_compendium: bool, jobs: int | None) -> int:
    """把全部集群的报告、汇总表、全省合计、图表、汇编和佐证材料打包为一个 zip。

    压缩包中的 manifest.json 列出每个文件的路径、大小和 SHA-256。
    退出码：0 已导出；1 已导出但有集群存在问题或未提交、或有材料未能打包；2 无法导出。
    """
    from reportsmith.batch.export import export_all as run

    result = run(inputs, zip_file, pdf=pdf, jobs=jobs, compendium=not no_compendium)
    out(f"已导出：{result.path}（{len(result.files)} 个文件，清单见压缩包中的 manifest.json）")
    out(f"各集群：{result.counts}")
    for f in result.findings:
        click.echo(f"{f.severity.label}：{f.text()}", err=True)
    return 1 if result.batch_exit or any(f.is_problem for f in result.findings) else 0
