"""``reportsmith schema [-o DIR] [--only report|form|evidence]``: JSON Schemas of the input files."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import handles_errors, out

_KINDS = ("report", "form", "evidence")


@click.command("schema")
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="写入该文件夹（report.schema.json、form.schema.json、evidence.schema.json）；省略时输出到屏幕")
@click.option("--only", type=click.Choice(_KINDS), default=None, help="只输出一个文件的 Schema")
@handles_errors
def schema(out_dir: Path | None, only: str | None) -> int:
    """输出填报文件（report.yaml、form.yaml、evidence.yaml）的 JSON Schema。

    在 YAML 文件首行写“# yaml-language-server: $schema=路径”，VS Code 等编辑器即可自动补全和校验；
    reportsmith init 生成的文件已带有这一行。
    """
    from reportsmith.report import schema as schema_mod
    from reportsmith.report.scaffold import SCHEMA_FILES

    if out_dir is not None:
        from reportsmith.core.errors import InputError, os_error_reason

        try:
            written = schema_mod.write_schemas(out_dir, only)
        except OSError as exc:
            raise InputError(f"无法写入 Schema 文件：{os_error_reason(exc)}", file=exc.filename or out_dir,
                             hint="请检查 -o 指定的文件夹是否可写；它不能是一个已有的文件") from None
        for path in written:
            out(f"已写入：{path}")
        return 0
    all_schemas = schema_mod.schemas()
    click.echo(schema_mod.dumps(all_schemas[SCHEMA_FILES[only]] if only else all_schemas), nl=False)
    return 0
