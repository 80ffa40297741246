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


def locked(request, space) -> HttpResponse | None:
    """A refusal when the space cannot be changed in its state (submitted or approved)."""
    if space.editable:
        return None
    return deny(request, 409, f"报告处于“{space.state_label}”状态，不能修改；审核人员退回修改后才能再次编辑。")


def space_of(account: str):
    return store.get_space(account)


def severity_counts(findings) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        counts[f.severity.value] += 1
    return counts
