"""Regenerate the default Word template: ``python scripts/make_template.py templates/outline.docx``.

The template is built from code (``reportsmith.docx.template_builder``) and the layout data
(``src/reportsmith/data/layout.yaml``); the same code always gives the same bytes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from reportsmith.docx.template_builder import write_template


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else Path(__file__).resolve().parents[1] / "templates" / "outline.docx"
    write_template(target)
    print(f"已生成模板：{target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
