"""Precision and recall of the coverage check against the labelled corpus.

    python benchmarks/eval_coverage.py [--errors]

Reads ``tests/corpus/coverage/tune.yaml`` (the part cues and patterns are tuned on) and
``tests/corpus/coverage/heldout.yaml`` (written before tuning, never tuned on). Each item is
one text a writer put under a heading, one topic of that heading and the reviewer's verdict
(covered / negated / missing); the text goes through the same function ``check`` uses.

Prints, for each part separately, precision and recall per outcome and the two targets of
the held-aside part: share of covered topics found (≥ 95 %) and share of missing-or-negated
topics flagged (≥ 90 %). Exits 1 when the held-aside part misses a target.
``--errors`` lists the misjudged items of the tuning part only (the held-aside part is not
looked at item by item, so that it stays untuned).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus" / "coverage"
PARTS = {"tune": CORPUS / "tune.yaml", "heldout": CORPUS / "heldout.yaml"}
OUTCOMES = ("covered", "negated", "missing")
TARGET_FOUND = 0.95  # covered topics judged covered
TARGET_FLAGGED = 0.90  # missing or negated topics judged missing or negated


@dataclass(frozen=True)
class Item:
    topic: str
    verdict: str
    text: str


@dataclass
class Scores:
    """Confusion counts of one part: (gold, judged) → count, and the misjudged items."""

    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    wrong: list[tuple[Item, str, str | None]] = field(default_factory=list)

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    def _sum(self, gold: set[str], judged: set[str]) -> int:
        return sum(c for (g, j), c in self.counts.items() if g in gold and j in judged)

    def precision(self, outcome: str) -> float | None:
        judged = self._sum(set(OUTCOMES), {outcome})
        return self._sum({outcome}, {outcome}) / judged if judged else None

    def recall(self, outcome: str) -> float | None:
        gold = self._sum({outcome}, set(OUTCOMES))
        return self._sum({outcome}, {outcome}) / gold if gold else None

    @property
    def found(self) -> float:
        """Share of covered topics judged covered."""
        gold = self._sum({"covered"}, set(OUTCOMES))
        return self._sum({"covered"}, {"covered"}) / gold if gold else 1.0

    @property
    def flagged(self) -> float:
        """Share of missing or negated topics judged missing or negated (needing attention)."""
        bad = {"negated", "missing"}
        gold = self._sum(bad, set(OUTCOMES))
        return self._sum(bad, bad) / gold if gold else 1.0

    @property
    def meets_targets(self) -> bool:
        return self.found >= TARGET_FOUND and self.flagged >= TARGET_FLAGGED


def load_items(path: Path) -> list[Item]:
    """The labelled items of one corpus file (topic → verdict → texts)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = []
    for topic, verdicts in data.items():
        for verdict, texts in (verdicts or {}).items():
            if verdict not in OUTCOMES:
                raise ValueError(f"{path.name}: {topic}: unknown verdict {verdict!r}")
            items += [Item(topic, verdict, t) for t in texts or []]
    return items


def paragraphs(text: str) -> list[str]:
    """A corpus text as the paragraphs a heading would hold (one per non-empty line)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def evaluate(path: Path) -> Scores:
    """Judge every item of ``path`` with the coverage check and count the outcomes."""
    from reportsmith.checks.coverage import judge_topics
    from reportsmith.outline.headings import headings

    by_topic = {t.name: h for h in headings() for t in h.topics}
    scores = Scores()
    for item in load_items(path):
        heading = by_topic.get(item.topic)
        if heading is None:
            raise ValueError(f"{path.name}: unknown topic {item.topic!r}")
        judged = next(t for t in judge_topics(paragraphs(item.text), heading) if t.topic == item.topic)
        key = (item.verdict, judged.outcome)
        scores.counts[key] = scores.counts.get(key, 0) + 1
        if judged.outcome != item.verdict:
            scores.wrong.append((item, judged.outcome, judged.how))
    return scores


def _pct(x: float | None) -> str:
    return "   — " if x is None else f"{x:6.1%}"


def report(name: str, s: Scores) -> str:
    lines = [f"{name}: {s.n} items"]
    lines.append(f"  {'outcome':<8} {'gold':>5} {'precision':>10} {'recall':>8}")
    for o in OUTCOMES:
        gold = sum(c for (g, _), c in s.counts.items() if g == o)
        lines.append(f"  {o:<8} {gold:>5} {_pct(s.precision(o)):>10} {_pct(s.recall(o)):>8}")
    lines.append(f"  covered topics found:               {_pct(s.found)}  (target ≥ {TARGET_FOUND:.0%})")
    lines.append(f"  missing-or-negated topics flagged:  {_pct(s.flagged)}  (target ≥ {TARGET_FLAGGED:.0%})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--errors", action="store_true", help="list misjudged items of the tuning part")
    args = ap.parse_args(argv)
    results = {name: evaluate(path) for name, path in PARTS.items()}
    for name, s in results.items():
        print(report(name, s))
    if args.errors:
        for item, judged, how in results["tune"].wrong:
            text = item.text.strip().replace("\n", " / ")
            print(f"[{item.verdict} → {judged}] {item.topic}: {text}  ({how})")
    ok = results["heldout"].meets_targets
    print("held-aside targets:", "met" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
