"""Turn a Word draft into report.yaml: the text under each detected heading, paragraphs kept.

Nothing is dropped: text that belongs to no heading (before the first heading, the
signature, appendices, tables after the text, text boxes, footnotes) is written at the
end of the file in a comment block headed ``未归类``, with a warning, so the file still
loads and the writer moves it by hand. Figures stay as written; a literal ``{{`` in the
draft is written as ``\\{{`` so that building prints it unchanged.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .docxlayout import Layout, detect
from .docxread import Paragraph, read_docx
from .errors import Finding, InputError, Severity
from .outline import headings
from .registry import get_cluster
from .submitted import guess_cluster

__all__ = ["import_docx", "to_yaml_block"]

_YEAR = re.compile(r"(20\d\d)\s*年")
_DATE = re.compile(r"^\s*(20\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$")
# Characters a literal block cannot hold as they are (YAML's non-printables, extra line breaks, BOM).
_UNSAFE_BLOCK = re.compile(r"[^\x09\x0A\x20-\x7E\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]|[\x85\u2028\u2029\ufeff]")


def _escape_figures(text: str) -> str:
    # In report.yaml "{{ 名称 }}" is a figure expression; text typed in Word is literal.
    return text.replace("{{", "\\{{")


def _para_text(paras: list[Paragraph]) -> list[str]:
    """Paragraph texts; a table becomes one paragraph per row, cells separated by " | "."""
    out: list[str] = []
    row_key = None
    for p in paras:
        if not p.text.strip():
            row_key = None
            continue
        key = (p.table, p.cell[0]) if p.in_table and p.cell else None
        if key is not None and key == row_key:
            out[-1] += " | " + p.text
        else:
            out.append(p.text)
        row_key = key
    return [_escape_figures(t) for t in out]


def to_yaml_block(key: str, text: str, indent: int = 0, step: int = 2) -> str:
    """``key: |-`` and ``text`` as a literal block (a quoted scalar when a block cannot hold it exactly).

    >>> print(to_yaml_block("一、集群总体情况", "第一段\\n\\n第二段"), end="")
    一、集群总体情况: |-
      第一段
    <BLANKLINE>
      第二段
    """
    key_text = yaml.safe_dump(key, allow_unicode=True, width=10**9).strip().removesuffix("...").strip()
    lead, pad = " " * indent, " " * (indent + step)
    lines = text.split("\n")
    safe = text and not _UNSAFE_BLOCK.search(text) and "\r" not in text and not text.startswith("\n")
    if safe and not any(ln.endswith((" ", "\t")) for ln in lines):
        # An explicit indentation indicator keeps leading spaces of the first line.
        indicator = str(step) if lines[0][:1] in (" ", "\t") else ""
        chomp = "+" if text.endswith("\n") else "-"
        body = "\n".join(pad + ln if ln else "" for ln in (lines[:-1] if text.endswith("\n") else lines))
        block = f"{lead}{key_text}: |{indicator}{chomp}\n{body}\n"
        try:
            same = yaml.safe_load(block.replace("\n" + lead, "\n").removeprefix(lead) if lead else block) == {key: text}
        except yaml.YAMLError:
            same = False
        if same:
            return block
    quoted = yaml.safe_dump({key: text}, allow_unicode=True, default_style='"', width=10**9)
    return lead + quoted.rstrip("\n").replace("\n", "\n" + lead) + "\n"


def _comment_block(title: str, text: str) -> list[str]:
    return [f"# 【{title}】"] + [("# " + ln) if ln else "#" for ln in text.split("\n")]


def _year(layout: Layout) -> int | None:
    for p in layout.title + layout.content.paragraphs[:10]:
        m = _YEAR.search(p.text)
        if m:
            return int(m.group(1))
    return None


def import_docx(path: Path, account: str | None) -> tuple[str, list[Finding]]:
    """Read a Word draft and return (report.yaml text, findings).

    The account comes from ``account`` or from the cluster name in the draft's title;
    :class:`InputError` when neither gives one.
    """
    path = Path(path)
    file = str(path)
    layout = detect(read_docx(path))
    findings: list[Finding] = []
    guessed = guess_cluster(layout)
    if account:
        cluster = get_cluster(account)
        if guessed and guessed.account != cluster.account:
            findings.append(Finding(
                Severity.WARNING, "import.account_mismatch",
                f"题目中的集群是“{guessed.name}”（{guessed.account}），与指定的账号 {account} 不一致", file=file,
                hint="请确认 --account 是否正确",
            ))
    elif guessed:
        cluster = guessed
    else:
        raise InputError("无法从初稿题目判断是哪个集群", file=file, hint="请用 --account 指定账号，例如 --account whkjcyjq")
    if not layout.found:
        findings.append(Finding(
            Severity.WARNING, "import.no_headings", "初稿中没有找到附件3的标题，全部文字放在“未归类”中", file=file,
            hint="请在初稿中写出“一、集群总体情况”等标题后重新导入，或手工把文字移到各标题下",
        ))
    year = _year(layout)
    lines = ["# 由 reportsmith import 从 Word 初稿导入：" + path.name, f"cluster: {cluster.account}"]
    if year is None:
        findings.append(Finding(Severity.WARNING, "import.year", "初稿中没有找到年度，year 未填写", file=file, hint="请在 report.yaml 中填写 year: 2024"))
        lines.append("year:  # 请填写报告年度，例如 2024")
    else:
        lines.append(f"year: {year}")
    date = next((m for p in layout.signature if (m := _DATE.match(p.text))), None)
    if date:
        lines.append(f"date: {int(date.group(1)):04d}-{int(date.group(2)):02d}-{int(date.group(3)):02d}")
    lines.append("sections:")
    for h in headings():
        found = layout.heading(h.title)
        paras = _para_text(layout.body.get(h.title, []))
        if found is None or not paras:
            note = "初稿中没有找到这个标题" if found is None else "初稿中这个标题下没有文字"
            lines.append(f"  {h.numbered}:  # {note}")
            continue
        lines.append(to_yaml_block(h.numbered, "\n\n".join(paras), 2).rstrip("\n"))
        if any(p.in_table for p in layout.body[h.title]):
            findings.append(Finding(Severity.INFO, "import.table", f"“{h.numbered}”下的表格已按行转为文字（单元格以“ | ”分隔）", file=file, key=h.numbered))
    unclassified = _unclassified(layout)
    if unclassified:
        lines.append("")
        lines.append("# ==== 未归类 ====")
        lines.append("# 以下文字未能归入附件3的标题，未写入报告。请移到合适的标题下（去掉行首的“# ”），或删除。")
        for title, text in unclassified:
            lines.extend(_comment_block(title, text))
        findings.append(Finding(
            Severity.WARNING, "import.unclassified",
            f"有 {len(unclassified)} 处文字未能归入标题（{'、'.join(t for t, _ in unclassified)}），已放在文件末尾“未归类”注释中",
            file=file, hint="请打开 report.yaml 把这些文字移到合适的标题下",
        ))
    if layout.title:
        findings.append(Finding(Severity.INFO, "import.title", f"题目“{layout.title[0].text.strip()}”未导入，生成报告时按集群名称和年度自动生成", file=file))
    return "\n".join(lines) + "\n", findings


def _unclassified(layout: Layout) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for label, paras in (("标题前的文字", layout.preamble), ("落款", layout.signature), ("附件", layout.appendix), ("文末表格", layout.trailing_tables)):
        texts = _para_text(paras)
        if texts:
            out.append((label, "\n\n".join(texts)))
    for i, box in enumerate(layout.content.text_boxes, 1):
        out.append((f"文本框 {i}", box))
    for i, note in enumerate(layout.content.footnotes + layout.content.endnotes, 1):
        out.append((f"脚注 {i}", note))
    return out
