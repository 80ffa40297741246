"""A submitted or approved report is read-only: every view that changes a cluster's content says so.

The rule lives in one place (``access.allow(editable=True)``); these tests find every view
that lets a cluster write and check that each is declared, and that each answers 409 and
changes nothing while the report is submitted.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from .conftest import client_for
from .test_access_table import TABLE, _patterns, _url

# Unsafe views a cluster may use that change nothing of its content (live checks, its own password).
CHANGE_NOTHING = {"text_check", "form_check", "password_change"}


def _cluster_writes():
    for _, p in _patterns():
        access = getattr(p.callback, "access", None)
        if access and "cluster" in access.write_roles and set(access.methods) - {"GET", "HEAD"}:
            yield p


def test_every_view_that_lets_a_cluster_write_is_declared_editable():
    names = {p.name for p in _cluster_writes()}
    assert {"api_section", "evidence_add", "form_upload", "submit"} <= names, names
    undeclared = sorted(p.name for p in _cluster_writes() if p.name not in CHANGE_NOTHING and not p.callback.editable)
    assert not undeclared, f"views that change content without editable=True: {undeclared}"
    assert CHANGE_NOTHING <= names, f"stale names in CHANGE_NOTHING: {sorted(CHANGE_NOTHING - names)}"


def _snapshot(space):
    space.refresh_from_db()
    return (space.revision, space.evidence, space.form_version,
            list(space.sections.values_list("heading", "version")),
            list(space.files.values_list("path", "sha256")))


@pytest.mark.parametrize("state", ["submitted", "approved"])
def test_a_read_only_report_refuses_every_write_and_keeps_everything(world, state):
    space = world["space_a"]
    space.state = state
    space.save()
    before = _snapshot(space)
    client = client_for(world, "cluster_a")
    answered = []
    for p in _cluster_writes():
        if p.name in CHANGE_NOTHING:
            continue
        for method in set(p.callback.access.methods) - {"GET", "HEAD"}:
            spec = TABLE[p.name][method]
            url, body = _url(world, p.name), spec.get("body") or {}
            if spec.get("json"):
                resp = client.generic(method, url, json.dumps(body, ensure_ascii=False).encode(), content_type="application/json")
            else:
                resp = client.generic(method, url, urlencode(body), content_type="application/x-www-form-urlencoded")
            assert resp.status_code == 409, f"{method} {url}: {resp.status_code}"
            said = resp.json()["error"] if spec.get("json") else resp.content.decode("utf-8")
            assert "不能修改" in said and "退回修改" in said, said
            answered.append(p.name)
    assert len(answered) >= 9, answered
    assert _snapshot(space) == before
