"""Data sentences (``data/highlights.yaml``): ready Chinese sentences from one cluster's form.

Each snippet is a jinja2 template that declares the figures it ``needs``; when one of
them is 未填 or 不可计算 the sentence is left out — a sentence is never rendered with a
blank or a 0 standing in for a missing figure. Only available figures are put in the
context, so an optional part guarded by ``is defined`` disappears by itself. The
environment (StrictUndefined, no autoescape: the output is plain text) and the compiled
templates are built once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from . import figures, outline
from .formdata import FormData
from .resources import load_data


@dataclass(frozen=True)
class Snippet:
    heading: str
    needs: tuple[str, ...]
    source: str
    template: Any  # jinja2.Template


def _listing(context: dict[str, figures.Figure]):
    def 列举(*names: str) -> str:  # noqa: N802 - the name templates call
        """"名称数值、名称数值" for the named figures that are filled and above 0."""
        parts = []
        for n in names:
            fig = context.get(n)
            if fig is not None and fig.value:
                parts.append(f"{n}{fig}")
        return "、".join(parts)

    return 列举


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, StrictUndefined

    env = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.filters.update({name: fn for name, (fn, _) in figures.FILTERS.items()})
    return env


@lru_cache(maxsize=1)
def snippets() -> tuple[Snippet, ...]:
    """Every snippet of ``data/highlights.yaml``, compiled; ValueError on a bad heading or name."""
    env = _environment()
    known = set(figures.figure_names())
    out = []
    for heading, items in load_data("highlights.yaml")["sections"].items():
        if outline.find_heading(heading) is None:
            raise ValueError(f"highlights.yaml: {heading!r} is not a heading of the outline")
        for item in items:
            needs = tuple(item["needs"])
            unknown = [n for n in needs if n not in known]
            if unknown:
                raise ValueError(f"highlights.yaml: unknown figures {unknown} under {heading!r}")
            out.append(Snippet(heading, needs, item["text"], env.from_string(item["text"])))
    return tuple(out)


def headings() -> list[str]:
    """The heading titles that get data sentences, in file order."""
    return list(dict.fromkeys(s.heading for s in snippets()))


def context(form: FormData) -> dict[str, Any]:
    """The template variables: every available (filled or computable, listed) figure, and 年度."""
    ctx: dict[str, Any] = {n: f for n, f in figures.figures(form).items() if f.available and f.shown}
    ctx["列举"] = _listing(dict(ctx))
    ctx["年度"] = form.year
    return ctx


def section_sentences(form: FormData) -> dict[str, list[str]]:
    """Heading title → the data sentences for it (every heading of the data file, maybe empty).

    >>> from decimal import Decimal
    >>> section_sentences(FormData({"营业收入": Decimal(123456)}))["集群总体情况"]
    ['全年实现营业收入12.35亿元。']
    """
    ctx = context(form)
    out: dict[str, list[str]] = {h: [] for h in headings()}
    for snip in snippets():
        if all(n in ctx for n in snip.needs):
            text = snip.template.render(ctx).strip()
            if text:
                out[snip.heading].append(text)
    return out
