"""Access to shipped data: the YAML files under ``reportsmith/data`` and the default template.

Domain knowledge (clusters, form rows, outline, thresholds, sentences) lives in those
files so that a non-programmer can read and correct it; code only loads it.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml


@lru_cache(maxsize=None)
def load_data(name: str) -> Any:
    """Parse ``reportsmith/data/<name>`` (YAML). Cached: callers must not mutate the result.

    >>> len(load_data("clusters.yaml")["clusters"])
    48
    """
    text = resources.files("reportsmith").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def default_template() -> Path:
    """The shipped ``outline.docx``: inside the installed package, or ``templates/`` of a checkout."""
    packaged = resources.files("reportsmith").joinpath("templates").joinpath("outline.docx")
    if packaged.is_file():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[3] / "templates" / "outline.docx"
    return checkout
