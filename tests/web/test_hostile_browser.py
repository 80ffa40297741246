"""Hostile text in real Chromium (Debian's, through Playwright): after every heading holds a
string of the hostile corpus, every page a writer or a reviewer can open is loaded; the test
fails if a dialog opens, a script error occurs, the page's CSP had to refuse something (a
script tried to run), or the marker the corpus's scripts would set (``window.__pwned``) is set."""

from __future__ import annotations


import pytest

from .chromium import chromium, needs_chromium
from .conftest import ACCOUNT_A, PASSWORD, REPO, make_user
from .test_access_table import FILL, TABLE, _patterns
from .test_hostile import hostile_text

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    needs_chromium,
]


@pytest.mark.django_db(transaction=True)
def test_no_script_of_the_hostile_corpus_runs_in_any_page(live_server):
    from django.urls import reverse

    from reportsmith.outline.headings import content_headings
    from reportsmith.web.workspace import store

    store.ensure_spaces()
    writer = make_user(ACCOUNT_A, "cluster")
    make_user("whdzcyjq", "cluster")
    make_user("shenhe", "reviewer")
    space = store.load_folder(REPO / "inputs" / ACCOUNT_A)
    for i, h in enumerate(content_headings()):
        cur = store.current_section(space, h.title)
        store.save_section(space, h.title, hostile_text(i), cur.version if cur else 0, writer)
    world = {"space_a": store.get_space(ACCOUNT_A), "space_b": store.get_space("whdzcyjq")}

    def url(name):
        pattern = next(p for _, p in _patterns() if p.name == name)
        return reverse(name, kwargs={a: FILL[a](world) for a in pattern.pattern.converters})

    problems: list[str] = []
    with chromium() as browser:
        for username, role in ((ACCOUNT_A, "cluster_a"), ("shenhe", "reviewer")):
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("dialog", lambda d: (problems.append(f"dialog {d.type}: {d.message}"), d.dismiss()))
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            # A script the CSP had to refuse is a script that tried to run. (Inline styles the
            # CSP refuses are reported too, but are no script; they are left out here.)
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                    if m.type == "error" and ("script-src" in m.text or "Refused to execute" in m.text) else None)
            page.goto(live_server.url + "/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state()
            visited = 0
            for name, methods in TABLE.items():
                if "GET" not in methods or methods["GET"].get(role) != 200:
                    continue
                target = live_server.url + url(name)
                try:
                    resp = page.goto(target)
                except Exception:  # a download (Word file) is no page to run scripts in
                    continue
                if resp is None or "text/html" not in (resp.headers.get("content-type") or ""):
                    continue
                page.wait_for_load_state("networkidle")
                # Let htmx-driven parts (live checks) load and render too.
                page.wait_for_timeout(300)
                if page.evaluate("() => window.__pwned === 1"):
                    problems.append(f"{name} as {role}: a hostile script ran")
                visited += 1
            assert visited >= 2, f"{role}: too few pages visited ({visited})"
            page.close()
    assert not problems, "\n".join(problems)
