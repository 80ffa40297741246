"""Debian's chromium driven by Playwright, launched the same way by every browser test.

Playwright cannot download its own browsers on these machines: it drives /usr/bin/chromium
through ``executable_path`` (.ci/run installs the package when absent).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic", "--lang=zh-CN"]
# Assertions wait for the page (a debounced live check, a redirect) at most this long; Playwright's
# 5 s default is short on a loaded two-core machine, and a passing assertion returns at once.
EXPECT_TIMEOUT_MS = 20_000

needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)")


@contextlib.contextmanager
def chromium() -> Iterator:
    """A launched browser, closed afterwards. The test's own ORM calls run beside Playwright's
    event loop in this thread, which Django allows only while DJANGO_ALLOW_ASYNC_UNSAFE is set."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "1"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before
