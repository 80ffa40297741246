"""The report outline of 附件3: headings, the topics each must cover, and the rules of 六.

Data lives in ``data/outline.yaml`` (headings and topics) and ``data/rules.yaml``
(length target and bands, evidence requirements).
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from reportsmith.core.resources import load_data


class Topic(BaseModel):
    """One item of a heading's "包括…" list, with the cue words a writer would use."""

    model_config = ConfigDict(frozen=True)
    name: str
    cues: tuple[str, ...]


class Heading(BaseModel):
    """A heading of the outline: 一 to 五 at level 1, （一） to （四） under 二 at level 2."""

    model_config = ConfigDict(frozen=True)
    number: str
    title: str
    level: int
    budget: int
    requirement: str
    topics: tuple[Topic, ...] = ()
    parent: str | None = None

    @property
    def numbered(self) -> str:
        """The title with its number as printed: ``一、集群总体情况`` / ``（一）集群产业结构发展情况``."""
        return f"{self.number}、{self.title}" if self.level == 1 else f"{self.number}{self.title}"

    @property
    def is_container(self) -> bool:
        """二、集群发展情况 holds only its four sub-headings."""
        return not self.topics and self.budget == 0

    def topic(self, name: str) -> Topic | None:
        """The topic called ``name`` under this heading, or None."""
        for t in self.topics:
            if t.name == name:
                return t
        return None


class LengthRule(BaseModel):
    """六.1 as a rule: the body's target 字数, its bands, and how far a heading may stray from its budget."""

    model_config = ConfigDict(frozen=True)
    target: int
    ok: float
    warn: float
    heading_tolerance: float = 0.2

    def band(self, zishu: int) -> str:
        """``ok`` / ``warn`` / ``fail`` for a body of ``zishu`` 字.

        >>> LengthRule(target=3500, ok=0.1, warn=0.2).band(3400)
        'ok'
        """
        deviation = abs(zishu - self.target) / self.target
        # A tiny epsilon keeps exact boundaries (3150, 3850) inside the band.
        if deviation <= self.ok + 1e-9:
            return "ok"
        if deviation <= self.warn + 1e-9:
            return "warn"
        return "fail"

    def balance(self, zishu: int, budget: int, present: bool) -> str | None:
        """A heading against its suggested budget: ``empty`` / ``over`` / ``under`` / ``ok``.

        None for a heading without a budget (the container 二). Only a guide for the
        writer — where to cut or add — never a problem by itself.

        >>> LengthRule(target=3500, ok=0.1, warn=0.2).balance(605, 500, True)
        'over'
        """
        if not budget:
            return None
        if not present:
            return "empty"
        deviation = (zishu - budget) / budget
        if abs(deviation) <= self.heading_tolerance + 1e-9:
            return "ok"
        return "over" if deviation > 0 else "under"


BAND_LABELS = {"ok": "合格", "warn": "偏差较大", "fail": "不合格"}


@lru_cache(maxsize=1)
def headings() -> tuple[Heading, ...]:
    """All headings in outline order (二's four sub-headings follow 二)."""
    return tuple(Heading(**h) for h in load_data("outline.yaml")["headings"])


def content_headings() -> tuple[Heading, ...]:
    """The headings that take text (all but the container 二)."""
    return tuple(h for h in headings() if not h.is_container)


_PREFIX = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十]+\s*[)）])\s*")


def strip_numbering(title: str) -> str:
    """``"一、集群总体情况"`` → ``"集群总体情况"``; ``"(二)集群…"`` → ``"集群…"``."""
    return _PREFIX.sub("", title).strip()


def find_heading(name: str) -> Heading | None:
    """The heading whose title (numbering prefix allowed) is ``name``, or None."""
    bare = strip_numbering(name)
    for h in headings():
        if h.title == bare:
            return h
    return None


@lru_cache(maxsize=1)
def length_rule() -> LengthRule:
    """The length rule of ``data/rules.yaml`` (附件3 六.1)."""
    data = load_data("rules.yaml")["length"]
    return LengthRule(
        target=data["target"],
        ok=data["bands"]["ok"],
        warn=data["bands"]["warn"],
        heading_tolerance=data["heading_tolerance"],
    )
