"""The labelled prose-figure corpus (tests/corpus/prose) and its scoring.

Each item is one sentence a writer might put in her report, a form context (forms.yaml)
and a reviewer's label: ``contradiction`` (the sentence disagrees with the form, so the
check must warn) or ``consistent`` (nothing to object to, so the check must stay silent).
``heldout.yaml`` was written together with ``tune.yaml``, before any tuning, and is
never tuned on; it is what the targets are judged on. ``fresh.yaml`` was written after
tuning, in phrasing the check was not built around, and is never tuned on either: a
second measure of how the check generalises (reported, not gated).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import yaml

from reportsmith.checks.prose import check_prose
from reportsmith.form.data import FormData
from reportsmith.form.spec import resolve_key

CORPUS = Path(__file__).resolve().parent / "corpus" / "prose"
PARTS = ("tune", "heldout", "fresh")
TARGET_RECALL = Decimal("0.90")
TARGET_FALSE_ALARMS = Decimal("0.02")


@dataclass(frozen=True)
class Item:
    part: str
    form: str
    label: str
    text: str

    @property
    def contradiction(self) -> bool:
        return self.label == "contradiction"


def _numbers(raw: dict) -> dict:
    out = {}
    for name, value in (raw or {}).items():
        key = resolve_key(name)
        assert key is not None, f"forms.yaml: {name!r} is not a form row"
        out[key] = value if isinstance(value, int) and key not in _AMOUNTS else Decimal(str(value))
    return out


_AMOUNTS = {"工业总产值", "营业收入", "主导产业营业收入", "出口总额", "净利润", "实际上缴税费总额", "研究开发费用支出合计"}


@lru_cache(maxsize=1)
def forms() -> dict[str, FormData]:
    data = yaml.safe_load((CORPUS / "forms.yaml").read_text(encoding="utf-8"))
    return {
        name: FormData(_numbers(f["values"]), previous=_numbers(f.get("previous")), year=int(f["year"]))
        for name, f in data.items()
    }


def items(part: str) -> list[Item]:
    rows = yaml.safe_load((CORPUS / f"{part}.yaml").read_text(encoding="utf-8"))
    out = [Item(part, r["form"], r["label"], r["text"]) for r in rows]
    assert all(i.label in ("contradiction", "consistent") for i in out), part
    return out


def flagged(item: Item) -> list[str]:
    """The warnings the prose check gives for this sentence (their messages)."""
    return [f.message for f in check_prose({"集群总体情况": item.text}, forms()[item.form])]


@dataclass(frozen=True)
class Score:
    part: str
    contradictions: int
    caught: int
    consistent: int
    false_alarms: int
    missed: tuple[Item, ...]
    wrongly_flagged: tuple[tuple[Item, tuple[str, ...]], ...]

    @property
    def recall(self) -> Decimal:
        return Decimal(self.caught) / self.contradictions if self.contradictions else Decimal(1)

    @property
    def false_alarm_rate(self) -> Decimal:
        return Decimal(self.false_alarms) / self.consistent if self.consistent else Decimal(0)

    @property
    def meets_targets(self) -> bool:
        return self.recall >= TARGET_RECALL and self.false_alarm_rate <= TARGET_FALSE_ALARMS


def score(part: str) -> Score:
    missed, wrong = [], []
    n_contra = n_ok = 0
    for item in items(part):
        found = flagged(item)
        if item.contradiction:
            n_contra += 1
            if not found:
                missed.append(item)
        else:
            n_ok += 1
            if found:
                wrong.append((item, tuple(found)))
    return Score(part, n_contra, n_contra - len(missed), n_ok, len(wrong), tuple(missed), tuple(wrong))
