"""管理后台 (Django's admin at /admin/): the admin role manages accounts and reads every cluster's
content but changes none of it; no other role gets an admin page. One test drives it in Chromium
under the workspace's Content-Security-Policy."""

from __future__ import annotations


import pytest
from django.test import Client

from .chromium import chromium, needs_chromium
from .conftest import ACCOUNT_A, ACCOUNT_B, PASSWORD, client_for

NEW_PASSWORD = "Gl-2025-重置-Passw0rd"


def _admin_logged_in(world) -> Client:
    """The admin logs in through the workspace's own log-in page."""
    c = Client()
    r = c.post("/login/", {"username": world["users"]["admin"].username, "password": PASSWORD})
    assert r.status_code == 302
    return c


def test_admin_opens_accounts_and_a_cluster_space_in_chinese_but_changes_no_section_version(world):
    from reportsmith.registry.clusters import get_cluster

    c = _admin_logged_in(world)
    assert 'href="/admin/" id="admin-link"' in c.get(f"/c/{ACCOUNT_A}/").content.decode()  # in the workspace's header
    r = c.get("/admin/")
    assert "script-src 'self'" in r["Content-Security-Policy"]  # the workspace's policy, unchanged for the admin
    index = r.content.decode()
    assert '<html lang="zh-hans"' in index
    for text in ("管理后台", "账号与填报数据", "用户", "集群填报空间", "正文版本", "上传文件", "操作记录", "审核意见"):
        assert text in index, text

    users = c.get("/admin/accounts/user/")
    assert users.status_code == 200
    page = users.content.decode()
    assert ACCOUNT_A in page and get_cluster(ACCOUNT_A).name in page and "解除所选账号的登录锁定" in page

    space = world["space_a"]
    r = c.get(f"/admin/workspace/clusterspace/{space.pk}/change/")
    assert r.status_code == 200
    page = r.content.decode()
    assert get_cluster(ACCOUNT_A).name in page and "各标题的全部版本" in page
    assert 'name="_save"' not in page  # read-only: no save button

    sv = space.sections.order_by("pk").first()
    versions = space.sections.count()
    url = f"/admin/workspace/sectionversion/{sv.pk}/change/"
    r = c.get(url)
    assert r.status_code == 200 and 'name="_save"' not in r.content.decode()
    assert sv.text.split("\n")[0] in r.content.decode()
    assert c.post(url, {"content": "管理员改写的正文", "_save": "保存"}).status_code == 403
    assert c.post(f"/admin/workspace/sectionversion/{sv.pk}/delete/", {"post": "yes"}).status_code == 403
    assert c.post("/admin/workspace/sectionversion/add/", {"heading": "集群总体情况"}).status_code == 403
    sv_after = type(sv).objects.get(pk=sv.pk)
    assert sv_after.content == sv.content and space.sections.count() == versions


def test_no_model_of_the_admin_takes_a_file():
    """The admin's change views could take uploads (request.FILES); none of its models has a file field."""
    from django.db.models import FileField

    from reportsmith.web.adminsite import site

    for model in site._registry:
        assert not [f for f in model._meta.get_fields() if isinstance(f, FileField)], model


@pytest.mark.parametrize("role", ["cluster_a", "reviewer"])
def test_no_admin_page_for_a_cluster_or_a_reviewer(world, role):
    c = client_for(world, role)
    assert "管理后台" not in c.get(f"/c/{ACCOUNT_A}/").content.decode()
    for url in ("/admin/", "/admin/accounts/user/", f"/admin/workspace/clusterspace/{world['space_a'].pk}/change/"):
        r = c.get(url)
        assert r.status_code == 403 and "无权" in r.content.decode()
    anonymous = Client().get("/admin/accounts/user/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")


