"""The report outline of 附件3: headings, the topics each must cover, and the rules of 六.

Data lives in ``data/outline.yaml`` (headings and topics) and ``data/rules.yaml``
(length target and bands, evidence requirements).
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from .resources import load_data
from .textutil import did_you_mean


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
        for t in self.topics:
            if t.name == name:
                return t
        return None


class LengthRule(BaseModel):
    model_config = ConfigDict(frozen=True)
    target: int
    ok: float
    warn: float

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


def suggest_heading(name: str) -> str | None:
    return did_you_mean(strip_numbering(name), [h.title for h in headings()])


@lru_cache(maxsize=1)
def length_rule() -> LengthRule:
    data = load_data("rules.yaml")["length"]
    return LengthRule(target=data["target"], ok=data["bands"]["ok"], warn=data["bands"]["warn"])
