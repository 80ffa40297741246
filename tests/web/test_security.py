"""Log-in hardening, CSRF on every unsafe URL, sessions, HTTPS settings, CSP on every page,
and object-level access (one cluster's objects under another cluster's URLs)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from .conftest import ACCOUNT_A, ACCOUNT_B, PASSWORD, REPO, client_for
from .test_access_table import CELLS, FILL, ROLES, TABLE, _patterns, _url

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"|name="csrf-token" content="[^"]*"')


def _login(c: Client, username: str, password: str):
    return c.post("/login/", {"username": username, "password": password})


# ------------------------------------------------------------------ log-in


def test_wrong_account_and_wrong_password_answer_identically(world):
    """Same status, same page, byte for byte (apart from the echoed 账号 and the CSRF token)."""
    ghost = "x" * len(ACCOUNT_A)  # same length: no difference in the echoed field either
    a, b = Client(), Client()
    ra, rb = _login(a, ACCOUNT_A, "wrong-one-Pw"), _login(b, ghost, "wrong-one-Pw")
    assert ra.status_code == rb.status_code == 200
    body_a = _TOKEN.sub(b"", ra.content).replace(ACCOUNT_A.encode(), b"<u>")
    body_b = _TOKEN.sub(b"", rb.content).replace(ghost.encode(), b"<u>")
    assert body_a == body_b
    assert "账号或密码不正确" in ra.content.decode()
    assert sorted(k for k in ra.headers if k.lower() != "set-cookie") == sorted(k for k in rb.headers if k.lower() != "set-cookie")


def test_lockout_after_five_failures_also_for_an_unknown_account(world, settings):
    settings.AXES_ENABLED = True
    answers = {}
    for name in (ACCOUNT_A, "nosuchaccount"):
        c = Client()
        for i in range(settings.AXES_FAILURE_LIMIT):
            status = _login(c, name, "wrong-one-Pw").status_code
            assert status == (200 if i < settings.AXES_FAILURE_LIMIT - 1 else 429)
        answers[name] = _login(c, name, PASSWORD)
    locked_a, locked_ghost = answers[ACCOUNT_A], answers["nosuchaccount"]
    assert locked_a.status_code == locked_ghost.status_code == 429
    assert _TOKEN.sub(b"", locked_a.content) == _TOKEN.sub(b"", locked_ghost.content)
    # Even the right password is refused while locked; the lock-out is per account and address:
    c = Client()
    assert _login(c, ACCOUNT_A, PASSWORD).status_code == 429
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert _login(other, ACCOUNT_A, PASSWORD).status_code == 302


@pytest.mark.parametrize("weak", ["short1A", "12345678901234", "password1234", "whkjcyjq2024", "qwertyuiop"])
def test_weak_passwords_are_refused(world, weak):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user = world["users"]["cluster_a"]
    with pytest.raises(ValidationError):
        validate_password(weak, user)
    c = Client()
    c.force_login(user)
    r = c.post("/password/", {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak})
    assert r.status_code == 200  # the form again, with the reason; the password is unchanged
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_logout_ends_the_session_and_the_old_cookie_is_refused(world):
    c = Client()
    assert _login(c, ACCOUNT_A, PASSWORD).status_code == 302
    old = c.cookies["sessionid"].value
    assert c.get(f"/c/{ACCOUNT_A}/").status_code == 200
    assert c.post("/logout/").status_code == 302
    replay = Client()
    replay.cookies["sessionid"] = old
    r = replay.get(f"/c/{ACCOUNT_A}/")
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))
    assert replay.get(f"/api/clusters/{ACCOUNT_A}/check").status_code == 401


def test_an_expired_session_is_refused(world, settings):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    assert settings.SESSION_COOKIE_AGE <= 12 * 3600 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    c = Client()
    _login(c, ACCOUNT_A, PASSWORD)
    assert c.get(f"/c/{ACCOUNT_A}/").status_code == 200
    Session.objects.filter(session_key=c.cookies["sessionid"].value).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert c.get(f"/c/{ACCOUNT_A}/").status_code == 302


# ------------------------------------------------------------------ CSRF on every unsafe URL

UNSAFE_CELLS = [(n, m, r) for n, m, r in CELLS if m in UNSAFE]


@pytest.mark.parametrize(("name", "method", "role"), UNSAFE_CELLS, ids=[f"{n}-{m}-{r}" for n, m, r in UNSAFE_CELLS])
def test_every_unsafe_request_without_the_csrf_token_is_refused(world, name, method, role):
    """A client that enforces CSRF, without the token: refused by the CSRF check itself (its page
    names CSRF), whatever the role — a view exempted from CSRF fails here."""
    spec = TABLE[name][method]
    url = _url(world, name)
    c = Client(enforce_csrf_checks=True)
    if role != "anonymous":
        c.force_login(world["users"][role])
    c.get(reverse("login"))  # a csrftoken cookie, as a browser would hold; only the token is missing
    body = json.dumps(spec.get("body") or {}, ensure_ascii=False).encode() if spec.get("json") else None
    if body is not None:
        r = c.generic(method, url, body, content_type="application/json")
    else:
        r = c.generic(method, url, "", content_type="application/x-www-form-urlencoded")
    if spec[role] == 405:
        assert r.status_code in (403, 405)
        return
    assert r.status_code == 403, f"{method} {url} as {role} without CSRF token: {r.status_code}"
    assert b"CSRF" in r.content, f"{method} {url} as {role}: refused, but not by the CSRF check"


# ------------------------------------------------------------------ HTTPS


def _settings_in_a_fresh_process(**env) -> dict:
    code = ("import json, reportsmith.web.settings as s; print(json.dumps({k: getattr(s, k, None) for k in "
            "('SESSION_COOKIE_SECURE','CSRF_COOKIE_SECURE','SECURE_HSTS_SECONDS','SECURE_SSL_REDIRECT',"
            "'SESSION_COOKIE_HTTPONLY','SECURE_PROXY_SSL_HEADER')}))")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("REPORTSMITH_")}
    out = subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_https_switches_on_secure_cookies_and_hsts():
    on = _settings_in_a_fresh_process(REPORTSMITH_HTTPS="1")
    assert on["SESSION_COOKIE_SECURE"] is True and on["CSRF_COOKIE_SECURE"] is True
    assert on["SECURE_HSTS_SECONDS"] >= 180 * 24 * 3600
    assert on["SESSION_COOKIE_HTTPONLY"] is True
    off = _settings_in_a_fresh_process()
    assert not off["SESSION_COOKIE_SECURE"] and not off["SECURE_HSTS_SECONDS"]


def test_hsts_header_is_sent_over_https(world, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    c = client_for(world, "cluster_a")
    r = c.get(f"/c/{ACCOUNT_A}/", secure=True)
    assert r["Strict-Transport-Security"].startswith("max-age=31536000")


def test_readme_explains_https_deployment():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert "REPORTSMITH_HTTPS" in text and "HSTS" in text


# ------------------------------------------------------------------ CSP on every page

GET_CELLS = [(n, r) for n, methods in TABLE.items() if "GET" in methods for r in ("cluster_a", "reviewer")
             if methods["GET"][r] == 200]
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
_EVENT_ATTR = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


@pytest.mark.parametrize(("name", "role"), GET_CELLS, ids=[f"{n}-{r}" for n, r in GET_CELLS])
def test_every_page_has_a_csp_without_inline_script_and_uses_none(world, name, role):
    r = client_for(world, role).get(_url(world, name))
    csp = r["Content-Security-Policy"]
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";") if d.strip())
    if directives.get("default-src") == "'none'" and "script-src" not in directives:
        return  # a download served with the strictest policy: nothing may run at all
    assert directives.get("script-src") == "'self'", csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives.get("object-src") == "'none'" and directives.get("frame-ancestors") == "'none'"
    if r["Content-Type"].startswith("text/html"):
        html = r.content.decode()
        assert not _INLINE_SCRIPT.search(html), f"{name}: an inline <script> the CSP would block"
        assert not _EVENT_ATTR.search(html), f"{name}: an inline event handler attribute"
        assert "javascript:" not in html.lower()


# ------------------------------------------------------------------ object-level access


def test_no_url_takes_an_object_id_that_the_object_tests_do_not_know():
    """Every URL argument names either the cluster or an object checked below."""
    # account: the cluster (checked by access.allow); heading: a 附件3 title, not an object;
    # chart: a province-wide picture for reviewers; version, file_id: objects, checked below.
    # group, index: a place in the cluster's own evidence list (under its account, checked by allow).
    known = {"account", "heading", "version", "file_id", "chart", "group", "index"}
    # object_id, id, content_type_id: objects in Django's admin, which only the admin role (who reads
    # every cluster) reaches; every other role is refused all of /admin/ (test_access_table.py).
    admin_only = {"object_id", "id", "content_type_id"}
    # (a new argument here needs a case in test_another_clusters_object_under_ones_own_url_is_not_found)
    for route, p in _patterns():
        unknown = set(p.pattern.converters) - known - (admin_only if route.startswith("admin/") else set())
        assert not unknown, f"{p.name} ({route}) takes {sorted(unknown)}: add an object-level case to test_security.py"


@pytest.fixture
def both(world):
    """Cluster B with real data too (text versions, files) so its objects have ids."""
    from reportsmith.web.workspace import store

    space_b = store.get_space(ACCOUNT_B)
    a_files = list(world["space_a"].files.all())
    for f in a_files[:2]:  # B gets files of its own (same bytes, its own rows and ids)
        type(f).objects.create(space=space_b, path=f.path, sha256=f.sha256, size=f.size, kind=f.kind)
    store.save_section(space_b, "集群总体情况", "B 的文本", 0, world["users"]["cluster_b"])
    return {**world, "space_b": space_b}


OBJECT_URLS = [p.name for _, p in _patterns() if {"file_id", "version"} & set(p.pattern.converters)]


@pytest.mark.parametrize("name", OBJECT_URLS or ["(none yet)"])
def test_another_clusters_object_under_ones_own_url_is_not_found(both, name):
    """A's account in the URL, B's file id or a version only B has: 404 for everyone who may read A."""
    if name == "(none yet)":
        pytest.skip("no URL takes an object id yet")
    pattern = next(p for _, p in _patterns() if p.name == name)
    b_file = both["space_b"].files.order_by("id").first()
    kwargs = {arg: FILL[arg](both) for arg in pattern.pattern.converters}
    for account, owner_role in ((ACCOUNT_A, "cluster_a"), (ACCOUNT_B, "cluster_b")):
        kw = dict(kwargs, account=account)
        if "file_id" in kw:
            other = both["space_a"] if account == ACCOUNT_B else both["space_b"]
            kw["file_id"] = other.files.order_by("id").first().id
        if "version" in kw:
            kw["version"] = 999 if account == ACCOUNT_B else kw["version"] + 998
        url = reverse(name, kwargs=kw)
        if "GET" not in TABLE[name]:
            continue
        for role in (owner_role, "reviewer", "admin"):
            # Who may use the URL with its own objects gets 404; who may not use it at all, as the table says.
            allowed = TABLE[name]["GET"]["cluster_a" if role == owner_role else role]
            expected = 404 if allowed == 200 else allowed
            r = client_for(both, role).get(url)
            assert r.status_code == expected, f"GET {url} as {role}: {r.status_code}, expected {expected} (object of the other cluster)"
    assert b_file is not None
