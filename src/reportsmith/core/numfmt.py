"""The one place numbers are turned into text for users.

House style (decided here, used everywhere):

* Rounding is always ROUND_HALF_UP on decimals (2.345 → 2.35, 0.125 → 0.13). A float is
  converted through ``str`` first, so the binary artefact of ``2.345`` does not leak in.
* 万元 amounts are rounded to two decimals first; if the *rounded* magnitude is 10,000 万元
  or more they are shown in 亿元 with exactly two decimals and thousands separators
  (123,456 → "12.35亿元"; 9,999.995 rounds to 10,000.00 and so becomes "1.00亿元").
  Smaller amounts stay in 万元 with thousands separators and decimals only when the
  rounded value is not an integer, at most two, trailing zeros dropped ("8,765万元",
  "8,765.5万元", "0.35万元").
* Negative amounts keep a minus sign ("-1,234万元", "-1.23亿元"); words such as 亏损 are
  chosen by the sentence templates, not here. A value that rounds to zero never shows "-0".
* Percentages take a ratio (0.052) and show one decimal ("5.2%").
* Counts are integers with thousands separators and their unit ("326家", "12,345人").
* Year-on-year: "同比增长12.3%" / "同比下降4.0%" / "与上年持平" (the change rounds to 0.0%);
  for ratio figures the change is in percentage points ("提高1.2个百分点"), the difference
  of the two percentages as shown (6.4% → 6.7% is always 0.3); when last
  year's base is 0 a percentage change does not exist and the text is empty; for amounts
  that are or were negative (净利润) the change is the difference ("比上年增加1,234万元").
  Counts also have "新增36家" / "比上年减少3家" / "与上年持平".
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext
from typing import Any

YI = Decimal(10000)  # 1 亿元 = 10,000 万元


def to_decimal(value: Any) -> Decimal:
    """``value`` as a Decimal; floats go through ``str`` (so 2.345 stays 2.345)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("a bool is not a number")
    if isinstance(value, float):
        return Decimal(str(value))
    return Decimal(value)


def round_half_up(value: Any, places: int) -> Decimal:
    """Round to ``places`` decimals, halves away from zero.

    >>> round_half_up(2.345, 2), round_half_up(0.125, 2)
    (Decimal('2.35'), Decimal('0.13'))
    """
    d = _quantize(to_decimal(value), places, ROUND_HALF_UP)
    return d if d != 0 else abs(d)  # no "-0.00"


def truncate(value: Any, places: int) -> Decimal:
    """Cut (not round) to ``places`` decimals, towards zero."""
    return _quantize(to_decimal(value), places, ROUND_DOWN)


def _quantize(d: Decimal, places: int, rounding: str) -> Decimal:
    # The default context keeps 28 digits; a larger number would raise InvalidOperation,
    # so the precision is widened to the digits this number actually needs.
    with localcontext(prec=max(28, d.adjusted() + places + 2)):
        return d.quantize(Decimal(1).scaleb(-places), rounding=rounding)


def format_number(value: Any, places: int = 2, *, fixed: bool = False) -> str:
    """A number with thousands separators, rounded half-up to ``places`` decimals.

    ``fixed`` keeps exactly ``places`` decimals; otherwise trailing zeros are dropped.

    >>> format_number(8765.50), format_number(12.3456, 2, fixed=True)
    ('8,765.5', '12.35')
    """
    d = round_half_up(value, places)
    text = f"{d:,.{places}f}"
    if not fixed and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def amount_unit(wan: Any) -> str:
    """"亿元" or "万元": the unit :func:`format_amount` chooses for this many 万元."""
    return "亿元" if abs(round_half_up(wan, 2)) >= YI else "万元"