def test_admin_resets_a_password_deactivates_adds_and_unlocks_accounts(world):
    from reportsmith.web.accounts.models import User

    c = _admin_logged_in(world)
    cluster_b = world["users"]["cluster_b"]

    # A new password through Django's standard form: the user must change it at the next log-in.
    r = c.post(f"/admin/accounts/user/{cluster_b.pk}/password/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert r.status_code == 302
    cluster_b.refresh_from_db()
    assert cluster_b.check_password(NEW_PASSWORD) and cluster_b.must_change_password
    first = Client()
    first.post("/login/", {"username": ACCOUNT_B, "password": NEW_PASSWORD})
    assert first.get(f"/c/{ACCOUNT_B}/").url == "/password/"

    # Role and active: a reviewer deactivated cannot log in; the cluster role only for 附件1's accounts.
    reviewer = world["users"]["reviewer"]
    change = f"/admin/accounts/user/{reviewer.pk}/change/"
    bad = c.post(change, {"role": "cluster", "is_active": "on"})
    assert bad.status_code == 200 and "不是附件1中的集群账号" in bad.content.decode()
    assert c.post(change, {"role": "reviewer", "must_change_password": "on"}).status_code == 302
    reviewer.refresh_from_db()
    assert not reviewer.is_active and reviewer.must_change_password and reviewer.role == "reviewer"
    assert Client().post("/login/", {"username": reviewer.username, "password": PASSWORD}).status_code == 200  # refused

    me = world["users"]["admin"]
    own = c.post(f"/admin/accounts/user/{me.pk}/change/", {"role": "reviewer", "is_active": "on"})
    assert own.status_code == 200 and "不能取消自己的管理员角色" in own.content.decode()
    me.refresh_from_db()
    assert me.role == "admin"
    assert c.get(f"/admin/accounts/user/{me.pk}/delete/").status_code == 403  # deactivate instead

    # A new reviewer account.
    r = c.post("/admin/accounts/user/add/", {"username": "shenhe3", "role": "reviewer",
                                              "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert r.status_code == 302
    added = User.objects.get(username="shenhe3")
    assert added.role == "reviewer" and added.cluster == "" and added.must_change_password

    # Five wrong passwords lock cluster A (django-axes); the admin releases the lock.
    for _ in range(5):
        Client().post("/login/", {"username": ACCOUNT_A, "password": "falsches-Passwort-1"})
    assert Client().post("/login/", {"username": ACCOUNT_A, "password": PASSWORD}).status_code != 302
    listing = c.get("/admin/accounts/user/").content.decode()
    assert "登录失败次数" in listing
    cluster_a = world["users"]["cluster_a"]
    r = c.post("/admin/accounts/user/", {"action": "unlock", "_selected_action": [cluster_a.pk]}, follow=True)
    assert "所选账号可以重新登录" in r.content.decode()
    assert Client().post("/login/", {"username": ACCOUNT_A, "password": PASSWORD}).status_code == 302


@pytest.mark.browser
@pytest.mark.slow
@needs_chromium
def test_the_admin_pages_scripts_run_under_the_content_security_policy(live_server, transactional_db, data_dir,
                                                                        no_stray_connections):
    """The admin's own JavaScript (static files only) works with the workspace's CSP: no policy change for /admin/."""
    from playwright.sync_api import expect

    from reportsmith.web.accounts.models import User
    from reportsmith.web.workspace import store

    from .conftest import make_user

    store.ensure_spaces()
    for n in range(3):
        make_user(f"renyuan{n}", "reviewer")
    make_user("guanli2", "admin")
    errors: list[str] = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        # The admin's pages have no icon: the browser's /favicon.ico answers 404 ("Failed to load resource").
        page.on("console", lambda m: errors.append(m.text)
                if m.type in ("error", "warning") and "Failed to load resource" not in m.text else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "guanli2")
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.goto(f"{live_server.url}/admin/accounts/user/")
        # actions.js: ticking "select all" updates the counter and enables the action menu
        counter = page.locator(".action-counter")
        expect(counter).to_contain_text("0 个")
        page.click("#action-toggle")
        n = User.objects.count()
        expect(counter).to_contain_text(f"选中了 {n} 个中的 {n} 个")
        # the sidebar's filter (nav_sidebar.js) narrows the model list as one types
        page.fill("#nav-filter", "正文")
        expect(page.locator("#nav-sidebar tr.model-sectionversion")).to_be_visible()
        expect(page.locator("#nav-sidebar tr.model-user")).to_be_hidden()
    refused = [e for e in errors if "Content Security Policy" in e or "Refused" in e]
    assert not refused, refused
    assert not errors, errors
