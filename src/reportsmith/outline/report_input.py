"""Read and validate ``report.yaml``: the writer's text for each heading of 附件3.

The file::

    cluster: whkjcyjq          # account from 附件1
    year: 2024
    date: 2025-01-15           # optional, shown under the title
    no_highlights: [集群发展成效] # optional: no automatic data sentences under these headings
    data_sentences:              # optional, per heading: 开 (default) / 关
      集群发展成效: 关
    sections:
      一、集群总体情况: |        # a numbering prefix is accepted
        第一段……

        第二段……               # a blank line separates paragraphs
      集群创新能力建设情况:       # or topic → text, marking those topics covered explicitly
        研发投入: |
          ……
      集群发展成效: |
        {{ 数据句 }}
        ……
    # A line that is only {{ 数据句 }} places the heading's data sentences there
    # (default: before the writer's text).
    未归类:                      # optional: text not (yet) under a heading, label → text;
      落款: |                    # kept but never printed, and reported by the check
        ……

Every problem of the file is reported at once, in one :class:`InputError` whose
``details`` list each problem with its line (exit code 2).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reportsmith.outline import headings as outline
from reportsmith.core.errors import Finding, InputError, Severity
from reportsmith.outline.headings import Heading
from reportsmith.registry.clusters import get_cluster
from reportsmith.core.textutil import suggestion
from reportsmith.core.yamlio import LineMap, load_yaml

# A topic key that holds text belonging to no particular topic (an intro, a bridge).
FREE_TOPIC = "其他"
# The top-level key for text that belongs to no heading yet (written by ``reportsmith import``).
UNCLASSIFIED_KEY = "未归类"
# The top-level key turning the data sentences of a heading on or off.
DATA_SENTENCES_KEY = "data_sentences"
ON_OFF = {"开": True, "关": False, True: True, False: False}
# A line of its own in a heading's text: the data sentences are printed there.
DATA_MARKER = "{{ 数据句 }}"
_MARKER_LINE = re.compile(r"^[ \t\u3000]*[{｛][{｛][ \t\u3000]*数据句[ \t\u3000]*[}｝][}｝][ \t\u3000]*$", re.M)


def split_at_marker(text: str) -> list[str]:
    """``text`` cut at each line that is only the data-sentence marker ``{{ 数据句 }}``.

    >>> split_at_marker("开头\n{{ 数据句 }}\n结尾")
    ['开头\n', '\n结尾']
    """
    return _MARKER_LINE.split(text)
# The top-level key where a writer switches wording checks off for this report: rule id → reason.
DISABLED_CHECKS_KEY = "关闭检查"


@dataclass(frozen=True)
class TextBlock:
    """Writer text, raw (figure expressions not yet filled); ``topic`` when keyed."""

    topic: str | None
    text: str


@dataclass
class SectionInput:
    heading: Heading
    blocks: list[TextBlock] = field(default_factory=list)
    line: int | None = None

    @property
    def has_marker(self) -> bool:
        """The writer placed the data sentences with a ``{{ 数据句 }}`` line."""
        return any(len(split_at_marker(b.text)) > 1 for b in self.blocks)

    @property
    def keyed_topics(self) -> frozenset[str]:
        """Topics the writer used as keys and wrote something under."""
        return frozenset(b.topic for b in self.blocks if b.topic and b.text.strip())


@dataclass
class ReportInput:
    cluster: str
    year: int
    date: dt.date | None
    no_highlights: frozenset[str]
    sections: dict[str, SectionInput]  # heading title → section, in outline order
    source: str
    # Text kept under 未归类 (label → text, non-empty only): not printed, reported by the check.
    unclassified: dict[str, str] = field(default_factory=dict)
    unclassified_line: int | None = None
    # Heading title → data sentences on (True) or off (False), as set under data_sentences.
    data_sentences: dict[str, bool] = field(default_factory=dict)
    # Wording checks switched off (rule or family id → the writer's reason), see checks/wording.py.
    disabled_checks: dict[str, str] = field(default_factory=dict)
    disabled_checks_line: int | None = None

    def highlights_on(self, title: str) -> bool:
        """Whether the data sentences of heading ``title`` are printed (on unless turned off)."""
        return self.data_sentences.get(title, title not in self.no_highlights)


class ReportFile(BaseModel):
    """The top level of report.yaml as written (sections are checked by hand for better messages)."""

    model_config = ConfigDict(extra="forbid")
    cluster: str
    year: int
    date: dt.date | None = None
    no_highlights: list[str] = []
    data_sentences: dict[Any, Any] | None = None  # checked by hand for better messages
    sections: dict[Any, Any] | None = None
    unclassified: Any = Field(None, alias=UNCLASSIFIED_KEY)  # checked by hand for better messages
    disabled_checks: Any = Field(None, alias=DISABLED_CHECKS_KEY)  # checked by hand for better messages


TOP_KEYS = tuple(f.alias or name for name, f in ReportFile.model_fields.items())

_BLANK_LINE = re.compile(r"\n[ \t\u3000]*\n")
_EDGE_SPACE = " \t\u3000\r"


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of a block: a blank line separates paragraphs, a single newline stays a line break.

    Leading and trailing spaces (also full-width ones typed as an indent) are removed,
    because the template indents paragraphs itself.

    >>> split_paragraphs("第一段\\n续行\\n\\n　　第二段\\n")
    ['第一段\\n续行', '第二段']
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = []
    for chunk in _BLANK_LINE.split(text):
        lines = [ln.strip(_EDGE_SPACE) for ln in chunk.split("\n")]
        para = "\n".join(ln for ln in lines if ln)
        if para:
            paragraphs.append(para)
    return paragraphs


@dataclass
class _Problems:
    file: str
    lines: LineMap
    items: list[tuple[int | None, str, str | None, str]] = field(default_factory=list)

    def add(self, path: tuple, message: str, hint: str | None = None) -> None:
        key = ".".join(str(p) for p in path) if path else None
        self.items.append((self.lines.line(*path) if path else None, message, hint, key or ""))

    def raise_if_any(self) -> None:
        if not self.items:
            return
        self.items.sort(key=lambda i: (i[0] or 0))
        if len(self.items) == 1:
            line, message, hint, key = self.items[0]
            raise InputError(message, file=self.file, line=line, key=key or None, hint=hint)
        details = []
        for line, message, hint, key in self.items:
            where = f"第 {line} 行" if line else "文件"
            details.append(f"{where}{' ' + key if key else ''}：{message}" + (f"（{hint}）" if hint else ""))
        raise InputError(
            f"发现 {len(self.items)} 处问题，请逐条修改",
            file=self.file,
            line=self.items[0][0],
            details=details,
        )


_PYDANTIC_MESSAGES = {
    "missing": ("缺少必填项", None),
    "string_type": ("应为文字", None),
    "int_type": ("应为整数年份", "例如 year: 2024"),
    "int_parsing": ("应为整数年份", "例如 year: 2024"),
    "int_from_float": ("应为整数年份", "例如 year: 2024"),
    "list_type": ("应为列表", "例如 no_highlights: [集群发展成效]"),
    "dict_type": ("应为“标题: 文字”的映射", "每个标题占一行，标题后写冒号和“|”，正文换行缩进书写"),
}


def _translate(exc: ValidationError, problems: _Problems) -> None:
    for err in exc.errors():
        loc = tuple(err["loc"])
        kind = err["type"]
        name = str(loc[0]) if loc else ""
        if len(loc) == 2 and isinstance(loc[1], int):
            name = f"{name} 的第 {loc[1] + 1} 项"
        if kind == "extra_forbidden":
            problems.add(loc, f"未知的键“{name}”", suggestion(name, TOP_KEYS) + f"可用的键：{'、'.join(TOP_KEYS)}")
        elif kind.startswith("date") or name == "date":
            problems.add(loc, "日期格式不正确", "请写成 YYYY-MM-DD，例如 date: 2025-01-15")
        elif kind == "missing":
            problems.add((), f"缺少必填项“{name}”", f"请在文件开头加上“{name}: …”")
        else:
            message, hint = _PYDANTIC_MESSAGES.get(kind, (err["msg"], None))
            problems.add(loc, f"{name}{message}" if " " in name else f"“{name}”{message}", hint)


def _check_sections(raw: dict[str, Any], problems: _Problems) -> dict[str, SectionInput]:
    found: dict[str, SectionInput] = {}
    titles = [h.title for h in outline.headings()]
    for key, value in raw.items():
        path = ("sections", key)
        heading = outline.find_heading(str(key))
        if heading is None:
            problems.add(path, f"未知的标题“{key}”", suggestion(outline.strip_numbering(str(key)), titles) + "标题须与附件3一致")
            continue
        if heading.title in found:
            problems.add(path, f"标题“{heading.title}”出现了两次", "请合并为一处")
            continue
        section = SectionInput(heading, [], problems.lines.line(*path))
        found[heading.title] = section
        if value is None:
            continue
        if isinstance(value, str):
            section.blocks.append(TextBlock(None, value))
        elif isinstance(value, dict):
            _check_topics(heading, value, section, problems, path)
        else:
            problems.add(
                path,
                f"标题“{heading.title}”下的内容应为文字，或“内容项: 文字”的映射（现在是{_type_name(value)}）",
                "在标题后写“|”，换行后缩进书写正文",
            )
    order = {t: i for i, t in enumerate(titles)}
    return dict(sorted(found.items(), key=lambda kv: order[kv[0]]))


def _check_topics(heading: Heading, value: dict, section: SectionInput, problems: _Problems, path: tuple) -> None:
    if heading.is_container:
        subs = "、".join(h.title for h in outline.headings() if h.parent == heading.title)
        problems.add(
            path,
            f"“{heading.title}”只能写一段简短的引言文字，其内容写在四个子标题下",
            f"请把 {subs} 写成与“{heading.title}”同级的标题",
        )
        return
    names = [t.name for t in heading.topics]
    for topic, text in value.items():
        tpath = path + (topic,)
        topic = str(topic).strip()
        if topic != FREE_TOPIC and heading.topic(topic) is None:
            problems.add(
                tpath,
                f"“{heading.title}”下没有内容项“{topic}”",
                suggestion(topic, names) + f"可用的内容项：{'、'.join(names)}；不属于任何内容项的文字写在“{FREE_TOPIC}”下",
            )
            continue
        if text is None:
            continue
        if not isinstance(text, str):
            problems.add(tpath, f"内容项“{topic}”的内容应为文字（现在是{_type_name(text)}）", "在内容项后写“|”，换行后缩进书写正文")
            continue
        section.blocks.append(TextBlock(None if topic == FREE_TOPIC else topic, text))


def _type_name(value: Any) -> str:
    if isinstance(value, str):
        return "一段文字"
    if isinstance(value, bool):
        return "真假值"
    if isinstance(value, (int, float)):
        return "数字"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, dict):
        return "映射"
    return type(value).__name__


def load_report(path: Path) -> ReportInput:
    """Read ``report.yaml``; raise :class:`InputError` listing every problem with its line.

    >>> load_report(Path("inputs/whkjcyjq/report.yaml")).cluster  # doctest: +SKIP
    'whkjcyjq'
    """
    path = Path(path)
    data, lines = load_yaml(path)
    return parse_report(data, lines, str(path))


def parse_report(data: Any, lines: LineMap, file: str) -> ReportInput:
    """:func:`load_report` of a mapping already read (the workspace keeps it in its database)."""
    if data is None:
        raise InputError("文件是空的", file=file, hint="可用 reportsmith init 生成带全部标题的模板")
    if not isinstance(data, dict):
        raise InputError("文件内容应为“键: 值”的映射", file=file, line=1, hint="第一行应为 cluster: 账号")
    problems = _Problems(file, lines)
    try:
        model = ReportFile.model_validate(data)
    except ValidationError as exc:
        _translate(exc, problems)
        model = None
    raw_sections = data.get("sections")
    sections = _check_sections(raw_sections, problems) if isinstance(raw_sections, dict) else {}
    no_highlights = _check_no_highlights(data.get("no_highlights"), problems)
    unclassified = _check_unclassified(data.get(UNCLASSIFIED_KEY), problems)
    switches = _check_data_sentences(data.get(DATA_SENTENCES_KEY), problems)
    disabled = _check_disabled(data.get(DISABLED_CHECKS_KEY), problems)
    if isinstance(data.get("cluster"), str):
        try:
            get_cluster(data["cluster"], file=file)
        except InputError as exc:
            problems.add(("cluster",), exc.message, exc.hint)
    year = data.get("year")
    if isinstance(year, int) and not 2000 <= year <= 2100:
        problems.add(("year",), f"年份 {year} 不合理", "请写报告所总结的年度，例如 2024")
    problems.raise_if_any()
    assert model is not None
    return ReportInput(
        model.cluster, model.year, model.date, no_highlights, sections, file,
        unclassified, lines.line(UNCLASSIFIED_KEY) if UNCLASSIFIED_KEY in data else None,
        data_sentences=switches,
        disabled_checks=disabled,
        disabled_checks_line=lines.line(DISABLED_CHECKS_KEY) if DISABLED_CHECKS_KEY in data else None,
    )


def _check_no_highlights(value: Any, problems: _Problems) -> frozenset[str]:
    if not isinstance(value, list):
        return frozenset()
    titles = []
    for i, name in enumerate(value):
        if not isinstance(name, str):
            continue  # reported by the model as 应为文字
        heading = outline.find_heading(str(name))
        if heading is None:
            problems.add(
                ("no_highlights", i),
                f"no_highlights 中的标题“{name}”不在附件3提纲中",
                suggestion(outline.strip_numbering(str(name)), [h.title for h in outline.headings()]),
            )
        else:
            titles.append(heading.title)
    return frozenset(titles)


def _check_data_sentences(value: Any, problems: _Problems) -> dict[str, bool]:
    """Heading title → on/off from the data_sentences mapping (开 / 关)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.add(
            (DATA_SENTENCES_KEY,),
            f"“{DATA_SENTENCES_KEY}”应为“标题: 开/关”的映射（现在是{_type_name(value)}）",
            f"例如：{DATA_SENTENCES_KEY}: 换行后缩进写“集群发展成效: 关”",
        )
        return {}
    titles = [h.title for h in outline.headings()]
    out: dict[str, bool] = {}
    for name, switch in value.items():
        heading = outline.find_heading(str(name))
        if heading is None:
            problems.add((DATA_SENTENCES_KEY, name), f"{DATA_SENTENCES_KEY} 中的标题“{name}”不在附件3提纲中",
                         suggestion(outline.strip_numbering(str(name)), titles))
            continue
        key = switch.strip() if isinstance(switch, str) else switch
        if key not in ON_OFF or isinstance(key, (int, float)) and not isinstance(key, bool):
            problems.add((DATA_SENTENCES_KEY, name), f"“{heading.title}”的数据句开关应为“开”或“关”（现在是“{switch}”）",
                         f"写“{heading.title}: 关”不印数据句；要指定位置，在正文中单独一行写 {DATA_MARKER}")
            continue
        out[heading.title] = ON_OFF[key]
    return out


