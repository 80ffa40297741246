"""Number formatting: ROUND_HALF_UP, 万元/亿元 boundaries, percentages, counts, year-on-year."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportsmith.compute import indicators
from reportsmith.core import numfmt
@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (2.345, 2, "2.35"),  # float: banker's or binary rounding would give 2.34
        (0.125, 2, "0.13"),  # banker's rounding would give 0.12
        (Decimal("2.345"), 2, "2.35"),
        (1.005, 2, "1.01"),
        (-2.345, 2, "-2.35"),  # halves away from zero
        (2.5, 0, "3"),
        (3.5, 0, "4"),
        (-0.004, 2, "0.00"),  # never "-0.00"
    ],
)
def test_round_half_up(value, places, expected):
    assert str(numfmt.round_half_up(value, places)) == expected


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_round_half_up_rounds_every_half_cent_up(n):
    # n/1000 has a third decimal; a trailing 5 must always go up.
    value = Decimal(n) / 1000
    expected = Decimal((n + 5) // 10) / 100
    assert numfmt.round_half_up(value, 2) == expected


@pytest.mark.parametrize(
    ("wan", "expected"),
    [
        (123456, "12.35亿元"),
        (Decimal("123456"), "12.35亿元"),
        (10000, "1.00亿元"),
        (9999.995, "1.00亿元"),  # rounds to 10,000.00 万元 first, so shown in 亿元
        (Decimal("9999.994"), "9,999.99万元"),
        (9999, "9,999万元"),
        (8765, "8,765万元"),
        (Decimal("8765.50"), "8,765.5万元"),
        (Decimal("0.35"), "0.35万元"),
        (0, "0万元"),
        (Decimal("0.004"), "0万元"),
        (-1234, "-1,234万元"),
        (-12345, "-1.23亿元"),
        (Decimal("-0.004"), "0万元"),
        (Decimal("123456789012"), "12,345,678.90亿元"),
        (123450, "12.35亿元"),  # exactly half a 百万元: up, not to even (12.34)
        (Decimal("123449.99"), "12.34亿元"),
        (Decimal("99999.5"), "10.00亿元"),
        (Decimal("-9999.995"), "-1.00亿元"),  # the boundary holds for losses too
        (Decimal("1.005"), "1.01万元"),
        (Decimal("1e30"), "100,000,000,000,000,000,000,000,000.00亿元"),  # beyond 28 digits
    ],
)
def test_format_amount_auto(wan, expected):
    assert numfmt.format_amount(wan) == expected


def test_format_amount_forced_units():
    assert numfmt.format_amount(123456, "万元") == "123,456万元"
    assert numfmt.format_amount(8765, "亿元") == "0.88亿元"
    with pytest.raises(ValueError):
        numfmt.format_amount(1, "元")


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [(Decimal("0.052"), "5.2%"), (0.0525, "5.3%"), (0, "0.0%"), (Decimal("0.00049"), "0.0%"), (1, "100.0%"),
     (Decimal("-0.0125"), "-1.3%"), (Decimal("0.1225"), "12.3%"), (Decimal("0.0005"), "0.1%")],
)  # fmt: skip
def test_format_percent(ratio, expected):
    assert numfmt.format_percent(ratio) == expected


def test_format_count_and_value():
    assert numfmt.format_count(326, "家") == "326家"
    assert numfmt.format_count(12345, "人") == "12,345人"
    assert indicators.format_value("营业收入", 123456) == "12.35亿元"
    assert indicators.format_value("上市企业", 3) == "3家"  # an alias
    assert indicators.format_value("集群人员总数", 64068) == "64,068人"
    assert indicators.format_value("研发投入强度", Decimal("0.0312")) == "3.1%"
    assert indicators.format_value("人均营业收入", Decimal("25")) == "25.00万元/人"
    with pytest.raises(KeyError):
        indicators.format_value("营收", 1)


@pytest.mark.parametrize(
    ("cur", "prev", "kind", "expected"),
    [
        (112, 100, "amount", "同比增长12.0%"),
        (96, 100, "amount", "同比下降4.0%"),
        (100, 100, "amount", "与上年持平"),
        (Decimal("100.04"), 100, "amount", "与上年持平"),  # 0.04% rounds to 0.0%
        (5, 0, "amount", ""),  # no percentage change from a zero base
        (0, 0, "count", "与上年持平"),
        (Decimal("0.05"), Decimal("0.038"), "ratio", "提高1.2个百分点"),
        (Decimal("0.04"), Decimal("0.052"), "ratio", "下降1.2个百分点"),
        (Decimal("0.0500"), Decimal("0.0504"), "ratio", "与上年持平"),
        (-1500, -1350, "signed_amount", "比上年减少150万元"),
        (2000, -500, "signed_amount", "比上年增加2,500万元"),
        (110, 100, "signed_amount", "同比增长10.0%"),
        (112, None, "amount", ""),
    ],
)
def test_format_change(cur, prev, kind, expected):
    assert numfmt.format_change(cur, prev, kind) == expected


def test_format_added():
    assert numfmt.format_added(346, 324, "家") == "新增22家"
    assert numfmt.format_added(3, 6, "个") == "比上年减少3个"
    assert numfmt.format_added(5, 5, "家") == "与上年持平"
    assert numfmt.format_added(5, None, "家") == ""


def test_a_change_in_points_is_the_difference_of_the_shown_percentages():
    """营业收入利润率 shown 6.4% → 6.7% was described as 提高0.2个百分点 (0.06449 → 0.06651)."""
    from reportsmith.core.numfmt import format_change, format_percent

    cur, prev = Decimal("0.06651"), Decimal("0.06449")
    assert (format_percent(prev), format_percent(cur)) == ("6.4%", "6.7%")
    assert format_change(cur, prev, "ratio") == "提高0.3个百分点"
    assert format_change(Decimal("0.0475"), Decimal("0.0465"), "ratio") == "提高0.1个百分点"  # 4.8% vs 4.7%, not 持平
    assert format_change(Decimal("0.04751"), Decimal("0.04649"), "ratio") == "提高0.2个百分点"  # 4.8% vs 4.6%


def test_a_derived_figure_change_is_computed_from_its_shown_decimals():
    from reportsmith.core.numfmt import format_change

    # 人均营业收入 shown 10.00 and 8.00 万元/人: exactly +25.0%, whatever the hidden digits
    assert format_change(Decimal("9.996"), Decimal("8.004"), "number", 2) == "同比增长25.0%"
