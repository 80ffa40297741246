"""Chinese for the messages the command-line framework prints itself.

click marks its own strings ("Usage:", "Options", "Missing argument" …) for gettext,
which is its intended translation point; but gettext only finds catalogues through the
process locale, and reviewers' machines run with any locale. So the translations are
data (``data/click_zh.yaml``) and are bound to click's message functions here, once, when
the command line starts. Strings without a translation stay as click wrote them.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from typing import Callable

_CLICK_MODULES = ("click.core", "click.exceptions", "click.formatting", "click.decorators", "click.parser", "click.types")


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, str]:
    from reportsmith.core.resources import load_data

    return dict(load_data("click_zh.yaml"))


def gettext(message: str) -> str:
    """The Chinese for one of click's messages, or the message itself."""
    return _catalogue().get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


def install() -> None:
    """Bind click's message functions to the Chinese catalogue (idempotent)."""
    import click  # noqa: F401  (loads the modules below)

    for name in _CLICK_MODULES:
        module = sys.modules.get(name)
        if module is None:
            continue
        _bind(module, "_", gettext)
        _bind(module, "ngettext", ngettext)
    _name_types()


def _name_types() -> None:
    """Chinese names for click's value types.

    click prints ``type.name`` untranslated, both as the placeholder in ``--help``
    ("INTEGER RANGE") and in "'abc' is not a valid float range."; naming the types
    once here covers every command.
    """
    import click

    for cls in (click.types.StringParamType, click.types.IntParamType, click.IntRange,
                click.types.FloatParamType, click.FloatRange):
        english = cls.__dict__.get("name")
        if english is not None and english in _catalogue():
            cls.name = _catalogue()[english]


def _bind(module: object, attr: str, fn: Callable) -> None:
    if hasattr(module, attr):
        setattr(module, attr, fn)
