"""``reportsmith check PATH [--json] [--all]``: an inputs folder, a submitted .docx, or a folder of them."""

from __future__ import annotations

from pathlib import Path

import click

from reportsmith.core.errors import InputError
from ._common import emit_json, handles_errors


def _is_submission(path: Path) -> bool:
    # .doc / .wps are submissions too: the reader refuses them with "请另存为 .docx".
    from reportsmith.checks.submitted import SUBMITTED_SUFFIXES

    return path.suffix.lower() in SUBMITTED_SUFFIXES and not path.name.startswith("~$")


def _kind(path: Path) -> str:
    """``inputs`` (a folder with report.yaml), ``docx`` (one file) or ``docx-folder``."""
    if path.is_file() and path.name == "report.yaml":
        return "inputs"
    if path.is_file() and _is_submission(path):
        return "docx"
    if path.is_dir():
        if (path / "report.yaml").is_file():
            return "inputs"
        if any(_is_submission(p) for p in path.iterdir() if p.is_file()):
            return "docx-folder"
        raise InputError(
            "文件夹中既没有 report.yaml，也没有 .docx 文件",
            file=path,
            hint="检查填报文件夹请指向 inputs/账号；检查报送的 Word 稿请指向 .docx 文件或存放它们的文件夹",
        )
    if not path.exists():
        raise InputError("路径不存在", file=path, hint="请检查路径，例如 reportsmith check inputs/whkjcyjq")
    if path.suffix.lower() in (".yaml", ".yml"):
        raise InputError(
            "只能检查名为 report.yaml 的正文文件（统计报表和佐证材料随它所在的文件夹一起检查）",
            file=path,
            hint="请把正文改名为 report.yaml 放在 inputs/账号/ 中，再检查该文件夹；单独校验统计报表用 reportsmith form validate",
        )
    raise InputError(
        f"无法检查{' ' + path.suffix + ' ' if path.suffix else '该类型的'}文件",
        file=path,
        hint="请指定填报文件夹（含 report.yaml）、.docx 文件或存放 .docx 的文件夹；.doc 请先另存为 .docx",
    )


@click.command("check")
@click.argument("path", type=click.Path(path_type=Path), metavar="PATH")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出检查结果")
@click.option("--all", "show_all", is_flag=True, help="列出全部提示（默认提示较多时只显示条数）")
@click.option("--annotate", is_flag=True, help="把每条检查意见作为批注写入 Word 文档的副本（只用于 .docx）")
@click.option("-o", "--out", "out", type=click.Path(path_type=Path), metavar="文件",
              help="--annotate 写出的文件，默认为原文件名加“_批注”")
@handles_errors
def check(path: Path, as_json: bool, show_all: bool, annotate: bool, out: Path | None) -> int:
    """检查总结报告：提纲覆盖、字数、统计报表与佐证材料。

    PATH 可以是填报文件夹（inputs/账号，含 report.yaml），也可以是报送的 .docx 文件
    或存放多个 .docx 的文件夹。报送的 .docx 还检查版式（纸张、页边距、字体字号、行距、页码）。
    加 --annotate 时，把检查意见作为批注写入 .docx 的副本（-o 指定文件名），原文不变。
    退出码：0 通过，1 发现问题，2 文件无法读取。
    """
    from . import _checkfmt as fmt
    kind = _kind(path)
    if out is not None and not annotate:
        raise InputError("-o 只与 --annotate 一起使用", file=out, hint="例如：reportsmith check 报告.docx --annotate -o 报告_批注.docx")
    if annotate:
        return _annotate(path, kind, out, as_json, show_all)
    if kind == "docx-folder":
        from reportsmith.checks.submitted import check_folder

        outcomes = check_folder(path)
        if as_json:
            emit_json(fmt.many_json(outcomes))
        else:
            fmt.print_many(outcomes, show_all=show_all)
        return fmt.many_exit_code(outcomes)
    if kind == "docx":
        from reportsmith.checks.submitted import check_docx

        result = check_docx(path)
    else:
        from reportsmith.report.pipeline import check_inputs

        result = check_inputs(path.parent if path.is_file() else path)
    if as_json:
        emit_json(fmt.result_json(result))
    else:
        fmt.print_result(result, show_all=show_all)
    return result.exit_code


def _annotate(path: Path, kind: str, out: Path | None, as_json: bool, show_all: bool) -> int:
    from reportsmith.checks.annotate import annotate_docx

    from . import _checkfmt as fmt

    if kind != "docx" or path.suffix.lower() != ".docx":
        raise InputError(
            "--annotate 只能用于一个 .docx 文件",
            file=path,
            hint="例如：reportsmith check 报送/武汉.docx --annotate -o 报送/武汉_批注.docx；.doc/.wps 请先另存为 .docx",
        )
    out = out or path.with_name(f"{path.stem}_批注.docx")
    if out.suffix.lower() != ".docx":
        raise InputError("批注文件须以 .docx 结尾", file=out, hint=f"例如：-o {path.stem}_批注.docx")
    if out.resolve() == path.resolve():
        raise InputError("批注文件不能覆盖原文件", file=out, hint=f"请另取文件名，例如：-o {path.stem}_批注.docx")
    done = annotate_docx(path, out)
    if as_json:
        emit_json({**fmt.result_json(done.result), "annotated": str(done.out), "comments": len(done.anchors)})
    else:
        fmt.print_result(done.result, show_all=show_all)
        click.echo(f"已写出批注文件：{done.out}（{len(done.anchors)} 条批注）")
    return done.result.exit_code
