"""``reportsmith import DRAFT.docx -o inputs/<account>/report.yaml``: a Word draft to report.yaml."""

from __future__ import annotations

from pathlib import Path

import click

from reportsmith.core.errors import InputError, exit_code_for, os_error_reason
from ._common import handles_errors, out


@click.command("import")
@click.argument("draft", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", "output", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="写入的 report.yaml 路径，例如 inputs/whkjcyjq/report.yaml")
@click.option("--account", default=None, metavar="账号", help="集群账号；省略时从初稿题目中的集群名称判断")
@click.option("--force", is_flag=True, help="覆盖已存在的文件")
@handles_errors
def import_(draft: Path, output: Path, account: str | None, force: bool) -> int:
    """把 Word 初稿（.docx）转换为 report.yaml。

    各标题下的文字按段落写入；不能归入标题的文字放在文件末尾的“未归类”中，不会丢失。
    退出码：0 已写入；1 已写入，但有需要处理的警告（如“未归类”文字）；2 初稿无法读取或无法写入。
    """
    from reportsmith.core.atomic import write_text
    from reportsmith.report.importer import import_docx

    if output.suffix.lower() not in (".yaml", ".yml"):
        raise InputError("输出文件应为 .yaml 文件", file=output, hint="例如 -o inputs/whkjcyjq/report.yaml")
    if output.exists() and not force:
        raise InputError("文件已存在，未覆盖", file=output, hint="确需覆盖请加 --force；或用 -o 指定另一个文件名")
    text, findings = import_docx(draft, account)
    try:
        write_text(output, text)
    except OSError as exc:
        reason = os_error_reason(exc)
        raise InputError(
            f"无法写入 report.yaml：{reason}", file=output, hint="请换一个可写的输出路径，例如 -o inputs/whkjcyjq/report.yaml"
        ) from None
    out(f"已写入 {output}")
    # One line per finding: a table would cut the long messages that say where the text went.
    for f in findings:
        out(f"- {f.severity.label}：{f.text()}")
    return exit_code_for(findings)
