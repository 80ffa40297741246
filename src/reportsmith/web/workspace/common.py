"""Helpers shared by the workspace's views."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from .. import engine
from ..access import deny
from . import store

READERS = {"cluster", "reviewer", "admin"}
WRITERS = {"cluster"}


def page(request, template: str, space, tab: str, **ctx) -> HttpResponse:
    return render(request, template, {"space": space, "cluster": engine.get_cluster(space.account), "tab": tab, **ctx})


def space_of(account: str):
    return store.get_space(account)


def severity_counts(findings) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        counts[f.severity.value] += 1
    return counts
