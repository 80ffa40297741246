"""正文: one editor per heading of 附件3, live feedback, autosave through the API, versions."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.contrib import messages

from .. import engine
from ..access import allow
from . import live, store
from .common import READERS, WRITERS, page, space_of
from .models import SectionVersion


def _heading(name: str):
    h = engine.find_heading(name)
    if h is None:
        raise Http404("no such heading")
    return h


def _nav(space, feedback_zishu: dict[str, int] | None = None):
    saved = store.current_sections(space)
    out = []
    for h in engine.headings():
        sv = saved.get(h.title)
        out.append({"heading": h, "saved": bool(sv and sv.text.strip()), "version": sv.version if sv else 0})
    return out


@allow(roles=READERS)
def text_index(request, account):
    first = engine.content_headings()[0]
    return redirect("text", account=account, heading=first.title)


@allow(roles=READERS)
def text(request, account, heading):
    space = space_of(account)
    h = _heading(heading)
    sv = store.current_section(space, h.title)
    content = sv.text if sv else ""
    feedback = live.heading_feedback(space, h, content)
    can_write = request.user.role in WRITERS and space.editable
    return page(request, "workspace/text.html", space, "text", heading=h, section=sv, text=content,
                version=sv.version if sv else 0, keyed=bool(sv and sv.keyed),
                nav=_nav(space), fb=feedback, can_write=can_write)


@allow(roles=READERS, methods=("POST",), write_roles=READERS)
def text_check(request, account, heading):
    """Live feedback on the text being typed (nothing is saved)."""
    space = space_of(account)
    h = _heading(heading)
    feedback = live.heading_feedback(space, h, request.POST.get("text", ""))
    return render(request, "workspace/_feedback.html", {"fb": feedback, "space": space})


@allow(roles=READERS)
def versions(request, account, heading):
    space = space_of(account)
    h = _heading(heading)
    rows = SectionVersion.objects.filter(space=space, heading=h.title).select_related("author").order_by("-version")
    return page(request, "workspace/versions.html", space, "text", heading=h, rows=rows,
                can_write=request.user.role in WRITERS and space.editable)


@allow(roles=READERS)
def version_detail(request, account, heading, version):
    space = space_of(account)
    h = _heading(heading)
    sv = SectionVersion.objects.filter(space=space, heading=h.title, version=version).select_related("author").first()
    if sv is None:
        raise Http404("no such version")
    current = store.current_section(space, h.title)
    return page(request, "workspace/version.html", space, "text", heading=h, sv=sv, current=current,
                can_write=request.user.role in WRITERS and space.editable)


@allow(roles=READERS, methods=("POST",), write_roles=WRITERS, editable=True)
def version_restore(request, account, heading, version):
    space = space_of(account)
    h = _heading(heading)
    sv = SectionVersion.objects.filter(space=space, heading=h.title, version=version).first()
    if sv is None:
        raise Http404("no such version")
    cur = store.current_section(space, h.title)
    try:
        new = store.save_section(space, h.title, sv.content, cur.version if cur else 0, request.user)
    except store.StaleVersion:
        messages.error(request, "恢复时有人刚刚保存了该标题，请重新查看后再恢复。")
        return redirect("versions", account=account, heading=h.title)
    messages.success(request, f"已把第 {version} 版恢复为第 {new.version} 版。")
    return redirect("text", account=account, heading=h.title)
