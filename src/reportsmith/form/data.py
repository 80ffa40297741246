"""One cluster's filled statistical form, as every later step sees it.

Loading and validation live in :mod:`reportsmith.form.load`; this module only holds the
value object so that computing and rendering do not depend on how it was read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

Number = int | Decimal


@dataclass(frozen=True)
class FormData:
    """Values keyed by row key (see :mod:`reportsmith.form.spec`).

    A row absent from ``values`` is 未填 (not filled) — never read it as 0.
    Counts are ``int``; 万元 amounts are ``Decimal``. ``previous`` holds last year's
    values for year-on-year figures, with the same keys.
    """

    values: dict[str, Number] = field(default_factory=dict)
    previous: dict[str, Number] = field(default_factory=dict)
    year: int = 2024
    cluster: str | None = None
    source: str | None = None

    def get(self, key: str) -> Number | None:
        return self.values.get(key)

    def is_filled(self, key: str) -> bool:
        return key in self.values
