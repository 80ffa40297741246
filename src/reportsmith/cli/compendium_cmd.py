"""``reportsmith compendium [INPUTS] -o 汇编.docx [--pdf] [--pdf-a] [--only-approved] [--only ACCOUNT…] [--jobs N]``."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import handles_errors, out


@click.command("compendium")
@click.argument("inputs", default="inputs", type=click.Path(path_type=Path), metavar="[INPUTS]")
@click.option("-o", "--out", "out_file", required=True, type=click.Path(path_type=Path), metavar="文件",
              help="汇编文件（.docx），例如 汇编.docx")
@click.option("--pdf", is_flag=True, help="同时生成 PDF（需要 LibreOffice）")
@click.option("--pdf-a", "pdf_a", is_flag=True, help="生成 PDF/A-2b 归档格式的 PDF（含 --pdf）")
@click.option("--only-approved", is_flag=True, help="只收录审核已通过的集群（INPUTS/review.yaml 中为“已通过”）")
@click.option("--only", multiple=True, metavar="ACCOUNT", help="只收录这些账号（可重复，或用逗号分隔）")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="并行进程数（默认：CPU 核数）")
@handles_errors
def compendium(inputs: Path, out_file: Path, pdf: bool, pdf_a: bool, only_approved: bool, only: tuple[str, ...], jobs: int | None) -> int:
    """把全部集群的总结报告汇编成一个 Word 文档：封面、目录（含页码）、各集群报告、全省汇总表和图表。

    报告按国家级在前、省级在后，各按附件1的序号排列，每份报告另起一页；页码连续。
    目录页码由 LibreOffice 排版后填写；未安装 LibreOffice 时页码显示为 0，Word 打开时会提示更新目录。
    退出码：0 已生成；1 已生成但有集群未收录或页码未填；2 无法生成。
    """
    from reportsmith.batch.compendium import build_compendium

    accounts = [a.strip() for item in only for a in item.split(",") if a.strip()] or None
    result = build_compendium(inputs, out_file, pdf=pdf, pdf_a=pdf_a, only_approved=only_approved, only=accounts, jobs=jobs)
    note = "目录页码已由 LibreOffice 排版填写" if result.pages is not None else "目录页码未填写"
    out(f"已生成汇编：{result.path}（收录 {len(result.titles)} 个集群，{note}）")
    if result.pdf:
        out(f"PDF：{result.pdf}")
    for cluster, why in result.left_out:
        out(f"未收录 {cluster.account} {cluster.name}：{why}")
    for f in result.findings:
        click.echo(f"{f.severity.label}：{f.text()}", err=True)
    problems = bool(result.left_out) or any(f.is_problem for f in result.findings)
    return 1 if problems else 0
