"""Skip a test that needs LibreOffice when this machine lacks it (.ci/run installs it)."""

from __future__ import annotations

import pytest

from reportsmith.report.pdf import find_soffice, find_uno_python


def needs_office() -> None:
    """Skip unless soffice and a Python with its ``uno`` module (the long-running converter) are installed."""
    soffice = find_soffice()
    if soffice is None:
        pytest.skip("soffice (LibreOffice) is not installed; .ci/run installs it")
    if find_uno_python(soffice) is None:
        pytest.skip("no Python with the uno module (Debian: python3-uno); .ci/run installs it")
