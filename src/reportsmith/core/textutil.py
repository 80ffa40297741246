"""Small text helpers shared by every module that talks to users."""

from __future__ import annotations

import difflib
from typing import Iterable


def did_you_mean(name: str, candidates: Iterable[str], *, cutoff: float = 0.4) -> str | None:
    """The closest candidate to ``name``, or None.

    >>> did_you_mean("营收", ["营业收入", "净利润"])
    '营业收入'
    """
    cands = list(candidates)
    matches = difflib.get_close_matches(name, cands, n=1, cutoff=cutoff)
    if matches:
        return matches[0]
    # Short Chinese names: difflib's ratio punishes length differences, so accept a
    # candidate that contains every character of the name in order.
    for c in cands:
        it = iter(c)
        if name and all(ch in it for ch in name):
            return c
    return None


def suggestion(name: str, candidates: Iterable[str]) -> str:
    """A Chinese "did you mean" clause, or a generic hint when nothing is close."""
    best = did_you_mean(name, candidates)
    return f"是否想写“{best}”？" if best else "请检查拼写。"
