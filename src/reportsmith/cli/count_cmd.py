"""``reportsmith count [FILE|-] [--json]``: Word-compatible 字数 of a .txt, a .docx or stdin."""

from __future__ import annotations

import codecs
import sys
from pathlib import Path

import click

from reportsmith.core.errors import InputError, os_error_reason
from ._common import emit_json, handles_errors, out

# Formats that look like documents but that we cannot read: say so instead of counting bytes.
_UNSUPPORTED = {
    ".doc": "Word 97-2003", ".wps": "WPS", ".pdf": "PDF", ".odt": "OpenDocument", ".rtf": "RTF",
    ".xlsx": "Excel", ".xls": "Excel", ".et": "WPS 表格", ".pptx": "PowerPoint",
}

LABELS = {
    "zishu": "字数",
    "hanzi": "汉字",
    "chars_no_spaces": "字符数（不计空格）",
    "chars_with_spaces": "字符数（计空格）",
}


def read_text_source(source: str) -> str:
    """The text to count: stdin for ``-``, a .docx's main story, or a UTF-8 text file."""
    if source == "-":
        data = sys.stdin.buffer.read()
        return _decode(data, "标准输入")
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix in _UNSUPPORTED:
        raise InputError(
            f"不支持 {_UNSUPPORTED[suffix]} 格式（{suffix}）",
            file=path,
            hint="请在 Word 或 WPS 中另存为 .docx 后再统计",
        )
    if not path.exists():
        raise InputError("文件不存在", file=path, hint="请检查路径；统计标准输入请写 -")
    if path.is_dir():
        raise InputError("这是一个文件夹，不是文件", file=path, hint="请指定一个 .txt 或 .docx 文件")
    if suffix == ".docx":
        from reportsmith.docx.read import main_story_text

        return main_story_text(path)
    try:
        from reportsmith.core.limits import read_regular

        data = read_regular(path, "yaml")  # a text file: regular, within the size limit of a text input
    except OSError as exc:
        raise InputError(f"无法读取文件：{os_error_reason(exc)}", file=path) from None
    return _decode(data, str(path))


def _decode(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), or UTF-16 with its BOM (Notepad's "Unicode")."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"内容不是 UTF-8 编码的文字（第 {exc.start + 1} 个字节无法解码）",
            file=name,
            hint="GBK（ANSI）编码的文本请在记事本中“另存为”，编码选 UTF-8；或直接统计 .docx 文件",
        ) from None


@click.command("count")
@click.argument("source", default="-", metavar="[FILE|-]")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（键：zishu、hanzi、chars_no_spaces、chars_with_spaces）")
@handles_errors
def count(source: str, as_json: bool) -> int:
    """按 Word/WPS 的规则统计字数。

    FILE 可以是 .txt（UTF-8）或 .docx（统计正文和表格，不含页眉页脚、文本框、脚注和批注）；
    省略或写 - 时读取标准输入。
    """
    from reportsmith.checks.zishu import count as count_text

    counts = count_text(read_text_source(source))
    if as_json:
        emit_json(counts.to_json())
        return 0
    for key, label in LABELS.items():
        out(f"{label}：{getattr(counts, key)}")
    return 0
