"""Derived figures (``data/indicators.yaml``) computed from one cluster's form.

A formula is a tiny arithmetic language parsed here — row names (keys or aliases),
numbers, ``+ - * /`` and parentheses — so the data file cannot run code. A figure whose
inputs are 未填 or whose denominator is 0 is "不可计算" with a reason; it is never 0 and
never an exception. ``show_if`` (``name > 0`` style) decides whether a figure is listed
at all; when the condition cannot be evaluated (a value 未填) the figure is listed, so
that the missing input is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, Mapping

from reportsmith.form import spec as formspec

from reportsmith.core import numfmt
from reportsmith.records.assembled import AppendixRow
from reportsmith.core.errors import Finding, Severity
from reportsmith.form.data import FormData
from reportsmith.core.resources import load_data

NOT_COMPUTABLE = "不可计算"

_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<op>>=|<=|==|!=|[-+*/()<>])|(?P<name>[^\s\-+*/()<>=!]+))")
_CMP = {">": Decimal.__gt__, ">=": Decimal.__ge__, "<": Decimal.__lt__, "<=": Decimal.__le__,
        "==": Decimal.__eq__, "!=": Decimal.__ne__}  # fmt: skip


class _NotComputable(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"cannot parse formula {text!r} at {pos}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    """Recursive descent: expr := term (+|- term)*; term := factor (*|/ factor)*."""

    def __init__(self, text: str) -> None:
        self.toks, self.i, self.text = _tokens(text), 0, text

    def _peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def _take(self) -> tuple[str, str]:
        tok = self._peek()
        if tok is None:
            raise ValueError(f"formula {self.text!r} ends too early")
        self.i += 1
        return tok

    def parse(self, *, condition: bool = False) -> tuple:
        node = self._expr()
        tok = self._peek()
        if condition and tok and tok[1] in _CMP:
            self._take()
            node = ("cmp", tok[1], node, self._expr())
        if self._peek() is not None:
            raise ValueError(f"unexpected {self._peek()[1]!r} in formula {self.text!r}")
        return node

    def _expr(self) -> tuple:
        node = self._term()
        while (tok := self._peek()) and tok[1] in "+-":
            self._take()
            node = ("bin", tok[1], node, self._term())
        return node

    def _term(self) -> tuple:
        node = self._factor()
        while (tok := self._peek()) and tok[1] in "*/":
            self._take()
            node = ("bin", tok[1], node, self._factor())
        return node

    def _factor(self) -> tuple:
        kind, text = self._take()
        if kind == "num":
            return ("num", Decimal(text))
        if kind == "name":
            key = formspec.resolve_key(text)
            if key is None:
                raise ValueError(f"formula {self.text!r}: {text!r} is not a row of data/form.yaml")
            return ("name", key, text)
        if text == "(":
            node = self._expr()
            if self._take()[1] != ")":
                raise ValueError(f"missing ')' in formula {self.text!r}")
            return node
        raise ValueError(f"unexpected {text!r} in formula {self.text!r}")


def _names(node: tuple) -> list[tuple[str, str]]:
    if node[0] == "name":
        return [(node[1], node[2])]
    if node[0] in ("bin", "cmp"):
        return _names(node[2]) + [n for n in _names(node[3]) if n not in _names(node[2])]
    return []


def _eval(node: tuple, values: Mapping) -> Decimal:
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "name":
        return numfmt.to_decimal(values[node[1]])
    left, right = _eval(node[2], values), _eval(node[3], values)
    if kind == "cmp":
        return Decimal(int(_CMP[node[1]](left, right)))
    if node[1] == "/" and right == 0:
        raise _NotComputable(f"“{node[3][2]}”为 0，不能作分母" if node[3][0] == "name" else "分母为 0")
    op = node[1]
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    return left * right if op == "*" else left / right


@dataclass(frozen=True)
class Formula:
    """A parsed ``formula`` or ``show_if`` of ``data/indicators.yaml``."""

    text: str
    tree: tuple

    @property
    def names(self) -> list[str]:
        """The form rows used, as written in the formula, in order of first use."""
        return [shown for _, shown in _names(self.tree)]

    def evaluate(self, values: Mapping) -> tuple[Decimal | None, str | None]:
        """``(value, None)``, or ``(None, reason)`` when an input is 未填 or a denominator is 0.

        ``values`` maps row keys to numbers (``FormData.values``); a condition gives 1 or 0.
        """
        missing = [shown for key, shown in _names(self.tree) if key not in values]
        if missing:
            return None, "、".join(f"“{m}”" for m in missing) + "未填"
        try:
            return _eval(self.tree, values), None
        except _NotComputable as exc:
            return None, exc.reason


def parse_formula(text: str, *, condition: bool = False) -> Formula:
    """Parse a formula (``condition``: one comparison such as ``孵化器 > 0``).

    Raises ValueError naming the formula when it is malformed or names an unknown row.
    """
    return Formula(text, _Parser(text).parse(condition=condition))


@dataclass(frozen=True)
class IndicatorSpec:
    id: str
    name: str
    formula: Formula
    unit: str
    decimals: int
    condition: Formula | None = None

    @property
    def is_ratio(self) -> bool:
        return self.unit == "%"


@lru_cache(maxsize=1)
def specs() -> tuple[IndicatorSpec, ...]:
    """The derived figures of ``data/indicators.yaml``, formulas parsed (ValueError if malformed)."""
    out = []
    for d in load_data("indicators.yaml")["indicators"]:
        cond = parse_formula(d["show_if"], condition=True) if d.get("show_if") else None
        out.append(IndicatorSpec(d["id"], d["name"], parse_formula(d["formula"]), d["unit"], int(d["decimals"]), cond))
    return tuple(out)


def find_spec(name: str) -> IndicatorSpec | None:
    """The derived figure with this id or Chinese name."""
    return next((s for s in specs() if name in (s.id, s.name)), None)


@dataclass(frozen=True)
class Indicator:
    """One derived figure for one cluster (``value`` unrounded; a ratio for "%" figures)."""

    id: str
    name: str
    value: Decimal | None
    unit: str
    display: str
    reason: str | None
    previous: Decimal | None
    change: str
    decimals: int = 1
    shown: bool = True

    @property
    def computable(self) -> bool:
        return self.value is not None


def _compute_one(spec: IndicatorSpec, form: FormData) -> Indicator:
    value, reason = spec.formula.evaluate(form.values)
    previous, _ = spec.formula.evaluate(form.previous) if form.previous else (None, None)
    shown = True
    if spec.condition is not None:
        ok, _ = spec.condition.evaluate(form.values)
        shown = ok is None or ok == 1
    display = numfmt.format_derived(value, spec.unit, spec.decimals) if value is not None else NOT_COMPUTABLE
    change = numfmt.format_change(value, previous, "ratio" if spec.is_ratio else "number", spec.decimals)
    return Indicator(spec.id, spec.name, value, spec.unit, display, reason, previous, change, spec.decimals, shown)


def compute(form: FormData) -> list[Indicator]:
    """Every derived figure of ``data/indicators.yaml`` for this form, in file order."""
    return [_compute_one(s, form) for s in specs()]


def not_computable_findings(form: FormData) -> list[Finding]:
    """One info finding per listed derived figure that cannot be computed, with the reason."""
    out = []
    for ind in compute(form):
        if ind.shown and not ind.computable:
            out.append(
                Finding(
                    Severity.INFO,
                    "indicators.not_computable",
                    f"派生指标“{ind.name}”{NOT_COMPUTABLE}：{ind.reason}",
                    file=form.source,
                    key=ind.name,
                    hint="在统计报表中补填相应数值后即可计算；确实无法填写时可忽略本提示",
                )
            )
    return out


_LABEL_NOISE = re.compile(r"^[（(][一二三四五六七八九十]+[)）]|^[一二三四五六七八九十]+、|[（(]附名单[)）]$")


def _plain(value, row: formspec.FormRow) -> str:
    return numfmt.format_number(value, 0 if row.is_count else 2)


def _row_change(row: formspec.FormRow, cur, prev) -> str:
    parts = [numfmt.format_change(cur, prev, row.kind or "amount")]
    if row.is_count:
        parts.append(numfmt.format_added(cur, prev, row.unit or ""))
    parts = [p for i, p in enumerate(parts) if p and p not in parts[:i]]
    return "，".join(parts)


def _derived_plain(value: Decimal | None, ind: Indicator) -> str:
    if value is None:
        return ""
    return numfmt.format_number(value * 100 if ind.unit == "%" else value, ind.decimals, fixed=True)


def appendix_rows(form: FormData) -> list[AppendixRow]:
    """附件 主要指标: filled rows in form order (values in the form's unit), then derived figures."""
    rows = []
    for row in formspec.value_rows():
        if row.key not in form.values:
            continue
        cur, prev = form.values[row.key], form.previous.get(row.key)
        rows.append(
            AppendixRow(
                label=_LABEL_NOISE.sub("", row.label).strip(),
                unit=row.unit or "",
                value=_plain(cur, row),
                previous=_plain(prev, row) if prev is not None else "",
                change=_row_change(row, cur, prev),
                indent=row.indent,
            )
        )
    for ind in compute(form):
        if not ind.shown:
            continue
        value = _derived_plain(ind.value, ind) or f"{NOT_COMPUTABLE}（{ind.reason}）"
        # Last year's figure: blank when no previous year was given, 不可计算 when it was but
        # the figure cannot be computed from it (e.g. a denominator of 0).
        previous = _derived_plain(ind.previous, ind) or (NOT_COMPUTABLE if form.previous else "")
        rows.append(AppendixRow(ind.name, ind.unit, value, previous, ind.change, 0, True))
    return rows


def format_value(name: str, value: Any) -> str:
    """Format ``value`` the way the form row or derived figure ``name`` is shown.

    ``name`` is a row key, a row alias, a derived figure's id or its Chinese name.

    >>> format_value("营业收入", 123456), format_value("研发投入强度", Decimal("0.0312"))
    ('12.35亿元', '3.1%')
    """
    key = formspec.resolve_key(name)
    if key is not None:
        row = formspec.rows_by_key()[key]
        if row.kind == "count":
            return numfmt.format_count(value, row.unit or "")
        return numfmt.format_amount(value)
    spec = find_spec(name)
    if spec is None:
        raise KeyError(name)
    return numfmt.format_derived(value, spec.unit, spec.decimals)
