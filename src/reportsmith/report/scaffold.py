"""Start a cluster's input folder: report.yaml, form.yaml (or form.xlsx) and evidence.yaml.

The texts are built here as plain strings (comments are the point of a scaffold, and a
YAML dumper would drop them); :func:`scaffold` writes only files that do not exist yet.
A fresh scaffold loads cleanly: checking it reports every topic as missing and nothing
else wrong.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from reportsmith.form import spec as formspec

from reportsmith.outline import headings as outline
from reportsmith.outline.report_input import DATA_MARKER
from reportsmith.core.atomic import write_text
from reportsmith.registry.clusters import Cluster, get_cluster

SCHEMA_FILES = {"report": "report.schema.json", "form": "form.schema.json", "evidence": "evidence.schema.json"}


@dataclass
class ScaffoldResult:
    """The folder started, the files written and the existing files left untouched."""

    folder: Path
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


def _schema_line(schema_ref: str | None, kind: str) -> list[str]:
    if schema_ref is None:
        return []
    return [f"# yaml-language-server: $schema={schema_ref.rstrip('/')}/{SCHEMA_FILES[kind]}"]


def _per_topic(heading: outline.Heading) -> int:
    # Round to tens: a suggestion, not a quota.
    return max(10, round(heading.budget / max(1, len(heading.topics)) / 10) * 10)


def _data_sentence_lines(title: str, sentences: dict[str, list[str]] | None) -> list[str]:
    """The comment lines introducing a heading's data sentences and its ``{{ 数据句 }}`` line."""
    from reportsmith.compute.highlights import snippets

    if sentences is not None and sentences.get(title):
        shown = ["    # 按目前的统计报表，这些数据句是："] + [f"    #   {t}" for t in sentences[title]]
    else:
        names = list(dict.fromkeys(n for s in snippets() if s.heading == title for n in s.needs))
        shown = [f"    # 数据句按统计报表写明：{'、'.join(names)}等（统计报表填好后生成，未填的不写）"]
    return [
        f"    # 下面的 {DATA_MARKER} 一行：生成报告时在这里印出根据统计报表自动生成的数据句。",
        *shown,
        "    # 可以保留这一行、把它移到正文中合适的位置（单独占一行），或删去（数据句改放在正文之前）；",
        f"    # 不要数据句时在文件开头的 data_sentences 中写“{title}: 关”。正文已写明的数字，数据句不再重复。",
    ]


def report_yaml_text(
    cluster: Cluster, year: int, schema_ref: str | None = None, sentences: dict[str, list[str]] | None = None
) -> str:
    """report.yaml with every heading of 附件3 and each topic as a prompt comment; a heading
    with data sentences holds the ``{{ 数据句 }}`` line, ready to keep (``sentences``: the data
    sentences of an already filled form, shown in the comment)."""
    from reportsmith.compute.highlights import headings as highlight_headings

    with_data = set(highlight_headings())
    rule = outline.length_rule()
    lines = _schema_line(schema_ref, "report") + [
        f"# {cluster.name}{year}年度总结报告（按附件3提纲填写）",
        "# 写法：在标题后写“|”，换行后缩进两格书写正文；空一行为分段。",
        "# 也可以在标题下按“内容项: |”分别书写（内容项名称见各标题下的提示），检查时记为已涉及。",
        "# 正文中可写 {{ 营业收入 | 亿元 }} 等指标表达式，自动从 form.yaml 取数（reportsmith highlights 列出可用名称）。",
        f"# 全文（各级标题及正文，不含题目和附件）约 {rule.target} 字；检查：reportsmith check 本文件夹",
        f"cluster: {cluster.account}",
        f"year: {year}",
        "# date: 2025-01-15        # 报告日期（可选），显示在题目下一行",
        f"# 数据句：带 {DATA_MARKER} 一行的标题，生成报告时在该行印出根据统计报表自动生成的句子；",
        "# 各标题的开关（可选）：",
        "# data_sentences:",
        "#   集群发展成效: 关           # 开（默认）/ 关",
        "sections:",
    ]
    # The prompts stand above each heading's key: a comment inside a "|" block would be text.
    for h in outline.headings():
        lines.append("")
        if h.is_container:
            lines.append("  # （可选）一段简短的引言；本部分内容写在下面（一）至（四）四个子标题下。")
            lines.append(f"  {h.numbered}:")
            continue
        lines += [f"  # 附件3要求：{h.requirement}", f"  # 建议约 {h.budget} 字。应涉及的内容项："]
        lines += [f"  #   - {t.name}（约 {_per_topic(h)} 字）" for t in h.topics]
        if h.title in with_data:
            lines += [p[2:] for p in _data_sentence_lines(h.title, sentences)]
            lines += [f"  {h.numbered}: |", f"    {DATA_MARKER}"]
        else:
            lines.append(f"  {h.numbered}:")
    return "\n".join(lines) + "\n"


