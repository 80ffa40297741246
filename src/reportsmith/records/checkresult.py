"""The result of checking one report, whatever it was read from (inputs folder or .docx).

Formatters (table, JSON, CSV, HTML) all read this one record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from reportsmith.core.errors import Finding, exit_code_for
from reportsmith.outline.headings import BAND_LABELS


@dataclass
class SectionLength:
    """The 字数 of one heading beside its suggested budget."""

    heading: str  # title without numbering
    numbered: str  # title as printed, with its number
    zishu: int
    budget: int
    present: bool
    balance: str | None = None  # against the budget: ok / over / under / empty; None without a budget


def furthest_from_budget(sections: Sequence[SectionLength], over: bool, most: int = 3) -> list[SectionLength]:
    """The ``most`` headings furthest above (``over``) or below their budgets, furthest first:
    where a writer cuts a report that is too long, or adds to one that is too short."""
    sign = 1 if over else -1
    strays = [s for s in sections if s.budget and sign * (s.zishu - s.budget) > 0]
    return sorted(strays, key=lambda s: -sign * (s.zishu - s.budget))[:most]


@dataclass
class TopicCoverage:
    """One topic of 附件3 under one heading: covered, only negated, or missing, and by what.

    ``covered`` stays the yes/no most readers need; ``outcome`` tells a negated topic (the
    writer mentions it only to say it does not exist: "本年度暂无重大科技成果。") from a
    missing one, and ``sentence`` quotes the sentence that covers — or only negates — it.
    """

    heading: str
    topic: str
    covered: bool
    how: str | None = None  # "keyed" (explicit topic key), "cue:<word>", or "overview" (opening paragraph)
    outcome: str = ""  # covered / negated / missing; derived from ``covered`` when not given
    sentence: str | None = None

    def __post_init__(self) -> None:
        if not self.outcome:
            self.outcome = "covered" if self.covered else "missing"

    @property
    def negated(self) -> bool:
        """Mentioned only in negated sentences: needs the writer's and the reviewer's attention."""
        return self.outcome == "negated"


@dataclass
class CheckResult:
    """Length, coverage and every finding for one report."""

    source: str
    cluster: str | None
    zishu: int
    target: int
    band: str  # ok / warn / fail
    total_zishu: int | None = None  # whole document, title and appendices included
    data_zishu: int = 0  # of ``zishu``: what the data sentences add to the writer's own text
    sections: list[SectionLength] = field(default_factory=list)
    topics: list[TopicCoverage] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def band_label(self) -> str:
        """合格 / 偏差较大 / 不合格."""
        return BAND_LABELS[self.band]

    @property
    def own_zishu(self) -> int:
        """The writer's own 字数: the body without the data sentences."""
        return self.zishu - self.data_zishu

    @property
    def coverage(self) -> float:
        """Share of topics covered, 0..1."""
        return sum(t.covered for t in self.topics) / len(self.topics) if self.topics else 0.0

    @property
    def missing_topics(self) -> list[TopicCoverage]:
        """The topics not covered: missing, or only negated (see :attr:`negated_topics`)."""
        return [t for t in self.topics if not t.covered]

    @property
    def negated_topics(self) -> list[TopicCoverage]:
        """The topics the writer mentions only to say they do not exist."""
        return [t for t in self.topics if t.negated]

    @property
    def exit_code(self) -> int:
        """0 when only notes remain, 1 when any error or warning was found."""
        return exit_code_for(self.findings)

    def to_json(self) -> dict[str, Any]:
        """The record as ``reportsmith check --json`` prints it (keys named in the check's usage doc)."""
        return {
            "source": self.source,
            "cluster": self.cluster,
            "zishu": self.zishu,
            "total_zishu": self.total_zishu,
            "own_zishu": self.own_zishu,
            "data_zishu": self.data_zishu,
            "target": self.target,
            "band": self.band,
            "band_label": self.band_label,
            "coverage": round(self.coverage, 4),
            "sections": [
                {
                    "heading": s.heading, "numbered": s.numbered, "zishu": s.zishu, "budget": s.budget,
                    "present": s.present, "balance": s.balance,
                }
                for s in self.sections
            ],
            "topics": [
                {
                    "heading": t.heading, "topic": t.topic, "covered": t.covered, "outcome": t.outcome, "how": t.how,
                    "sentence": t.sentence,
                }
                for t in self.topics
            ],
            "problems": [f.to_dict() for f in self.findings],
            **self.extra,
        }
