"""Every URL × method × role answers as access.yaml says; no URL is left out of the table."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode
from pathlib import Path

import pytest
import yaml
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .conftest import ACCOUNT_A, client_for

TABLE_PATH = Path(__file__).resolve().parents[2] / "src" / "reportsmith" / "web" / "access.yaml"
TABLE = yaml.safe_load(TABLE_PATH.read_text(encoding="utf-8"))
ROLES = ("anonymous", "cluster_a", "cluster_b", "reviewer", "admin")

# A real value of cluster A for every URL argument name; a new argument needs a line here.
FILL = {
    "account": lambda w: ACCOUNT_A,
    "heading": lambda w: "集群总体情况",
    "version": lambda w: 1,
    "file_id": lambda w: w["space_a"].files.order_by("id").first().id,
    "group": lambda w: "机构",
    "index": lambda w: 0,
    "chart": lambda w: "zishu",
    # Django's admin (object_id and id are filled from the model of the route, see _admin_object)
    "app_label": lambda w: "workspace",
    "content_type_id": lambda w: _content_type(w["space_a"]),
}
# The admin's patterns share one rule for every role but the admin ("admin/*"); each pattern's
# row in access.yaml lists only the admin's own answers, merged here into a full row. Rows of
# the admin are named "admin:<URL name>", or "admin:<route>" for the admin's unnamed redirects.
ADMIN_RULE = TABLE.pop("admin/*")
TABLE = {name: ({m: {**ADMIN_RULE[m], **cell} for m, cell in methods.items()} if name.startswith("admin:") else methods)
         for name, methods in TABLE.items()}
ADMIN_ARGS = {"object_id", "id"}


def _content_type(obj) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


def _patterns(resolver: URLResolver | None = None, prefix: str = ""):
    """(route, pattern) of every URL pattern."""
    for _, route, p in _rows(resolver, prefix):
        yield route, p


def _rows(resolver: URLResolver | None = None, prefix: str = "", ns: str = ""):
    """(row name in access.yaml, route, pattern) of every URL pattern; the admin's rows carry its namespace."""
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            yield from _rows(p, prefix + str(p.pattern), ns + (f"{p.namespace}:" if p.namespace else ""))
        else:
            route = prefix + str(p.pattern)
            yield (p.name if not ns else f"{ns}{p.name or route}"), route, p


def _args(pattern) -> list[str]:
    return list(getattr(pattern.pattern, "converters", {})) or list(pattern.pattern.regex.groupindex)


def test_every_url_has_a_row_and_a_declaration():
    seen = set()
    for name, route, p in _rows():
        assert name, f"URL {route} has no name; name it and list it in access.yaml"
        assert name in TABLE, f"URL {name} ({route}) is not in access.yaml"
        assert hasattr(p.callback, "access"), f"view of {name} is not wrapped by access.allow"
        declared = set(p.callback.access.methods) - {"HEAD"}
        missing = declared - set(TABLE[name])
        assert not missing, f"{name}: the view answers {sorted(missing)}, which the table does not list"
        for method in set(TABLE[name]) - declared:
            assert set(TABLE[name][method].values()) - {True} <= {405}, f"{name} {method}: not answered, expect 405"
        for arg in _args(p):
            assert arg in FILL or (name.startswith("admin:") and arg in ADMIN_ARGS), \
                f"no value for URL argument {arg!r} of {name}: add it to FILL"
        seen.add(name)
    assert set(TABLE) == seen, f"rows without URL: {sorted(set(TABLE) - seen)}"


def _admin_object(world, route: str):
    """The primary key of an object of the model an admin route serves (admin/<app>/<model>/…)."""
    from django.apps import apps

    from reportsmith.web.desk.models import ReviewComment

    if route.startswith("admin/desk/reviewcomment/") and not ReviewComment.objects.exists():
        ReviewComment.objects.create(space=world["space_a"], place_kind="report", place="", text="请补充数据来源。",
                                     author=world["users"]["reviewer"], username="shenhe")
    if route.startswith("admin/workspace/submission/"):
        from reportsmith.web.workspace.models import Submission

        Submission.objects.get_or_create(space=world["space_a"], user=world["users"]["cluster_a"])
    if route.startswith("admin/r/"):  # view_on_site: content type and id of cluster A's space
        return world["space_a"].pk
    app_label, model = route.split("/")[1:3]
    return apps.get_model(app_label, model).objects.order_by("pk").first().pk


def _url(world, name: str) -> str:
    route, pattern = next((r, p) for n, r, p in _rows() if n == name)
    kwargs = {arg: (_admin_object(world, route) if arg in ADMIN_ARGS else FILL[arg](world)) for arg in _args(pattern)}
    if pattern.name:
        return reverse(name, kwargs=kwargs)
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route)


CELLS = [(name, method, role) for name, methods in TABLE.items() for method in methods for role in ROLES]


@pytest.mark.parametrize(("name", "method", "role"), CELLS, ids=[f"{n}-{m}-{r}" for n, m, r in CELLS])
def test_cell(world, name, method, role):
    spec = TABLE[name][method]
    url = _url(world, name)
    client = client_for(world, role)
    body = spec.get("body")
    if spec.get("json"):
        resp = client.generic(method, url, json.dumps(body or {}, ensure_ascii=False).encode(), content_type="application/json")
    elif method == "GET":
        resp = client.get(url)
    else:  # form fields, encoded as a browser sends them
        resp = client.generic(method, url, urlencode(body or {}), content_type="application/x-www-form-urlencoded")
    assert resp.status_code == spec[role], f"{method} {url} as {role}: {resp.status_code}, table says {spec[role]}"
    if role == "anonymous" and resp.status_code == 302 and name != "logout":
        assert resp["Location"].startswith(reverse("login"))
