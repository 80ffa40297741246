"""Build report inputs with exact properties (topics, 字数) for the check tests.

Texts are made of the topic names themselves (each is its own cue) and a filler of
plain Han characters, so the 字数 of a crafted report is known exactly — and is still
measured with the one counter, never assumed.
"""

from __future__ import annotations

from pathlib import Path

from pdfbytes import minimal_pdf

from reportsmith.outline import headings as outline
from reportsmith.records.assembled import AssembledSection
from reportsmith.checks.zishu import zishu

FILLER = "集"  # a Han character that is no cue word of any topic
# Documents named under 集群发展环境 (no cue word inside), listed in the crafted evidence.yaml.
PLAN = "《东湖高新区国民经济和社会发展纲要》"
POLICY = "《光谷空间信息产业三年行动方案》"
EVIDENCE = f"""\
规划:
  - 名称: {PLAN}
    文件: evidence/规划.pdf
政策:
  - 名称: {POLICY}
    文件: evidence/政策.pdf
"""


def topic_text(heading: outline.Heading, drop: frozenset[str] = frozenset()) -> str:
    """One paragraph naming every topic of ``heading`` except ``drop``."""
    text = "；".join(t.name for t in heading.topics if t.name not in drop) + "。"
    if heading.title == "集群发展环境":
        text += f"依据{PLAN}和{POLICY}。"
    return text


def sections(*, drop: frozenset[str] = frozenset(), empty: frozenset[str] = frozenset(), total: int | None = None) -> list[AssembledSection]:
    """Every heading, each naming its topics; ``empty`` headings without text; padded to ``total`` 字."""
    out = []
    for h in outline.headings():
        paras = [] if h.is_container or h.title in empty else [topic_text(h, drop)]
        out.append(AssembledSection(heading=h, paragraphs=paras))
    if total is not None:
        body = sum(zishu(s.heading.numbered) + sum(zishu(p) for p in s.paragraphs) for s in out)
        pad = total - body
        assert pad > 0, f"cannot reach {total} from {body}"
        target = next(s for s in out if s.paragraphs)
        target.paragraphs.append(FILLER * pad)
    return out


def report_yaml(account: str = "whkjcyjq", *, total: int | None = None, drop: frozenset[str] = frozenset(),
                empty: frozenset[str] = frozenset(), extra: str = "") -> str:
    """report.yaml text equivalent to :func:`sections` (no form, so no data sentences)."""
    lines = [f"cluster: {account}", "year: 2024", extra, "sections:"]
    for s in sections(drop=drop, empty=empty, total=total):
        if s.heading.is_container:
            continue
        if not s.paragraphs:
            lines.append(f"  {s.heading.numbered}:")
            continue
        lines.append(f"  {s.heading.numbered}: |")
        for i, p in enumerate(s.paragraphs):
            if i:
                lines.append("")
            lines.append(f"    {p}")
    return "\n".join(line for line in lines if line is not None) + "\n"


def write_folder(root: Path, text: str, account: str = "whkjcyjq", *, evidence: bool = True) -> Path:
    """A cluster folder with ``text`` as report.yaml and, by default, the evidence of the two documents."""
    folder = root / account
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.yaml").write_text(text, encoding="utf-8")
    if evidence:
        (folder / "evidence").mkdir(exist_ok=True)
        for name in ("规划.pdf", "政策.pdf"):
            (folder / "evidence" / name).write_bytes(minimal_pdf("crafted test file"))
        (folder / "evidence.yaml").write_text(EVIDENCE, encoding="utf-8")
    return folder
