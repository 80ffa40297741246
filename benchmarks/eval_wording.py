"""Precision and recall of the 公文 wording checks on the labelled corpus, per rule family.

    python benchmarks/eval_wording.py            # both parts
    python benchmarks/eval_wording.py -v         # also list every miss and false alarm

The corpus is ``tests/corpus/wording/``: ``tune.yaml`` (rules were adjusted against it),
``held_aside.yaml`` (written before tuning and never tuned on) and ``fresh.yaml`` (written
after tuning, with another cluster's names, and never tuned on). A reported problem counts
as correct when an expected one of the same family overlaps its words.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus" / "wording"
PARTS = ("tune", "held_aside", "fresh")


@dataclass
class Score:
    predicted: int = 0
    correct: int = 0  # predicted hits that match an expected one
    expected: int = 0
    found: int = 0  # expected problems matched by a hit
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0


def _span(text: str, exp: dict) -> tuple[int, int]:
    span, at = exp["span"], int(exp.get("at", 1))
    pos = -1
    for _ in range(at):
        pos = text.find(span, pos + 1)
        if pos < 0:
            raise ValueError(f"span {span!r} (at {at}) not in {text!r}")
    return pos, pos + len(span)


def evaluate(part: str) -> dict[str, Score]:
    """Family id → score on one part of the corpus."""
    from reportsmith.checks.wording import TextSection, families, wording_hits

    doc = yaml.safe_load((CORPUS / f"{part}.yaml").read_text(encoding="utf-8"))
    defaults = doc.get("defaults", {})
    scores = {f: Score() for f in families()}
    for item in doc["items"]:
        text = item["text"]
        context = item.get("context")
        section = TextSection("正文", [text], [context] if context else [])
        hits = wording_hits(
            [section],
            item.get("cluster", defaults.get("cluster")),
            item.get("evidence", defaults.get("evidence")),
            year=item.get("year", defaults.get("year")),
            docx=bool(item.get("docx", False)),
        )
        expected = [(e["family"], *_span(text, e)) for e in item.get("expect") or []]
        for fam, s, e in expected:
            sc = scores[fam]
            sc.expected += 1
            if any(h.family == fam and h.start < e and s < h.end for h in hits):
                sc.found += 1
            else:
                sc.misses.append(f"{text}  ——漏报 {fam}“{text[s:e]}”")
        for h in hits:
            sc = scores[h.family]
            sc.predicted += 1
            if any(fam == h.family and h.start < e and s < h.end for fam, s, e in expected):
                sc.correct += 1
            else:
                sc.false_alarms.append(f"{text}  ——误报 {h.rule}“{h.text}”")
    return scores


def _walk(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def other_corpora() -> tuple[int, int, list[str]]:
    """The wording findings on report prose written by others for other checks (the prose-figure
    and coverage corpora): not labelled for wording, so every finding is listed for a reader to
    judge. Returns (texts, characters, findings)."""
    from reportsmith.checks.wording import wording_hits

    root = CORPUS.parent
    texts: list[str] = []
    for path in sorted([*(root / "prose").glob("*.yaml"), *(root / "coverage").glob("*.yaml")]):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if path.parent.name == "prose":
            texts += [i["text"] for i in doc if isinstance(i, dict) and isinstance(i.get("text"), str)] if isinstance(doc, list) else []
        else:
            texts += [t for t in _walk(doc) if len(t) > 15]
    found = []
    for text in texts:
        paragraphs = [p for p in text.split("\n\n") if p.strip()]
        for h in wording_hits({"正文": paragraphs}):
            found.append(f"{h.rule}“{h.text}”：{h.context}")
    return len(texts), sum(len(t) for t in texts), found


def _pct(x: float) -> str:
    return f"{x * 100:5.1f}%"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="list misses and false alarms")
    args = ap.parse_args(argv)
    from reportsmith.checks.wording import families

    names = families()
    for part in PARTS:
        scores = evaluate(part)
        n_items = len(yaml.safe_load((CORPUS / f"{part}.yaml").read_text(encoding="utf-8"))["items"])
        print(f"== {part} ({n_items} 条) ==")
        print(f"{'family':10} {'名称':8} {'expected':>8} {'found':>6} {'recall':>7} {'predicted':>9} {'correct':>7} {'precision':>9}")
        for fam, sc in scores.items():
            print(
                f"{fam:10} {names[fam]:8} {sc.expected:8d} {sc.found:6d} {_pct(sc.recall):>7} "
                f"{sc.predicted:9d} {sc.correct:7d} {_pct(sc.precision):>9}"
            )
        if args.verbose:
            for fam, sc in scores.items():
                for line in sc.misses + sc.false_alarms:
                    print("  ", line)
    n, chars, found = other_corpora()
    print(f"== 其他语料（为别的检查写的报告文字，未按文字规范标注）：{n} 段，{chars} 字，发现 {len(found)} 处 ==")
    if args.verbose:
        for line in found:
            print("  ", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