def _check_disabled(value: Any, problems: _Problems) -> dict[str, str]:
    """Rule id → reason of the 关闭检查 mapping (ids are checked against the rules by the check)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.add(
            (DISABLED_CHECKS_KEY,),
            f"“{DISABLED_CHECKS_KEY}”应为“规则编号: 理由”的映射（现在是{_type_name(value)}）",
            f"例如：{DISABLED_CHECKS_KEY}: 换行后缩进写“number.thousands_style: 统一按上级来文格式书写”",
        )
        return {}
    out: dict[str, str] = {}
    for rule, reason in value.items():
        if reason is not None and not isinstance(reason, (str, int, float)):
            problems.add(
                (DISABLED_CHECKS_KEY, rule),
                f"“{DISABLED_CHECKS_KEY}”下“{rule}”的理由应为一句话（现在是{_type_name(reason)}）",
                "在规则编号后写冒号和关闭的理由",
            )
            continue
        out[str(rule)] = "" if reason is None else str(reason).strip()
    return out


def _check_unclassified(value: Any, problems: _Problems) -> dict[str, str]:
    """Label → text of the 未归类 mapping; empty entries are dropped (the writer moved them)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.add(
            (UNCLASSIFIED_KEY,),
            f"“{UNCLASSIFIED_KEY}”应为“标签: 文字”的映射（现在是{_type_name(value)}）",
            f"例如：{UNCLASSIFIED_KEY}: 换行后缩进写“落款: |”，再换行缩进写文字；不需要时删除这一项",
        )
        return {}
    kept: dict[str, str] = {}
    for label, text in value.items():
        if text is None:
            continue
        if not isinstance(text, str):
            problems.add(
                (UNCLASSIFIED_KEY, label),
                f"“{UNCLASSIFIED_KEY}”下“{label}”的内容应为文字（现在是{_type_name(text)}）",
                "在标签后写“|”，换行后缩进书写文字",
            )
        elif text.strip():
            kept[str(label)] = text
    return kept


def unclassified_findings(report: ReportInput) -> list[Finding]:
    """A warning when text is still kept under 未归类: it is not printed in the report."""
    if not report.unclassified:
        return []
    count = sum(len(split_paragraphs(text)) for text in report.unclassified.values())
    labels = "、".join(report.unclassified)
    return [Finding(
        Severity.WARNING, "report.unclassified",
        f"“{UNCLASSIFIED_KEY}”中还有 {count} 段文字（{labels}）不在报告正文中，生成报告时不会印出",
        file=report.source, line=report.unclassified_line, key=UNCLASSIFIED_KEY,
        hint=f"请把需要的文字移到相应标题下，不需要的删除；处理完后删除“{UNCLASSIFIED_KEY}:”这一项",
        measured=count,
    )]
