"""The review desk in real Chromium (Debian's, through Playwright): a reviewer filters and sorts
the dashboard, opens a cluster, comments on a heading and returns the report; the cluster sees
the comment at its heading and resubmits; the reviewer approves; the audit log shows each step
in order. Screenshots of the dashboard and of the review page (1,400 × 900) go to
out/screenshots/ (the folder the README names)."""

from __future__ import annotations

import re

import pytest

from .chromium import chromium, needs_chromium
from .conftest import PASSWORD, REPO, make_user

# Accounts of this test's own: a complete demo report, and a reviewer no other test uses.
ACCOUNT_A = "ycswcyjq"
REVIEWER = "shenhe_desk"
SHOTS = REPO / "out" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    needs_chromium,
]


@pytest.fixture
def browser():
    with chromium() as b:
        yield b


def _login(page, base: str, username: str) -> None:
    page.goto(base + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _accounts(page) -> list[str]:
    return page.eval_on_selector_all("#desk-table tbody tr[data-account]", "rs => rs.map(r => r.dataset.account)")


def _submit_as_writer(page, base: str, space) -> None:
    """提交 from the writer's pages when the workspace has the submit page; else the state change it makes."""
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("submit", kwargs={"account": ACCOUNT_A})
    except NoReverseMatch:
        from django.utils import timezone

        space.refresh_from_db()
        space.state, space.submitted_at = "submitted", timezone.now()
        space.save()
        from reportsmith.web.workspace.models import audit

        audit(space, space_user(space), "submit", "提交")
        return
    page.goto(base + url)
    for box in page.query_selector_all("textarea"):
        box.fill("已核实，情况属实。")
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


def space_user(space):
    from reportsmith.web.accounts.models import User

    return User.objects.get(username=space.account)


@pytest.mark.django_db(transaction=True)
def test_review_round_trip_in_chromium(live_server, browser, settings, tmp_path):
    from reportsmith.web.workspace import store

    store.ensure_spaces()
    make_user(ACCOUNT_A, "cluster")
    make_user(REVIEWER, "reviewer")
    space = store.load_folder(REPO / "inputs" / ACCOUNT_A)
    for folder in sorted((REPO / "inputs").iterdir()):  # the demo clusters, as `make serve` loads them
        if folder.name != ACCOUNT_A and (folder / "report.yaml").is_file():
            store.load_folder(folder)
    from django.utils import timezone

    space.state, space.submitted_at = "submitted", timezone.now()
    space.save()

    base = live_server.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    errors: list[str] = []
    # a CSP violation or a script error shows as a console error; failed requests (but the
    # browser's own favicon probe) are listed by URL
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)

    # -- the reviewer lands on the dashboard: 48 clusters, in 附件1 order
    _login(page, base, REVIEWER)
    assert page.url.rstrip("/").endswith("/desk")
    assert len(_accounts(page)) == 48
    page.wait_for_load_state("networkidle")
    assert page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
    page.screenshot(path=str(SHOTS / "desk-dashboard.png"))
    page.click("a.to-charts")
    page.locator("#charts").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "desk-dashboard-charts.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 1400

    # filter: 国家级 only, then 已提交 only
    from playwright.sync_api import expect

    rows = page.locator("#desk-table tbody tr[data-account]")
    page.select_option("#f-level", "国家级")  # htmx reloads the table on change
    expect(rows).to_have_count(16)
    assert "level=" in page.url  # the filter is in the address, so it can be bookmarked
    page.select_option("#f-level", "")
    page.select_option("#f-state", "submitted")
    expect(rows).to_have_count(1)
    assert _accounts(page) == [ACCOUNT_A]
    # sort by 字数: click the header twice for largest first; not-started clusters stay last
    page.goto(base + "/desk/")
    page.click("th.col-zishu a")
    expect(page.locator("th.col-zishu")).to_contain_text("↑")
    asc = _accounts(page)
    page.click("th.col-zishu a")
    expect(page.locator("th.col-zishu")).to_contain_text("↓")
    desc = _accounts(page)
    zishu = page.eval_on_selector_all("#desk-table tbody tr[data-account] td:nth-child(6)", "ts => ts.map(t => t.innerText)")
    numbers = [int(z) for z in zishu if re.fullmatch(r"\d+", z.strip())]
    assert numbers == sorted(numbers, reverse=True) and len(numbers) >= 1
    assert asc[: len(numbers)] == list(reversed(desc[: len(numbers)]))
    # filtering keeps the sort
    page.select_option("#f-level", "国家级")
    expect(rows).to_have_count(16)
    assert "sort=zishu" in page.url and "dir=desc" in page.url

    # -- open cluster A, comment on a heading, return it with a reason
    page.goto(base + "/desk/")
    page.click(f"tr[data-account={ACCOUNT_A}] a:text('审核')")
    page.wait_for_load_state()
    assert "审核" in page.title()
    section = page.locator("section.doc-section", has=page.locator("h2", has_text="集群总体情况"))
    section.locator("summary").click()
    section.locator("textarea").fill("请补充集群营业收入的构成和主要企业。")
    section.locator("button:text('保存意见')").click()
    expect(page.locator("section.doc-section", has=page.locator("h2", has_text="集群总体情况")).locator(".review-comments")).to_contain_text("请补充集群营业收入的构成和主要企业。")
    page.fill("#reason", "内容项不全，请按意见修改后再提交。")
    page.click("#return")
    page.wait_for_load_state()
    assert "退回修改" in page.locator("#decide").inner_text()

    # -- the cluster sees the comment at its heading, and the report is editable again
    page.click("button:text('退出')")
    _login(page, base, ACCOUNT_A)
    assert "内容项不全，请按意见修改后再提交。" in page.locator("#review-notes").inner_text()
    row = page.locator("tr", has=page.locator("td", has_text="集群总体情况")).first
    assert "请补充集群营业收入的构成和主要企业。" in row.inner_text()
    space.refresh_from_db()
    assert space.editable
    _submit_as_writer(page, base, space)
    space.refresh_from_db()
    assert space.state == "submitted"

    # -- the reviewer approves; the audit log shows each step in order
    page.click("button:text('退出')")
    _login(page, base, REVIEWER)
    page.goto(base + f"/desk/c/{ACCOUNT_A}/")
    page.click("#approve")
    page.wait_for_load_state()
    assert "已通过" in page.locator("#decide").inner_text()
    steps = page.eval_on_selector_all(".audit-log li .act", "as => as.map(a => a.innerText)")
    want = ["审核意见", "退回修改", "提交", "通过"]
    tail = [s for s in steps if s in want]
    assert tail[-4:] == want, steps
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / "desk-review.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 1400
    assert not errors, errors
    ctx.close()