def form_yaml_text(cluster: Cluster, year: int, schema_ref: str | None = None) -> str:
    """form.yaml with every row of 附件2 and an empty value (empty = 未填)."""
    lines = _schema_line(schema_ref, "form") + [
        f"# {year}年度创新型产业集群统计报表（附件2）",
        f"# 集群名称：{cluster.name}（{cluster.code}）",
        f"# 集群单位名称（依托单位）：{cluster.units_text}",
        "# 每行一个指标：在冒号后填写数值；不填表示“未填”（不会当作 0）。金额单位为万元。",
        "# 检查：reportsmith check 本文件夹（或 reportsmith form validate form.yaml）",
        f"cluster: {cluster.account}",
        f"year: {year}",
    ]
    section = None
    for row in formspec.form_rows():
        if row.section != section:
            section = row.section
            lines.append(f"# {section}")
        if row.header:
            if row.label != row.section:
                lines.append(f"# {row.label}")
            continue
        note = f"单位：{row.unit}" if row.unit else ""
        if row.label != row.key:
            note += f"；原表：{row.label}"
        lines.append(f"{row.key}:{' ' * 2}# {note}" if note else f"{row.key}:")
    lines += [
        "# 上年数据（可选，用于同比）：",
        "# previous:",
        "#   营业收入: 0",
    ]
    return "\n".join(lines) + "\n"


def evidence_yaml_text(cluster: Cluster, year: int, schema_ref: str | None = None) -> str:
    """evidence.yaml skeleton: empty lists, with a commented example of each entry."""
    lines = _schema_line(schema_ref, "evidence") + [
        f"# {cluster.name}{year}年度佐证材料名单（附件2 四（一）（二）附名单；附件3 六.2）",
        "# 文件路径相对于本文件夹，建议放在 evidence/ 子文件夹中；支持 PDF、OFD、JPG、PNG、DOCX、XLSX。",
        "# 检查：reportsmith evidence 本文件夹",
        f"cluster: {cluster.account}",
        f"year: {year}",
        "机构: []",
        "# 填写时把上一行改为“机构:”，逐项列出（删去行首的 #）：",
        "#  - 名称: 光谷创业孵化器",
        "#    类别: 省级及以上科技企业孵化器   # 附件2 四（一）（二）的指标名称",
        "#    级别: 国家级                   # 国家级 / 省级 / 市级 / 其他",
        "#    文号: 国科发区〔2023〕12号      # 可选",
        "#    文件: evidence/孵化器认定.pdf",
        "规划: []",
        "#  - 名称: 《XX市国民经济和社会发展第十四个五年规划纲要》",
        "#    文件: evidence/规划节选.pdf",
        "政策: []",
        "#  - 名称: 《关于支持XX产业集群高质量发展的若干措施》",
        "#    文件: evidence/政策.pdf",
    ]
    return "\n".join(lines) + "\n"


def _current_sentences(folder: Path) -> dict[str, list[str]] | None:
    """The data sentences of a form already filled in ``folder`` (shown in the new report.yaml),
    or None when there is none or it cannot be read."""
    from reportsmith.compute.highlights import section_sentences
    from reportsmith.core.errors import ReportsmithError
    from reportsmith.form.load import load_form
    from reportsmith.report.pipeline import form_path

    path = form_path(folder) if folder.is_dir() else None
    if path is None or (folder / "report.yaml").exists():
        return None
    try:
        form, _ = load_form(path)
    except ReportsmithError:
        return None
    return section_sentences(form) if form.values else None


def schema_ref_for(folder: Path, schema_dir: Path | None) -> str | None:
    """The schema directory as seen from ``folder``: relative with forward slashes, as the YAML
    language server resolves it against the YAML file's own folder; a ``file:`` URI when no
    relative path exists (another drive on Windows).

    >>> schema_ref_for(Path("inputs/whkjcyjq"), Path("schemas"))
    '../../schemas'
    """
    if schema_dir is None:
        return None
    target = Path(schema_dir).resolve()
    try:
        rel = os.path.relpath(target, Path(folder).resolve())
    except ValueError:
        return target.as_uri()
    return rel.replace(os.sep, "/")


def scaffold(
    account: str, out_dir: Path, *, year: int = 2024, xlsx: bool = False, schema_dir: Path | None = None
) -> ScaffoldResult:
    """Create ``out_dir/<account>/`` with the three input files; existing files are kept.

    >>> scaffold("whkjcyjq", Path("inputs")).written  # doctest: +SKIP
    """
    cluster = get_cluster(account)
    folder = Path(out_dir) / cluster.account
    ref = schema_ref_for(folder, schema_dir)
    result = ScaffoldResult(folder)
    texts = {
        "report.yaml": report_yaml_text(cluster, year, ref, _current_sentences(folder)),
        "evidence.yaml": evidence_yaml_text(cluster, year, ref),
    }
    if not xlsx:
        texts["form.yaml"] = form_yaml_text(cluster, year, ref)
    for name, text in texts.items():
        path = folder / name
        if path.exists():
            result.kept.append(path)
        else:
            write_text(path, text)
            result.written.append(path)
    if xlsx:
        path = folder / "form.xlsx"
        if path.exists() or (folder / "form.yaml").exists():
            # form.yaml would be read before form.xlsx: keep whichever form the writer already has.
            result.kept.append(path if path.exists() else folder / "form.yaml")
        else:
            from reportsmith.form.xlsx import write_xlsx

            write_xlsx(path, cluster.account, year=year)
            result.written.append(path)
    result.written.sort()
    result.kept.sort()
    return result
