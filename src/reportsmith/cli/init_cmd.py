"""``reportsmith init ACCOUNT [-o inputs/] [--xlsx]``: start a cluster's input folder."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import handles_errors, out


@click.command("init")
@click.argument("account")
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), default=Path("inputs"), show_default=True,
              help="在该文件夹下创建 账号/ 子文件夹")
@click.option("--xlsx", is_flag=True, help="统计报表生成 Excel 表（form.xlsx），而不是 form.yaml")
@click.option("--year", type=click.IntRange(2000, 2100), default=2024, show_default=True, help="报告年度")
@click.option("--schema-dir", type=click.Path(path_type=Path), default=Path("schemas"), show_default=True,
              help="JSON Schema 所在文件夹（由 reportsmith schema 生成），写入文件首行供编辑器自动补全")
@handles_errors
def init(account: str, out_dir: Path, xlsx: bool, year: int, schema_dir: Path) -> int:
    """为一个集群生成填报文件夹：report.yaml、form.yaml（或 form.xlsx）、evidence.yaml。

    已存在的文件不会被覆盖。
    """
    from reportsmith.core.errors import InputError, os_error_reason
    from reportsmith.report.scaffold import scaffold

    try:
        result = scaffold(account, out_dir, year=year, xlsx=xlsx, schema_dir=schema_dir)
    except OSError as exc:
        # A read-only folder, or a file where the folder should be.
        raise InputError(f"无法创建填报文件：{os_error_reason(exc)}", file=exc.filename or out_dir,
                         hint="请检查 -o 指定的文件夹是否可写，且其中没有与账号同名的文件") from None
    for p in result.written:
        out(f"已创建：{p}")
    for p in result.kept:
        out(f"已存在，未覆盖：{p}")
    out("")
    out("下一步：")
    out(f"  1. 按提示填写 {result.folder / 'report.yaml'} 中各标题下的正文（全文约 3500 字）；")
    out(f"  2. 填写统计报表 {result.folder / ('form.xlsx' if xlsx else 'form.yaml')}，在 evidence.yaml 中列出佐证材料；")
    out(f"  3. 运行 reportsmith check {result.folder} 检查。")
    if not (schema_dir / "report.schema.json").exists():
        out(f"  编辑器自动补全需要 JSON Schema：运行 reportsmith schema -o {schema_dir}")
    return 0
