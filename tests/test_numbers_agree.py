"""Shown numbers agree with themselves: every change and ratio the report states can be
recomputed from the figures it shows.

Walks every row of the appendix (主要指标) and every data sentence of all 48 demo
clusters. A change is recomputed from the shown value and the shown previous value: a
percentage-point change exactly from the two shown percentages (6.4% → 6.7% is 提高0.3个
百分点, never 0.2), a growth rate or a difference exactly from figures shown at full
precision (counts, 万元 with their decimals, derived figures as shown), and within the
display precision where a sentence rounds the amount to 0.01 亿元. A derived row of the
appendix is recomputed from the appendix's own rows.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from reportsmith.compute import indicators
from reportsmith.compute.figures import figures
from reportsmith.compute.highlights import section_sentences
from reportsmith.core.numfmt import round_half_up
from reportsmith.form.load import load_form
from reportsmith.form.spec import rows_by_key

DEMOS = Path(__file__).resolve().parents[1] / "inputs"
CLUSTERS = sorted(d.name for d in DEMOS.iterdir() if (d / "form.yaml").exists())
HUNDRED = Decimal(100)

_CHANGE = re.compile(
    r"同比(?P<pdir>增长|下降)(?P<pct>[\d,.]+)%"
    r"|(?P<qdir>提高|下降)(?P<pts>[\d.]+)个百分点"
    r"|(?P<flat>与上年持平)"
    r"|(?P<ddir>新增|比上年减少|比上年增加)(?P<diff>[\d,.]+)(?P<dunit>亿元|万元|家|人|件|项|个)?"
)


def _num(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _stated(change: str) -> list[tuple[str, Decimal]]:
    """("pct" | "pts" | "diff" | "flat", signed value) for each change stated in ``change``."""
    out = []
    for m in _CHANGE.finditer(change):
        if m["pct"]:
            out.append(("pct", _num(m["pct"]) * (-1 if m["pdir"] == "下降" else 1)))
        elif m["pts"]:
            out.append(("pts", _num(m["pts"]) * (-1 if m["qdir"] == "下降" else 1)))
        elif m["flat"]:
            out.append(("flat", Decimal(0)))
        else:
            value = _num(m["diff"]) * (10000 if m["dunit"] == "亿元" else 1)
            out.append(("diff", value * (-1 if m["ddir"] == "比上年减少" else 1)))
    return out


def _pct(v: Decimal, p: Decimal) -> Decimal:
    return round_half_up((v - p) / abs(p) * HUNDRED, 1)


def _agrees(kind: str, stated: Decimal, v: Decimal, p: Decimal, percent_row: bool) -> bool:
    if kind == "flat" and v == p:
        return True
    if kind == "pts" or (kind == "flat" and percent_row):
        return round_half_up(v - p, 1) == stated
    if kind == "pct" or kind == "flat":
        return p != 0 and _pct(v, p) == stated
    return v - p == stated


def _forms():
    return [(name, load_form(DEMOS / name / "form.yaml")[0]) for name in CLUSTERS]


def test_all_48_demo_clusters_are_walked():
    assert len(CLUSTERS) == 48


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_every_appendix_row_states_the_change_its_shown_values_give(cluster):
    form, _ = load_form(DEMOS / cluster / "form.yaml")
    checked = 0
    for row in indicators.appendix_rows(form):
        if not row.change or not row.previous or indicators.NOT_COMPUTABLE in row.value + row.previous:
            continue
        v, p = _num(row.value), _num(row.previous)
        for kind, stated in _stated(row.change):
            assert _agrees(kind, stated, v, p, row.unit == "%"), (
                f"{cluster} {row.label}: 本年 {row.value}、上年 {row.previous}，表中写“{row.change}”"
            )
            checked += 1
    assert checked or not form.previous


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_every_derived_appendix_row_is_reproduced_from_the_rows_it_shows(cluster):
    form, _ = load_form(DEMOS / cluster / "form.yaml")
    rows = indicators.appendix_rows(form)
    shown = {key: _num(r.value) for key, r in zip([k for k in rows_by_key() if k in form.values], rows)}
    derived = {r.label: r for r in rows if r.derived}
    assert [r.label for r in rows if not r.derived] == [
        r.label for r in rows[: len(shown)]
    ]  # the form rows come first, in form order
    checked = 0
    for spec in indicators.specs():
        row = derived.get(spec.name)
        if row is None or indicators.NOT_COMPUTABLE in row.value:
            continue
        value, _ = spec.formula.evaluate(shown)
        scale = HUNDRED if spec.is_ratio else Decimal(1)
        assert round_half_up(value * scale, spec.decimals) == _num(row.value), (cluster, spec.name)
        checked += 1
    assert checked


_SHOWN_CHANGE = re.compile(
    r"(?P<val>-?[\d,]+(?:\.\d+)?)(?P<unit>亿元|万元|%|家|人|件|项|个|万元/人)[^，。；\d]{0,4}[，；]"
    r"(?P<change>(?:授权量)?(?:同比(?:增长|下降)[\d.]+%|(?:提高|下降)[\d.]+个百分点|与上年持平"
    r"|新增[\d,]+\w|比上年(?:增加|减少)[\d,.]+(?:亿元|万元|家|人|件|项|个)))"
)


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_every_data_sentence_states_the_change_its_shown_values_give(cluster):
    """The shown value in the sentence and last year's value as the appendix shows it."""
    form, _ = load_form(DEMOS / cluster / "form.yaml")
    figs = {f.name: f for f in figures(form).values() if f.available}
    checked = 0
    for sentence in [s for ss in section_sentences(form).values() for s in ss]:
        for m in _SHOWN_CHANGE.finditer(sentence):
            shown, change = m["val"] + m["unit"], m["change"].removeprefix("授权量")
            fig = next(f for f in figs.values() if f.display == shown and change in (f.change, f.added))
            percent = fig.kind == "ratio"
            v = _num(m["val"]) * (10000 if m["unit"] == "亿元" else 1)
            p = Decimal(fig.previous)
            p = round_half_up(p * HUNDRED, fig.decimals) if percent else round_half_up(p, 2 if fig.kind != "number" else fig.decimals)
            for kind, stated in _stated(change):
                if m["unit"] == "亿元":  # the sentence rounds to 0.01 亿元 (±50 万元)
                    ok = _within(kind, stated, v, p)
                else:
                    ok = _agrees(kind, stated, v, p, percent)
                assert ok, f"{cluster}: “{sentence}” 写“{change}”，本年 {shown}、上年 {fig.previous_display}"
                checked += 1
    assert checked or not form.previous


