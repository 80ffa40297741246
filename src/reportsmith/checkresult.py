"""The result of checking one report, whatever it was read from (inputs folder or .docx).

Formatters (table, JSON, CSV, HTML) all read this one record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import Finding, exit_code_for
from .outline import BAND_LABELS


@dataclass
class SectionLength:
    heading: str  # title without numbering
    numbered: str  # title as printed, with its number
    zishu: int
    budget: int
    present: bool


@dataclass
class TopicCoverage:
    heading: str
    topic: str
    covered: bool
    how: str | None = None  # "keyed" (explicit topic key) or "cue:<word>"


@dataclass
class CheckResult:
    """Length, coverage and every finding for one report."""

    source: str
    cluster: str | None
    zishu: int
    target: int
    band: str  # ok / warn / fail
    total_zishu: int | None = None  # whole document, title and appendices included
    sections: list[SectionLength] = field(default_factory=list)
    topics: list[TopicCoverage] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def band_label(self) -> str:
        return BAND_LABELS[self.band]

    @property
    def coverage(self) -> float:
        """Share of topics covered, 0..1."""
        return sum(t.covered for t in self.topics) / len(self.topics) if self.topics else 0.0

    @property
    def missing_topics(self) -> list[TopicCoverage]:
        return [t for t in self.topics if not t.covered]

    @property
    def exit_code(self) -> int:
        return exit_code_for(self.findings)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "cluster": self.cluster,
            "zishu": self.zishu,
            "total_zishu": self.total_zishu,
            "target": self.target,
            "band": self.band,
            "band_label": self.band_label,
            "coverage": round(self.coverage, 4),
            "sections": [
                {"heading": s.heading, "numbered": s.numbered, "zishu": s.zishu, "budget": s.budget, "present": s.present}
                for s in self.sections
            ],
            "topics": [{"heading": t.heading, "topic": t.topic, "covered": t.covered, "how": t.how} for t in self.topics],
            "problems": [f.to_dict() for f in self.findings],
            **self.extra,
        }
