"""Turn a Word draft into report.yaml: the text under each detected heading, paragraphs kept.

Nothing is dropped: text that belongs to no heading (before the first heading, the
signature, appendices, tables after the text, text boxes, footnotes) is written under
the top-level key ``未归类`` (label → text), with a warning; report.yaml keeps it without
printing it, and ``reportsmith check`` reminds the writer to move or delete it. Only the
title line is not kept: the report's title is generated from the cluster and the year.
Figures stay as written; a literal ``{{`` in the draft is written as ``\\{{`` so that
building prints it unchanged, also after the writer moves text out of 未归类.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from reportsmith.checks.headings import Layout, detect
from reportsmith.docx.read import Paragraph, read_docx
from reportsmith.core.errors import Finding, InputError, Severity
from reportsmith.outline.headings import headings
from reportsmith.registry.clusters import Cluster, get_cluster
from reportsmith.outline.report_input import UNCLASSIFIED_KEY
from reportsmith.checks.submitted import guess_cluster

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
    cluster = _cluster(layout, account, file, findings)
    lines = _header(layout, path.name, cluster.account, file, findings)
    lines += _section_lines(layout, file, findings)
    lines += _unclassified_lines(layout, file, findings)
    if layout.title:
        findings.append(Finding(Severity.INFO, "import.title", f"题目“{layout.title[0].text.strip()}”未导入（留在文件开头的注释中），生成报告时按集群名称和年度自动生成", file=file))
    return "\n".join(lines) + "\n", findings


def _cluster(layout: Layout, account: str | None, file: str, findings: list[Finding]) -> Cluster:
    guessed = guess_cluster(layout)
    if not account:
        if guessed is None:
            raise InputError("无法从初稿题目判断是哪个集群", file=file, hint="请用 --account 指定账号，例如 --account whkjcyjq")
        return guessed
    try:
        cluster = get_cluster(account)
    except InputError as exc:  # name the option the user typed, not report.yaml's key
        raise InputError(exc.message, key="--account", hint=exc.hint) from None
    if guessed and guessed.account != cluster.account:
        findings.append(Finding(
            Severity.WARNING, "import.account_mismatch",
            f"题目中的集群是“{guessed.name}”（{guessed.account}），与指定的账号 {account} 不一致", file=file,
            hint="请确认 --account 是否正确",
        ))
    return cluster


def _header(layout: Layout, name: str, account: str, file: str, findings: list[Finding]) -> list[str]:
    """The comment lines, cluster, year and date."""
    lines = ["# 由 reportsmith import 从 Word 初稿导入：" + name]
    # The title is generated on build; keep the draft's own title lines visible, not lost.
    lines += [f"# 初稿题目：{_UNSAFE_BLOCK.sub(' ', ln)}" for p in layout.title for ln in p.text.split("\n") if ln.strip()]
    lines.append(f"cluster: {account}")
    year = _year(layout)
    if year is None:
        findings.append(Finding(Severity.WARNING, "import.year", "初稿中没有找到年度，year 未填写", file=file, hint="请在 report.yaml 中填写 year: 2024"))
        lines.append("year:  # 请填写报告年度，例如 2024")
    else:
        lines.append(f"year: {year}")
    date = next((m for p in layout.signature if (m := _DATE.match(p.text))), None)
    if date:
        lines.append(f"date: {int(date.group(1)):04d}-{int(date.group(2)):02d}-{int(date.group(3)):02d}")
    return lines


def _section_lines(layout: Layout, file: str, findings: list[Finding]) -> list[str]:
    """``sections:`` with every outline heading, its text as a literal block (or a note why empty)."""
    if not layout.found:
        findings.append(Finding(
            Severity.WARNING, "import.no_headings", f"初稿中没有找到附件3的标题，全部文字放在“{UNCLASSIFIED_KEY}”中", file=file,
            hint="请在初稿中写出“一、集群总体情况”等标题后重新导入，或手工把文字移到各标题下",
        ))
    lines = ["sections:"]
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
    return lines


def _unclassified_lines(layout: Layout, file: str, findings: list[Finding]) -> list[str]:
    """The 未归类 mapping (label → text) at the end of the file, with a warning; nothing when all fits."""
    unclassified = _unclassified(layout)
    if not unclassified:
        return []
    findings.append(Finding(
        Severity.WARNING, "import.unclassified",
        f"有 {len(unclassified)} 处文字未能归入标题（{'、'.join(t for t, _ in unclassified)}），已放在文件末尾的“{UNCLASSIFIED_KEY}”中",
        file=file, hint="请打开 report.yaml 把这些文字移到相应标题下，或删除",
    ))
    return [
        f"# 以下文字未能归入附件3的标题，生成报告时不会印出：请移到相应标题下，或删除；处理完后删除“{UNCLASSIFIED_KEY}:”这一项。",
        f"{UNCLASSIFIED_KEY}:",
        *(to_yaml_block(label, text, 2).rstrip("\n") for label, text in unclassified),
    ]


def _unclassified(layout: Layout) -> list[tuple[str, str]]:
    """(label, text) of everything outside the headings except the title, grouped by kind."""
    out: list[tuple[str, str]] = []
    for label, paras in (("标题前的文字", layout.preamble), ("落款", layout.signature), ("附件", layout.appendix), ("文末表格", layout.trailing_tables)):
        texts = _para_text(paras)
        if texts:
            out.append((label, "\n\n".join(texts)))
    for i, box in enumerate(layout.content.text_boxes, 1):
        out.append((f"文本框 {i}", _escape_figures(box)))
    for i, note in enumerate(layout.content.footnotes + layout.content.endnotes, 1):
        out.append((f"脚注 {i}", _escape_figures(note)))
    return out
