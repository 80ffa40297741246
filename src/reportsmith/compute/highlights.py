"""Data sentences (``data/highlights.yaml``): ready Chinese sentences from one cluster's form.

Each snippet is a jinja2 template that declares the figures it ``needs``; when one of
them is 未填, 不可计算 or 0 the sentence is left out — a sentence is never rendered with a
blank, and a data sentence never boasts "上市企业0家". Only available, non-zero figures
are put in the context, so an optional part guarded by ``is defined`` disappears by
itself, and a template that renders to nothing gives no sentence. The
environment (StrictUndefined, no autoescape: the output is plain text) and the compiled
templates are built once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from reportsmith.compute import figures

from reportsmith.outline import headings as outline
from reportsmith.form.data import FormData
from reportsmith.core.resources import load_data


@dataclass(frozen=True)
class Snippet:
    heading: str
    needs: tuple[str, ...]
    source: str
    template: Any  # jinja2.Template


def _listing(context: dict[str, figures.Figure]):
    def 列举(*items: str | list[str]) -> str:  # noqa: N802 - the name templates call
        """"名称数值、名称数值" for the named figures in the context (filled, above 0).

        An item is a figure name, or ``[说法, 名称]`` to show the figure under another wording.
        """
        parts = []
        for item in items:
            label, name = (item, item) if isinstance(item, str) else item
            if name in context:
                parts.append(f"{label}{context[name]}")
        return "、".join(parts)

    return 列举


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, StrictUndefined

    env = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.filters.update({name: fn for name, (fn, _) in figures.FILTERS.items()})
    return env


def _names_used(env, source: str) -> set[str]:
    """The figure names a snippet refers to: its variables and the names given to 列举."""
    from jinja2 import meta, nodes

    tree = env.parse(source)
    used = set(meta.find_undeclared_variables(tree)) - {"列举", "年度"}
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name == "列举":
            for arg in call.args:
                # '名称' or ['说法', '名称']: the figure is the last string
                const = arg.items[-1] if isinstance(arg, nodes.List) and arg.items else arg
                if isinstance(const, nodes.Const) and isinstance(const.value, str):
                    used.add(const.value)
    return used


@lru_cache(maxsize=1)
def snippets() -> tuple[Snippet, ...]:
    """Every snippet of ``data/highlights.yaml``, compiled; ValueError on a bad heading or name.

    A misspelt figure name in a template would silently drop that part of the sentence, so
    every name a template uses must be one a writer could use too.
    """
    env = _environment()
    known = set(figures.figure_names())
    out = []
    for heading, items in load_data("highlights.yaml")["sections"].items():
        if outline.find_heading(heading) is None:
            raise ValueError(f"highlights.yaml: {heading!r} is not a heading of the outline")
        for item in items:
            needs = tuple(item["needs"])
            unknown = sorted((set(needs) | _names_used(env, item["text"])) - known)
            if unknown:
                raise ValueError(f"highlights.yaml: unknown figures {unknown} under {heading!r}")
            out.append(Snippet(heading, needs, item["text"], env.from_string(item["text"])))
    return tuple(out)


def headings() -> list[str]:
    """The heading titles that get data sentences, in file order."""
    return list(dict.fromkeys(s.heading for s in snippets()))


def context(form: FormData) -> dict[str, Any]:
    """The template variables: every available (filled or computable, listed) non-zero figure, and 年度."""
    ctx: dict[str, Any] = {n: f for n, f in figures.figures(form).items() if f.available and f.shown and f.value}
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
