"""Recall of contradictions and false-alarm rate of the prose-figure check (``check`` 正文数字).

    python benchmarks/eval_prose.py [--verbose]

Scores the labelled sentences of tests/corpus/prose on each part: ``tune`` (used while
tuning data/prose_concepts.yaml), ``heldout`` (written before tuning, never tuned on) and
``fresh`` (written after tuning in new phrasing, never tuned on; reported, not gated).
Prints recall (contradictions warned about) and false alarms (consistent sentences
warned about) per part; ``--verbose`` lists every miss and false alarm. Exits 1 when the
held-aside part misses a target (recall ≥ 90 %, false alarms ≤ 2 %).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from prose_corpus import PARTS, TARGET_FALSE_ALARMS, TARGET_RECALL, score  # noqa: E402


def _pct(d) -> str:
    return f"{d * 100:.1f}%"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", "-v", action="store_true", help="list every miss and false alarm")
    args = parser.parse_args(argv)
    print(f"{'part':<8} {'recall':>22} {'false alarms':>22}")
    scores = {p: score(p) for p in PARTS}
    for p, s in scores.items():
        recall = f"{s.caught}/{s.contradictions} = {_pct(s.recall)}"
        alarms = f"{s.false_alarms}/{s.consistent} = {_pct(s.false_alarm_rate)}"
        print(f"{p:<8} {recall:>22} {alarms:>22}")
        if args.verbose:
            for item in s.missed:
                print(f"  missed [{item.form}] {item.text}")
            for item, found in s.wrongly_flagged:
                print(f"  false alarm [{item.form}] {item.text}\n      -> {found[0]}")
    held = scores["heldout"]
    target = f"targets on heldout: recall >= {_pct(TARGET_RECALL)}, false alarms <= {_pct(TARGET_FALSE_ALARMS)}"
    print(target + (": met" if held.meets_targets else ": MISSED"))
    return 0 if held.meets_targets else 1


if __name__ == "__main__":
    sys.exit(main())
