"""The statistical form of 附件2 as data: its 83 rows, their keys, units, kinds and nesting.

Rows come from ``data/form.yaml``. A row either is a printed heading (``header``) or
takes a value, addressed in input files by its ``key``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict

from reportsmith.core.resources import load_data

Kind = Literal["count", "amount", "signed_amount"]


class FormRow(BaseModel):
    """One printed row of 附件2."""

    model_config = ConfigDict(frozen=True)

    order: int
    label: str
    section: str
    subsection: str | None = None
    header: bool = False
    key: str | None = None
    unit: str | None = None
    kind: Kind | None = None
    parent: str | None = None
    group: str | None = None
    indent: int = 0
    alias: str | None = None

    @property
    def takes_value(self) -> bool:
        return not self.header

    @property
    def is_count(self) -> bool:
        return self.kind == "count"

    @property
    def name(self) -> str:
        """The short name used in sentences and expressions: the alias, else the key."""
        return self.alias or self.key or self.label


class DisjointRule(BaseModel):
    model_config = ConfigDict(frozen=True)
    parent: str
    children: tuple[str, ...]


@lru_cache(maxsize=1)
def form_rows() -> tuple[FormRow, ...]:
    """All 83 rows in printed order."""
    return tuple(FormRow(order=i + 1, **r) for i, r in enumerate(load_data("form.yaml")["rows"]))


@lru_cache(maxsize=1)
def value_rows() -> tuple[FormRow, ...]:
    """The 77 rows that take a value, in printed order."""
    return tuple(r for r in form_rows() if r.takes_value)


@lru_cache(maxsize=1)
def rows_by_key() -> dict[str, FormRow]:
    """Value rows by their key (aliases not included; see :func:`resolve_key`)."""
    return {r.key: r for r in value_rows() if r.key}


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    names = {}
    for r in value_rows():
        names[r.key] = r.key
        if r.alias:
            names[r.alias] = r.key
    return names


def value_keys() -> list[str]:
    """The 77 row keys in printed order."""
    return [r.key for r in value_rows() if r.key]


def resolve_key(name: str) -> str | None:
    """The row key for a key or an alias (``上市企业`` → the full key), or None."""
    return _names().get(name.strip())


def get_row(name: str) -> FormRow:
    """The row for a key or alias; ``KeyError`` if there is none."""
    key = resolve_key(name)
    if key is None:
        raise KeyError(name)
    return rows_by_key()[key]


def children_of(key: str) -> list[FormRow]:
    """The "其中" rows directly under ``key``."""
    return [r for r in value_rows() if r.parent == key]


def group_members(key: str) -> list[FormRow]:
    """The category rows listed under a total (创新服务机构数, 研发机构, 金融服务机构)."""
    return [r for r in value_rows() if r.group == key]


@lru_cache(maxsize=1)
def disjoint_rules() -> tuple[DisjointRule, ...]:
    """Disjoint "其中" rows whose sum may not exceed their parent."""
    return tuple(DisjointRule(**d) for d in load_data("form.yaml").get("disjoint", []))


def plausibility_rules() -> list[dict]:
    """The plausibility warnings of ``data/form.yaml`` (ratio limits, zero-while-positive)."""
    return list(load_data("form.yaml").get("plausibility", []))


def magnitude_rules() -> list[dict]:
    """The likely-wrong-unit rules of ``data/form.yaml`` (a row against a reference row)."""
    return list(load_data("form.yaml").get("magnitude", []))


def value_limit(kind: Kind | None) -> int:
    """The largest absolute value a row of this kind may take (``max_value`` in the data)."""
    return int(load_data("form.yaml")["max_value"][kind or "count"])
