"""Every URL × method × role answers as access.yaml says; no URL is left out of the table."""

from __future__ import annotations

import json
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
}


def _patterns(resolver: URLResolver | None = None, prefix: str = ""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p


def test_every_url_has_a_row_and_a_declaration():
    seen = set()
    for route, p in _patterns():
        assert p.name, f"URL {route} has no name; name it and list it in access.yaml"
        assert p.name in TABLE, f"URL {p.name} ({route}) is not in access.yaml"
        assert hasattr(p.callback, "access"), f"view of {p.name} is not wrapped by access.allow"
        declared = set(p.callback.access.methods) - {"HEAD"}
        missing = declared - set(TABLE[p.name])
        assert not missing, f"{p.name}: the view answers {sorted(missing)}, which the table does not list"
        for method in set(TABLE[p.name]) - declared:
            assert set(TABLE[p.name][method].values()) - {True} <= {405}, f"{p.name} {method}: not answered, expect 405"
        for arg in p.pattern.converters:
            assert arg in FILL, f"no value for URL argument {arg!r} of {p.name}: add it to FILL"
        seen.add(p.name)
    assert set(TABLE) == seen, f"rows without URL: {sorted(set(TABLE) - seen)}"


def _url(world, name: str) -> str:
    pattern = next(p for _, p in _patterns() if p.name == name)
    kwargs = {arg: FILL[arg](world) for arg in pattern.pattern.converters}
    return reverse(name, kwargs=kwargs)


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
