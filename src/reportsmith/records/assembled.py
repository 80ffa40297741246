"""The value objects passed from computing to checking and rendering.

``pipeline.assemble(folder)`` produces an :class:`Assembled`; ``check`` measures it and
``render`` turns it into Word. Keeping these records in one module lets each step be
written and tested without the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reportsmith.core.errors import Finding
from reportsmith.form.data import FormData
from reportsmith.outline.headings import Heading
from reportsmith.registry.clusters import Cluster


@dataclass
class AssembledSection:
    """One heading of the report with the text that goes under it.

    ``paragraphs`` are the writer's paragraphs with figures filled in, in order;
    ``highlights`` are data sentences generated from the form (empty when the writer
    turned them off); ``keyed_topics`` are topics the writer marked explicitly by using
    them as keys; ``placeholder`` is the visible 【待补充：…】 text when nothing was written;
    ``heading_line`` is the heading as written in a submitted document, when it differs
    from the outline's numbered title (Word does not count an automatic number as text);
    ``marker`` is the index in ``paragraphs`` where the writer placed the data sentences
    with a ``{{ 数据句 }}`` line (None: before her text); ``repeated`` are the data sentences
    left out because her own text of the heading already states their figures.
    """

    heading: Heading
    paragraphs: list[str] = field(default_factory=list)
    highlights: list[str] = field(default_factory=list)
    keyed_topics: frozenset[str] = frozenset()
    placeholder: str | None = None
    heading_line: str | None = None
    marker: int | None = None
    repeated: list[str] = field(default_factory=list)

    @property
    def title_line(self) -> str:
        """The heading line as it stands in the document."""
        return self.heading.numbered if self.heading_line is None else self.heading_line

    @property
    def present(self) -> bool:
        return bool(self.paragraphs)

    @property
    def printed_paragraphs(self) -> list[str]:
        """What is printed under the heading, in order.

        The data sentences form one paragraph (a run of one-line paragraphs reads like a
        list, not a report): where the writer placed the marker, else before her
        paragraphs. Each sentence ends with "。", so joining them changes neither the text
        nor its 字数.
        """
        lead = ["".join(self.highlights)] if self.highlights else []
        at = self.marker or 0
        return [*self.paragraphs[:at], *lead, *self.paragraphs[at:]]


@dataclass
class AppendixRow:
    """One line of 附件1 主要指标: a filled form row or a derived figure."""

    label: str
    unit: str
    value: str
    previous: str = ""
    change: str = ""
    indent: int = 0
    derived: bool = False


# The status of a listed institution whose level needs no evidence (市级, 其他) and that has no file.
NOT_REQUIRED = "不要求佐证"


@dataclass
class ChecklistItem:
    """One line of 附件2 佐证材料清单; ``shown_files`` are the file names as the reader will
    find them (the bundle's names when the evidence is bundled), else ``files`` are shown."""

    seq: int
    group: str  # 创新服务机构 / 研发机构 / 地方规划 / 专项政策
    category: str  # a form row key for institutions, else the group
    name: str
    level: str = ""
    doc_no: str = ""
    files: list[str] = field(default_factory=list)
    status: str = "缺失"  # 已附 / 缺失 / 无效 / 不要求佐证
    reason: str = ""
    sizes: list[int] = field(default_factory=list)
    sha256: list[str] = field(default_factory=list)
    shown_files: list[str] | None = None

    @property
    def required(self) -> bool:
        return self.status != NOT_REQUIRED

    @property
    def missing(self) -> bool:
        """Evidence that has to be attached and is not (缺失 or 无效)."""
        return self.required and self.status != "已附"

    @property
    def status_text(self) -> str:
        return f"{self.status}：{self.reason}" if self.reason and self.status != "已附" else self.status


@dataclass
class Checklist:
    items: list[ChecklistItem] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    GROUPS = ("创新服务机构", "研发机构", "地方规划", "专项政策")

    def groups(self) -> list[tuple[str, list[ChecklistItem]]]:
        return [(g, [i for i in self.items if i.group == g]) for g in self.GROUPS]

    def row_groups(self) -> list[tuple[str, list[ChecklistItem]]]:
        """As :meth:`groups`, institutions split by the form row they count toward
        ("创新服务机构：生产力促进中心"), in checklist order; an empty group stays one line."""
        out: list[tuple[str, list[ChecklistItem]]] = []
        for group, items in self.groups():
            categories = list(dict.fromkeys(i.category for i in items if i.category != group))
            if not categories:
                out.append((group, items))
                continue
            for category in categories:
                out.append((f"{group}：{category}", [i for i in items if i.category == category]))
            rest = [i for i in items if i.category == group]
            if rest:
                out.append((group, rest))
        return out

    @property
    def count_line(self) -> str:
        need = sum(1 for i in self.items if i.required)
        have = sum(1 for i in self.items if i.status == "已附")
        line = f"应附 {need} 项，已附 {have} 项，缺失 {need - have} 项"
        others = len(self.items) - need
        return line + (f"；另列市级及其他机构 {others} 项（{NOT_REQUIRED}）" if others else "")


@dataclass
class Assembled:
    """Everything needed to check and render one cluster's report."""

    folder: Path
    cluster: Cluster
    year: int
    date_text: str
    sections: list[AssembledSection]
    form: FormData | None = None
    appendix_rows: list[AppendixRow] = field(default_factory=list)
    checklist: Checklist | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.cluster.name}{self.year}年度总结报告"


def writer_texts(sections: list[AssembledSection]) -> dict[str, str]:
    """Heading title → the writer's filled text (no data sentences), for the prose and evidence checks."""
    return {s.heading.title: "\n\n".join(s.paragraphs) for s in sections if s.paragraphs}