def format_amount(wan: Any, unit: str = "auto") -> str:
    """A 万元 amount as text: ``auto`` picks 亿元 from 10,000 万元 up.

    >>> format_amount(123456), format_amount(8765), format_amount(123456, "万元")
    ('12.35亿元', '8,765万元', '123,456万元')
    """
    d = to_decimal(wan)
    if unit == "auto":
        unit = amount_unit(d)
    if unit == "亿元":
        return f"{format_number(d / YI, 2, fixed=True)}亿元"
    if unit == "万元":
        return f"{format_number(d, 2)}万元"
    raise ValueError(f"unknown amount unit {unit!r}")


def format_percent(ratio: Any, places: int = 1) -> str:
    """A ratio as a percentage with one decimal.

    >>> format_percent(Decimal("0.052")), format_percent(0.0525)
    ('5.2%', '5.3%')
    """
    return f"{format_number(to_decimal(ratio) * 100, places, fixed=True)}%"


def format_count(n: Any, unit: str) -> str:
    """A count with its unit.

    >>> format_count(326, "家")
    '326家'
    """
    return f"{format_number(n, 0)}{unit}"



def format_derived(value: Any, unit: str, decimals: int) -> str:
    """A derived figure: "%" figures are ratios; others a number with fixed decimals and unit."""
    if unit == "%":
        return format_percent(value, decimals)
    return f"{format_number(value, decimals, fixed=True)}{unit}"


def format_change(current: Any, previous: Any, kind: str, places: int | None = None) -> str:
    """The year-on-year text for a value against last year's (see the module docstring).

    ``kind`` is ``count``, ``amount``, ``signed_amount``, ``ratio`` (a "%" figure) or
    ``number`` (another derived figure). Returns "" when no change can be stated.

    The change is computed from the two values *as they are shown* — a ratio's percentage
    rounded to ``places`` decimals (default 1), an amount to 0.01 万元, a ``number`` to
    ``places`` — so that a reader who recomputes it from the shown figures gets the same
    result: 6.4% → 6.7% is 提高0.3个百分点 even when the unrounded ratios differ by 0.2.

    >>> format_change(112, 100, "amount"), format_change(Decimal("0.05"), Decimal("0.038"), "ratio")
    ('同比增长12.0%', '提高1.2个百分点')
    >>> format_change(Decimal("0.06651"), Decimal("0.06449"), "ratio")
    '提高0.3个百分点'
    """
    if current is None or previous is None:
        return ""
    cur, prev = to_decimal(current), to_decimal(previous)
    if kind == "ratio":
        shown = 1 if places is None else places
        points = round_half_up(cur * 100, shown) - round_half_up(prev * 100, shown)
        if points == 0:
            return "与上年持平"
        return f"{'提高' if points > 0 else '下降'}{format_number(abs(points), max(shown, 1), fixed=True)}个百分点"
    if kind == "number" and places is not None:
        cur, prev = round_half_up(cur, places), round_half_up(prev, places)
    elif kind != "number":
        cur, prev = round_half_up(cur, 2), round_half_up(prev, 2)
    if kind == "signed_amount" and (cur < 0 or prev < 0):
        diff = cur - prev
        if diff == 0:
            return "与上年持平"
        return f"比上年{'增加' if diff > 0 else '减少'}{format_amount(abs(diff))}"
    if prev == 0:
        return "与上年持平" if cur == 0 else ""
    pct = round_half_up((cur - prev) / abs(prev) * 100, 1)
    if pct == 0:
        return "与上年持平"
    return f"同比{'增长' if pct > 0 else '下降'}{format_number(abs(pct), 1, fixed=True)}%"


def format_added(current: Any, previous: Any, unit: str) -> str:
    """The change of a count in units: "新增36家" / "比上年减少3家" / "与上年持平" ("" if unknown).

    A bare "减少3家" after a count could be read as "reduced to", so a decrease names the base.
    """
    if current is None or previous is None:
        return ""
    diff = int(to_decimal(current) - to_decimal(previous))
    if diff == 0:
        return "与上年持平"
    return f"{'新增' if diff > 0 else '比上年减少'}{format_count(abs(diff), unit)}"
