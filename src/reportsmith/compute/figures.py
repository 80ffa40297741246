"""Figures in writer text: ``{{ 营业收入 }}``, ``{{ 营业收入 | 亿元 }}``, ``{{ 研发投入强度 }}``.

The text is scanned here, not handed to jinja2 whole: only a span that is exactly a
figure expression — a name, optionally one ``| 过滤器`` — is evaluated; everything else
(``{{ }}``, ``{% %}``, ``{{ 1+1 }}``, ``{{ ''.__class__ }}``) stays literal, and ``\\{{`` is a
literal ``{{``. A figure expression is compiled in an ``ImmutableSandboxedEnvironment``
whose only variable is the one figure and whose only filters are the formatting ones.

A figure that is 未填 or 不可计算 is filled with a visible ``【待补充：…】`` placeholder so
the gap shows in the draft, never with 0 or a blank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Callable

from reportsmith.form import spec as formspec

from reportsmith.compute import indicators

from reportsmith.core import numfmt
from reportsmith.core.errors import InputError
from reportsmith.form.data import FormData
from reportsmith.core.textutil import suggestion

AMOUNT_KINDS = ("amount", "signed_amount")


class FigureError(InputError):
    """A figure expression in writer text names an unknown figure or misuses a filter."""


@dataclass(frozen=True)
class Figure:
    """A form row or derived figure as templates see it; ``str()`` is the display text."""

    name: str
    kind: str  # count / amount / signed_amount / ratio / number
    unit: str
    value: Decimal | int | None
    previous: Decimal | int | None = None
    reason: str | None = None
    decimals: int = 0
    shown: bool = True  # False: a derived figure whose show_if condition does not hold

    @property
    def available(self) -> bool:
        return self.value is not None

    def _fmt(self, value) -> str:
        if self.kind == "count":
            return numfmt.format_count(value, self.unit)
        if self.kind in AMOUNT_KINDS:
            return numfmt.format_amount(value)
        return numfmt.format_derived(value, "%" if self.kind == "ratio" else self.unit, self.decimals)

    @property
    def display(self) -> str:
        return self._fmt(self.value) if self.value is not None else indicators.NOT_COMPUTABLE

    def __str__(self) -> str:
        return self.display

    @property
    def change(self) -> str:
        """"同比增长12.3%" / "提高1.2个百分点" / "与上年持平", or "" without last year's value."""
        places = self.decimals if self.kind in ("ratio", "number") else None
        return numfmt.format_change(self.value, self.previous, self.kind, places)

    @property
    def added(self) -> str:
        """Counts only: "新增5家" / "比上年减少3家" / "与上年持平", or ""."""
        return numfmt.format_added(self.value, self.previous, self.unit) if self.kind == "count" else ""

    @property
    def previous_display(self) -> str:
        return self._fmt(self.previous) if self.previous is not None else ""

    @property
    def negative(self) -> bool:
        return self.value is not None and self.value < 0


def _placeholder(fig: Figure, what: str, why: str) -> str:
    return f"【待补充：{fig.name}{what}（{why}）】"


def _default(fig: Figure) -> str:
    if not fig.available:
        return _placeholder(fig, "", fig.reason or "统计报表未填")
    return fig.display


def _in_unit(unit: str) -> Callable[[Figure], str]:
    def fmt(fig: Figure) -> str:
        return numfmt.format_amount(fig.value, unit) if fig.available else _default(fig)

    return fmt


def _change(fig: Figure) -> str:
    if not fig.available:
        return _default(fig)
    if fig.previous is None:
        return _placeholder(fig, "同比", "统计报表未填上年数据 previous")
    return fig.change or _placeholder(fig, "同比", "上年为 0，无法计算同比")


def _added(fig: Figure) -> str:
    if not fig.available:
        return _default(fig)
    return fig.added or _placeholder(fig, "新增数", "统计报表未填上年数据 previous")


def _previous(fig: Figure) -> str:
    return fig.previous_display or _placeholder(fig, "上年数", "统计报表未填上年数据 previous")


# filter name → (function, kinds it applies to; None = every kind)
FILTERS: dict[str, tuple[Callable[[Figure], str], tuple[str, ...] | None]] = {
    "亿元": (_in_unit("亿元"), AMOUNT_KINDS),
    "万元": (_in_unit("万元"), AMOUNT_KINDS),
    "同比": (_change, None),
    "新增": (_added, ("count",)),
    "上年": (_previous, None),
}


def figure_names() -> list[str]:
    """Every name a writer may use: row keys, row aliases, derived figure names."""
    names = []
    for row in formspec.value_rows():
        names += [n for n in (row.alias, row.key) if n]
    return names + [s.name for s in indicators.specs()]


# (form, its figures) of the last call: one report asks for the figures of the same form
# several times (each block with expressions, the data sentences, the prose check).
_last_figures: tuple[FormData, dict[str, Figure]] | None = None


def figures(form: FormData) -> dict[str, Figure]:
    """Every figure of this form by every name it can be called (未填 ones have value None).

    The result is shared between calls with the same form object: read it, do not change it.
    """
    global _last_figures
    last = _last_figures
    if last is not None and last[0] is form:
        return last[1]
    out = _figures(form)
    _last_figures = (form, out)
    return out


