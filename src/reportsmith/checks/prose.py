"""Hand-written figures in the report text checked against the form.

A number with a unit ("300家", "12.3亿元", "3.5%") is compared with a form figure only
when it stands right after one of that figure's cue words (``data/prose_concepts.yaml``)
in the same clause, or right before it ("85家高新技术企业"). Everything else is left
alone: a number whose clause speaks of a change, a target or an approximation, a
sentence about another year, a unit that does not fit the figure.

A written number agrees with the form when it equals the form value, converted to the
written unit (万元/亿元, 人/万人, ratio/%), either rounded half-up or truncated to the
written number of decimals, or rounded again from the shown display (12.35亿元 → 12.4).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Mapping

from reportsmith.core import numfmt
from reportsmith.core.errors import Finding, Severity
from reportsmith.compute.figures import AMOUNT_KINDS, Figure, figures
from reportsmith.form.data import FormData
from reportsmith.core.resources import load_data

_SENTENCE = re.compile(r"[^。！？!?；;\n]+")
_NUMBER = re.compile(
    r"(?<![\d.])(?P<sign>-|负)?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s?(?P<mult>万|亿))?(?:\s?(?P<unit>元|家|个|人|件|项|%))?"  # "13 亿元" typed with a space
)
_CLAUSE_BREAK = re.compile(r"[,，、:：()（）]")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})年")
_MAX_GAP = 12


@dataclass(frozen=True)
class _Rules:
    cues: tuple[tuple[str, str | None], ...]  # (cue, figure name or None for ignored phrases)
    skip_words: tuple[str, ...]
    skip_after: tuple[str, ...]
    skip_sentence_words: tuple[str, ...]
    negating_words: tuple[str, ...]


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    data = load_data("prose_concepts.yaml")
    cues = [(c, con["figure"]) for con in data["concepts"] for c in con["cues"]]
    cues += [(c, None) for c in data.get("ignore", [])]
    return _Rules(
        tuple(cues),
        tuple(data["skip_words"]),
        tuple(data["skip_after"]),
        tuple(data["skip_sentence_words"]),
        tuple(data.get("negating_words", [])),
    )


def _cue_spans(sentence: str) -> list[tuple[int, int, str, str | None]]:
    """Cue occurrences, dropping any that lies inside a longer one (主导产业营业收入 ⊃ 营业收入)."""
    spans = []
    for cue, fig in _rules().cues:
        start = sentence.find(cue)
        while start >= 0:
            spans.append((start, start + len(cue), cue, fig))
            start = sentence.find(cue, start + 1)
    return [
        s for s in spans
        if not any(o[0] <= s[0] and s[1] <= o[1] and (o[1] - o[0]) > (s[1] - s[0]) for o in spans)
    ]  # fmt: skip


def _written_value(m: re.Match, fig: Figure) -> tuple[Decimal, int] | None:
    """The written number in the figure's own unit scale and its decimals, or None if the unit does not fit."""
    num = m["num"].replace(",", "")
    places = len(num.split(".")[1]) if "." in num else 0
    value = Decimal(num)
    mult, unit = m["mult"], m["unit"]
    if fig.kind in AMOUNT_KINDS:
        if mult is None or unit not in (None, "元"):
            return None
        return value * (10000 if mult == "亿" else 1), places
    if fig.kind == "ratio":
        return (value / 100, places) if unit == "%" and mult is None else None
    if unit != fig.unit or mult == "亿":
        return None
    return value * (10000 if mult == "万" else 1), places


def _agrees(written: Decimal, places: int, scale: Decimal, true: Decimal) -> bool:
    shown = written / scale  # back in the unit the writer used
    exact = numfmt.to_decimal(true) / scale
    candidates = {numfmt.round_half_up(exact, places), numfmt.truncate(exact, places)}
    for display_places in (1, 2):  # a writer rounding the displayed figure again
        if places < display_places:
            candidates.add(numfmt.round_half_up(numfmt.round_half_up(exact, display_places), places))
    return numfmt.round_half_up(shown, places) in candidates


def _scale(m: re.Match, fig: Figure) -> Decimal:
    if fig.kind == "ratio":
        return Decimal("0.01")
    return Decimal(10000) if m["mult"] == "亿" or (m["mult"] == "万" and fig.kind not in AMOUNT_KINDS) else Decimal(1)


def _pair(sentence: str, m: re.Match, spans) -> tuple[str, str | None, str] | None:
    """(phrase, figure, gap) for the cue this number belongs to, or None."""
    start, end = m.start(), m.end()
    before = [s for s in spans if s[1] <= start]
    if before:
        s = max(before, key=lambda x: x[1])
        gap = sentence[s[1] : start]
        if len(gap) <= _MAX_GAP and not re.search(r"\d", gap) and not _CLAUSE_BREAK.search(gap):
            return sentence[s[0] : end], s[3], gap
    after = [s for s in spans if s[0] == end]
    return (sentence[start : after[0][1]], after[0][3], "") if after else None


def _mismatch(norm: str, m: re.Match, figs: dict[str, Figure]) -> tuple[str, Figure, str] | None:
    rules = _rules()
    clause = _CLAUSE_BREAK.split(norm[: m.start()])[-1]
    if any(w in clause for w in rules.skip_words) or norm[m.end() :].startswith(rules.skip_after):
        return None
    paired = _pair(norm, m, _cue_spans(norm))
    if paired is None or paired[1] is None:
        return None
    phrase, name, gap = paired
    fig = figs.get(name)
    if fig is None or not fig.available:
        return None
    written = _written_value(m, fig)
    if written is None:
        return None
    value, places = written
    if m["sign"] or any(w in gap for w in rules.negating_words):
        value = -value
    if _agrees(value, places, _scale(m, fig), fig.value):
        return None
    return phrase, fig, m.group(0)


def _form_text(fig: Figure) -> str:
    if fig.kind in AMOUNT_KINDS and numfmt.amount_unit(fig.value) == "亿元":
        return f"{fig.display}（{numfmt.format_amount(fig.value, '万元')}）"
    return fig.display


def check_prose(texts: Mapping[str, str], form: FormData, *, file: str | None = None) -> list[Finding]:
    """Warnings for hand-written figures that disagree with the form (heading title → filled text)."""
    rules = _rules()
    figs = figures(form)
    out = []
    for heading, text in texts.items():
        for sm in _SENTENCE.finditer(text or ""):
            sentence = sm.group(0).strip()
            norm = unicodedata.normalize("NFKC", sentence)
            if any(w in norm for w in rules.skip_sentence_words):
                continue
            if any(int(y) != form.year for y in _YEAR.findall(norm)):
                continue
            for m in _NUMBER.finditer(norm):
                if not (m["mult"] or m["unit"]):
                    continue
                found = _mismatch(norm, m, figs)
                if found is None:
                    continue
                phrase, fig, written = found
                out.append(
                    Finding(
                        Severity.WARNING,
                        "prose.figure_mismatch",
                        f"正文写“{phrase}”，统计报表中“{fig.name}”为{_form_text(fig)}；所在句子：“{sentence}”",
                        file=file,
                        key=heading,
                        hint=f"请核对后改为报表数值，或写成 {{{{ {fig.name} }}}} 由报表自动填入；"
                        "按报表数值四舍五入到所写位数即视为一致",
                        measured=written,
                        limit=fig.display,
                    )
                )
    return out
