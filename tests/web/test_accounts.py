"""Log-in, forced password change, generic error, throttling, CSRF, and the users commands."""

from __future__ import annotations

import csv

import pytest
from django.test import Client

from .conftest import ACCOUNT_A, PASSWORD, make_user

# An account of its own, so these tests do not meet the shared clusters A and B.
ACCOUNT_C = "ycswcyjq"


@pytest.mark.django_db
def test_first_login_forces_a_password_change_then_lands_on_the_overview():
    from reportsmith.web.workspace import store

    store.ensure_spaces()
    make_user(ACCOUNT_C, "cluster", must_change=True)
    c = Client()
    r = c.post("/login/", {"username": ACCOUNT_C, "password": PASSWORD})
    assert r.status_code == 302
    r = c.get(f"/c/{ACCOUNT_C}/", follow=True)
    assert r.redirect_chain[-1][0] == "/password/"
    assert "首次登录" in r.content.decode()
    assert c.get(f"/api/clusters/{ACCOUNT_C}/check").status_code == 403
    r = c.post("/password/", {"old_password": PASSWORD, "new_password1": "Qz7-anders-Wort", "new_password2": "Qz7-anders-Wort"}, follow=True)
    assert r.redirect_chain[-1][0] == f"/c/{ACCOUNT_C}/"
    assert "概览" in r.content.decode()


@pytest.mark.django_db
def test_wrong_account_and_wrong_password_give_the_same_message():
    make_user(ACCOUNT_C, "cluster")
    c = Client()
    a = c.post("/login/", {"username": ACCOUNT_C, "password": "wrong-one"}).content.decode()
    b = c.post("/login/", {"username": "nosuchaccount", "password": "wrong-one"}).content.decode()
    assert "账号或密码不正确" in a and "账号或密码不正确" in b


@pytest.mark.django_db
def test_repeated_failures_lock_the_account_for_a_while():
    make_user(ACCOUNT_C, "cluster")
    c = Client()
    for _ in range(5):
        c.post("/login/", {"username": ACCOUNT_C, "password": "wrong-one"})
    r = c.post("/login/", {"username": ACCOUNT_C, "password": PASSWORD})
    assert r.status_code == 429
    assert "暂时锁定" in r.content.decode()


def test_unsafe_requests_need_the_csrf_token(world):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world["users"]["cluster_a"])
    r = c.put(f"/api/clusters/{ACCOUNT_A}/sections/集群总体情况", '{"text": "x", "version": 1}', content_type="application/json")
    assert r.status_code == 403
    c.get(f"/c/{ACCOUNT_A}/")
    token = c.cookies["csrftoken"].value
    r = c.put(f"/api/clusters/{ACCOUNT_A}/sections/集群总体情况", '{"text": "x", "version": 1}',
              content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 200


def test_pages_carry_a_content_security_policy_without_inline_scripts(world):
    c = Client()
    c.force_login(world["users"]["cluster_a"])
    r = c.get(f"/c/{ACCOUNT_A}/")
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def rs(*args, stdin: str | None = None):
    """Run the real command in a fresh process (the workspace commands set Django up themselves)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REPORTSMITH_DATA")}
    env["REPORTSMITH_FAST_HASHER"] = "1"
    return subprocess.run([sys.executable, "-m", "reportsmith", *args], input=stdin, capture_output=True, text=True, env=env, timeout=120)


def test_users_init_writes_every_cluster_once_and_passwd_resets(tmp_path):
    data = tmp_path / "ws"
    out = tmp_path / "accounts.csv"
    r = rs("users", "init", "--data", str(data), "-o", str(out), "--reviewer", "shenhe")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == 49 and rows[0]["角色"] == "集群" and rows[-1] == {"账号": "shenhe", "密码": rows[-1]["密码"], "角色": "审核人员"}
    assert len({r["密码"] for r in rows}) == 49 and all(len(r["密码"]) >= 14 for r in rows)
    # The file is never overwritten; existing accounts are left alone.
    assert rs("users", "init", "--data", str(data), "-o", str(out)).returncode == 2
    assert rs("users", "init", "--data", str(data), "-o", str(tmp_path / "again.csv")).returncode == 0
    assert (tmp_path / "again.csv").read_text(encoding="utf-8-sig").strip() == "账号,密码,角色"
    r = rs("users", "passwd", ACCOUNT_A, "--data", str(data), stdin="123\n")
    assert r.returncode == 2 and "不符合要求" in r.stderr
    r = rs("users", "passwd", "nosuch", "--data", str(data), stdin="Qz7-anders-Wort\n")
    assert r.returncode == 2 and "没有账号" in r.stderr
    r = rs("users", "passwd", ACCOUNT_A, "--data", str(data), stdin="Qz7-anders-Wort\n")
    assert r.returncode == 0, r.stderr