def _figures(form: FormData) -> dict[str, Figure]:
    out: dict[str, Figure] = {}
    for row in formspec.value_rows():
        fig = Figure(row.name, row.kind or "amount", row.unit or "", form.values.get(row.key),
                     form.previous.get(row.key), None if row.key in form.values else "统计报表未填")  # fmt: skip
        for n in (row.alias, row.key):
            if n:
                out[n] = fig
    for ind in indicators.compute(form):
        kind = "ratio" if ind.unit == "%" else "number"
        reason = f"{indicators.NOT_COMPUTABLE}：{ind.reason}" if ind.reason else None
        out[ind.name] = Figure(ind.name, kind, ind.unit, ind.value, ind.previous, reason, ind.decimals, ind.shown)
    return out


@lru_cache(maxsize=1)
def sandbox():
    """The jinja2 environment figure expressions run in: immutable sandbox, no globals or
    tests, only the formatting filters. Writer text never becomes template source here (see
    :func:`fill_text`); the sandbox is the second wall."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
    env.globals.clear()  # no range, lipsum, cycler, namespace…
    env.tests.clear()
    env.filters = {name: fn for name, (fn, _) in FILTERS.items()}
    env.filters["_default"] = _default
    return env


@lru_cache(maxsize=16)
def _compiled(filter_name: str | None):
    # The only variable is "v"; the writer's name never reaches the template source.
    return sandbox().from_string("{{ v | %s }}" % (filter_name or "_default"))


_NAME = r"[^\W\d][\w（）“”]*"
# The filter bar may be typed full-width (｜) with a Chinese input method.
_EXPR = re.compile(rf"\s*(?P<name>{_NAME})\s*(?:[|｜]\s*(?P<filter>{_NAME})\s*)?")


def _short(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters for a message (a pasted paragraph stays readable)."""
    return text if len(text) <= limit else text[:limit] + "…"


def _evaluate(name: str, filter_name: str | None, figs: dict[str, Figure] | None, section: str, file: str | None) -> str:
    raw = _short("{{ " + name + (f" | {filter_name}" if filter_name else "") + " }}")
    if name == "数据句" and filter_name is None:
        raise FigureError(
            f"“{section}”中的数据句标记“{{{{ 数据句 }}}}”与其他文字写在了同一行",
            file=file,
            key=section,
            hint="请让“{{ 数据句 }}”单独占一行：数据句作为一段印在这里",
        )
    if name not in (figs or {}) and name not in figure_names():
        raise FigureError(
            f"“{section}”中的“{raw}”引用了未知的指标“{_short(name)}”",
            file=file,
            key=section,
            hint=suggestion(name, figure_names()) + "可用的名称见 reportsmith highlights 的输出；如果这是普通文字，请写成 \\{{",
        )
    if figs is None:
        raise FigureError(
            f"“{section}”中写了“{raw}”，但没有统计报表可以取数",
            file=file,
            key=section,
            hint="请在同一文件夹中放入 form.yaml，或把表达式改为具体文字",
        )
    fig = figs[name]
    if filter_name is not None:
        if filter_name not in FILTERS:
            raise FigureError(
                f"“{section}”中的“{raw}”使用了未知的过滤器“{_short(filter_name)}”",
                file=file,
                key=section,
                hint=suggestion(filter_name, FILTERS) + "可用的过滤器：" + "、".join(FILTERS),
            )
        kinds = FILTERS[filter_name][1]
        if kinds is not None and fig.kind not in kinds:
            what = "万元金额" if kinds == AMOUNT_KINDS else "家、个、人等计数指标"
            raise FigureError(
                f"“{section}”中的“{raw}”：过滤器“{filter_name}”只能用于{what}，“{name}”的单位是{fig.unit}",
                file=file,
                key=section,
                hint=f"去掉“| {filter_name}”即可按默认格式显示",
            )
    return _compiled(filter_name).render(v=fig)


def fill_text(text: str, form: FormData | None, *, section: str, file: str | None = None) -> str:
    """Replace the figure expressions in ``text`` with figures from ``form``.

    Raises :class:`FigureError` on an unknown name or filter (with a did-you-mean).

    >>> fill_text("收入{{ 营业收入 | 亿元 }}", FormData({"营业收入": Decimal(123456)}), section="一")
    '收入12.35亿元'
    """
    figs = figures(form) if form is not None and "{{" in text else None
    out, i, k = [], 0, -1
    while True:
        j = text.find("{{", i)
        if j < 0:
            out.append(text[i:])
            return "".join(out)
        if j > 0 and text[j - 1] == "\\":  # \{{ is a literal {{
            out += [text[i : j - 1], "{{"]
            i = j + 2
            continue
        if k < j + 2:  # reuse the last "}}" found while it still lies ahead: linear on "{{{{{{…"
            k = text.find("}}", j + 2)
            if k < 0:  # no closing pair anywhere after: the rest is literal
                out.append(text[i:])
                return "".join(out)
        m = _EXPR.fullmatch(text, j + 2, k)
        if m is None:  # not a figure expression: keep the braces as written
            out.append(text[i : j + 2])
            i = j + 2
            continue
        out += [text[i:j], _evaluate(m["name"], m["filter"], figs, section, file)]
        i = k + 2
