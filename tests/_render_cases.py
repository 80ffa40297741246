"""Hand-made Assembled reports for the render tests (no inputs folder needed)."""

from __future__ import annotations

from pathlib import Path

from reportsmith.outline import headings as outline

from reportsmith.registry import clusters as registry
from reportsmith.records.assembled import AppendixRow, Assembled, AssembledSection, Checklist, ChecklistItem


def make_assembled(
    paragraphs: dict[str, list[str]] | None = None,
    *,
    highlights: dict[str, list[str]] | None = None,
    rows: list[AppendixRow] | None = None,
    checklist: Checklist | None = None,
    date_text: str = "2025年1月15日",
    account: str = "whkjcyjq",
    folder: Path = Path("inputs/whkjcyjq"),
) -> Assembled:
    """Every heading of the outline; ``paragraphs`` by heading title; unwritten ones get their placeholder."""
    paragraphs = paragraphs or {}
    highlights = highlights or {}
    sections = []
    for h in outline.headings():
        paras = list(paragraphs.get(h.title, []))
        hl = list(highlights.get(h.title, []))
        placeholder = None
        if not h.is_container and not paras:  # as pipeline.assemble: data sentences are not writing
            placeholder = "【待补充：" + "、".join(t.name for t in h.topics) + "】"
        sections.append(AssembledSection(heading=h, paragraphs=paras, highlights=hl, placeholder=placeholder))
    return Assembled(
        folder=folder,
        cluster=registry.get_cluster(account),
        year=2024,
        date_text=date_text,
        sections=sections,
        appendix_rows=rows or [],
        checklist=checklist,
    )


def full_assembled() -> Assembled:
    """A report with text under every heading, highlights, appendix rows and a checklist."""
    paragraphs = {
        h.title: [f"{h.title}第一段：A&B <tag> \"引号\" '单引号'。", f"{h.title}第二段，含换行\n第二行\t制表符。"]
        for h in outline.content_headings()
    }
    highlights = {"集群总体情况": ["2024年，集群实现营业收入12.35亿元，同比增长5.2%。"]}
    rows = [
        AppendixRow("集群企业总数", "家", "326", "300", "同比增长8.7%"),
        AppendixRow("其中：高新技术企业", "家", "120", "", "", indent=1),
        AppendixRow("研发投入强度", "%", "5.2%", "4.9%", "", derived=True),
        AppendixRow("高新技术企业占比", "%", "36.8%", derived=True),
    ]
    checklist = Checklist(
        items=[
            ChecklistItem(1, "创新服务机构", "省级及以上科技企业孵化器", "光谷A&B孵化器", "省级", "鄂科技发〔2022〕18号",
                          ["evidence/孵化器.pdf"], "已附"),
            ChecklistItem(2, "地方规划", "地方规划", "《某某规划》", "", "", ["evidence/a.pdf", "evidence/b.pdf"], "已附"),
            ChecklistItem(3, "专项政策", "专项政策", "《若干措施》", status="缺失"),
        ]
    )
    return make_assembled(paragraphs, highlights=highlights, rows=rows, checklist=checklist)