def _within(kind: str, stated: Decimal, v: Decimal, p: Decimal) -> bool:
    """The stated change lies between what the lowest and highest value 0.01 亿元 can stand for give."""
    low, high = v - 50, v + 50
    if kind == "diff":
        return low - p <= stated <= high - p
    if p == 0:
        return False
    ends = sorted([(low - p) / abs(p) * HUNDRED, (high - p) / abs(p) * HUNDRED])
    return round_half_up(ends[0], 1) <= stated <= round_half_up(ends[1], 1)


def test_the_data_sentences_pass_the_prose_check_and_fail_it_against_another_form():
    """The sentences the tool writes agree with the form by the prose check's own reading;
    the same sentences checked against a form with every figure 20 % higher do not."""
    from dataclasses import replace

    from reportsmith.checks.prose import check_prose

    total = wrong = 0
    for _, form in _forms():
        texts = {h: "".join(s) for h, s in section_sentences(form).items()}
        assert check_prose(texts, form) == [], form.source
        higher = {k: (v * 12 // 10 if isinstance(v, int) else v * Decimal("1.2")) for k, v in form.values.items()}
        total += sum(len(s) for s in section_sentences(form).values())
        wrong += len(check_prose(texts, replace(form, values=higher)))
    assert total > 1000 and wrong > total // 2
