"""Pages of the review desk (审核台). Views orchestrate: the engine checks, draws, annotates,
composes and exports (:mod:`reportsmith.web.desk.engine`); :mod:`.service` holds the desk's
own state changes."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header

from .. import engine as ws_engine
from ..access import allow, deny
from ..untrusted import spool_upload
from ..accounts.models import ADMIN, REVIEWER
from ..workspace import store
from ..workspace.models import StoredFile, audit
from . import engine, service
from .models import GENERAL, HEADING, ROW

DESK = {REVIEWER, ADMIN}
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(data: bytes, name: str, content_type: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = content_disposition_header(True, name)
    return resp


# ---------------------------------------------------------------- dashboard


@allow(roles=DESK)
def dashboard(request):
    rows = service.all_rows()
    query = service.Query.from_params(request.GET)
    shown = service.dashboard_rows(query, rows)
    columns = [
        ("seq", "序号"), ("level", "级别"), ("name", "集群名称"), ("state", "状态"), ("submitted", "提交时间"),
        ("zishu", "字数"), ("coverage", "覆盖"), ("errors", "错误"), ("warnings", "警告"), ("evidence", "佐证材料"),
    ]
    heads = []
    for key, label in columns:
        desc = not query.desc if query.sort == key else False
        heads.append({"key": key, "label": label, "on": query.sort == key, "desc": query.desc,
                      "href": "?" + query.params(sort=key, dir="desc" if desc else "")})
    return render(request, "desk/dashboard.html", {
        "rows": shown,
        "total": len(rows),
        "query": query,
        "heads": heads,
        "levels": service.LEVELS,
        "states": service.state_counts(rows),
        "charts": service.CHARTS,
        "chart_problem": service.chart_problem(),
        "sort_label": dict(columns)[query.sort],
        "max_age": f"{service.freshness().max_age_seconds:g}",
        "desk_tab": "dashboard",
    })


@allow(roles=DESK)
def chart(request, chart):
    if chart not in service.CHARTS:
        return deny(request, 404, "没有这张图。")
    try:
        data = service.chart_png(chart)
    except ws_engine.ReportsmithError as exc:
        return HttpResponse(exc.text(), status=503, content_type="text/plain; charset=utf-8")
    resp = HttpResponse(data, content_type="image/png")
    resp["Cache-Control"] = "private, no-cache"
    return resp


# ---------------------------------------------------------------- one cluster


def _files_by_path(space) -> dict[str, StoredFile]:
    from reportsmith.evidence.files import normalize

    return {normalize(f.path): f for f in space.files.all()}


def review_context(space) -> dict:
    cluster = ws_engine.get_cluster(space.account)
    snap = service.snapshot(space)
    comments = service.comments(space)
    by_place: dict[tuple[str, str], list] = {}
    for c in comments:
        by_place.setdefault((c.place_kind, c.place), []).append(c)
    assembled = snap.assembled
    sections = []
    if assembled is not None:
        for i, s in enumerate(assembled.sections, start=1):
            sections.append({"n": i, "anchor": f"h-{i}", "s": s, "comments": by_place.get((HEADING, s.heading.title), [])})
    rows = []
    for i, r in enumerate(service.form_table(assembled), start=1):
        r["n"], r["anchor"] = i, f"r-{i}"
        r["comments"] = by_place.get((ROW, r["row"].key), []) if r["row"].key else []
        rows.append(r)
    files = _files_by_path(space)
    evidence = []
    if assembled is not None and assembled.checklist is not None and space.evidence is not None:
        from reportsmith.evidence.files import normalize

        for item in assembled.checklist.items:
            links = [(Path(w).name, files.get(normalize(w))) for w in item.files]
            evidence.append({"item": item, "links": links})
    counts = {"error": 0, "warning": 0, "info": 0}
    if snap.result is not None:
        for f in snap.result.findings:
            counts[f.severity.value] += 1
    return {
        "space": space, "cluster": cluster, "snap": snap, "result": snap.result, "assembled": assembled,
        "sections": sections, "form_rows": rows, "evidence": evidence,
        "checklist": assembled.checklist if assembled is not None and space.evidence is not None else None,
        "general": by_place.get((GENERAL, ""), []), "counts": counts,
        "audit": service.audit_log(space), "action_label": service.ACTION_LABELS,
        "can_return": "return" in service.TRANSITIONS.get(space.state, {}),
        "can_approve": "approve" in service.TRANSITIONS.get(space.state, {}),
        "drafts": sum(1 for c in comments if c.sent_at is None),
    }


@allow(roles=DESK)
def review(request, account):
    space = store.get_space(account)
    ctx = review_context(space)
    ctx["desk_tab"] = "review"
    return render(request, "desk/review.html", ctx)


def _back(account: str, anchor: str = "") -> HttpResponse:
    return redirect(reverse("desk_review", kwargs={"account": account}) + (f"#{anchor}" if anchor else ""))


@allow(roles=DESK, methods=("POST",), write_roles=DESK)
def comment(request, account):
    space = store.get_space(account)
    kind, place = request.POST.get("kind", ""), request.POST.get("place", "")
    try:
        service.add_comment(space, request.user, kind, place, request.POST.get("text", ""))
    except service.DeskError as exc:
        messages.error(request, str(exc))
        return _back(account)
    messages.success(request, "意见已保存，将随“退回修改”发给集群。")
    return _back(account, request.POST.get("anchor", ""))


@allow(roles=DESK, methods=("POST",), write_roles=DESK)
def return_report(request, account):
    space = store.get_space(account)
    try:
        n = service.return_space(space, request.user, request.POST.get("reason", ""))
    except service.DeskError as exc:
        messages.error(request, str(exc))
        return _back(account, "decide")
    messages.success(request, f"已退回修改，随附意见 {n} 条；集群可再次编辑。")
    return _back(account)


@allow(roles=DESK, methods=("POST",), write_roles=DESK)
def approve(request, account):
    space = store.get_space(account)
    try:
        service.approve_space(space, request.user)
    except service.DeskError as exc:
        messages.error(request, str(exc))
        return _back(account, "decide")
    messages.success(request, "已审核通过。")
    return _back(account)


@allow(roles=DESK)
def evidence_file(request, account, file_id):
    space = store.get_space(account)
    f = StoredFile.objects.filter(space=space, id=file_id).first()
    if f is None or not store.blob_path(f.sha256).is_file():
        return deny(request, 404, "没有找到该文件。")
    return _download(store.blob_path(f.sha256).read_bytes(), Path(f.path).name, "application/octet-stream")


# ---------------------------------------------------------------- 批注


@allow(roles=DESK)
def annotated(request, account):
    """The cluster's report as built, with every finding of the check as a Word comment."""
    space = store.get_space(account)
    snap = service.snapshot(space)
    if snap.result is None:
        messages.error(request, f"无法生成批注稿：{snap.problem}")
        return _back(account)
    with tempfile.TemporaryDirectory(prefix="rs-annotate-") as tmp:
        try:
            with store.Materialized(space) as folder:
                built = ws_engine.build(folder, Path(tmp))
            out = Path(tmp) / "annotated.docx"
            done = engine.annotate_content(engine.read_docx(built.docx), snap.result, out)
            data = done.out.read_bytes()
            name = built.docx.stem + "-批注.docx"
        except ws_engine.ReportsmithError as exc:
            messages.error(request, f"无法生成批注稿：{exc.text()}")
            return _back(account)
    audit(space, request.user, "annotate", f"下载批注稿（{len(done.anchors)} 条批注）")
    return _download(data, name, DOCX_TYPE)


def _safe_stem(name: str) -> str:
    stem = Path(name or "").stem
    stem = re.sub(r"[^\w\u4e00-\u9fff（）()·-]+", "_", stem).strip("._")[:60]
    return stem or "报告"


@allow(roles=DESK, methods=("GET", "POST"), write_roles=DESK)
def annotate_upload(request):
    """A received .docx (from any software) back with the check's findings as 批注."""
    ctx = {"desk_tab": "annotate", "limit_mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024)}
    if request.method == "GET":
        return render(request, "desk/annotate.html", ctx)
    problem = None
    with spool_upload(request, "docx", name="received.docx") as up:
        if up is None:
            problem = "没有收到文件：请选择一个 .docx 文件后再点“生成批注稿”。"
        elif up.suffix != ".docx":
            problem = f"“{up.base_name}”不是 .docx 文件：请在 Word 或 WPS 中“另存为”Word 文档（.docx）后再上传。"
        elif up.size > settings.MAX_UPLOAD_BYTES:
            problem = f"“{up.base_name}”有 {up.size / 1048576:.1f} MB，超过 {ctx['limit_mb']} MB 的上限：请压缩其中的图片后再上传。"
        else:
            out = up.path.with_name("annotated.docx")
            try:
                done = engine.annotate_docx(up.path, out)
                data = out.read_bytes()
            except ws_engine.ReportsmithError as exc:
                problem = f"“{up.base_name}”无法读取：{exc.message}" + (f"（{exc.hint}）" if getattr(exc, "hint", None) else "")
            else:
                audit(None, request.user, "annotate", f"为收到的文件“{up.base_name}”生成批注稿（{len(done.anchors)} 条批注）")
                return _download(data, _safe_stem(up.base_name) + "-批注.docx", DOCX_TYPE)
    ctx["problem"] = problem
    return render(request, "desk/annotate.html", ctx, status=400)


# ---------------------------------------------------------------- JSON


def _json(body, status: int = 200) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False, "default": str})


@allow(roles=DESK)
def api_rows(request):
    """The dashboard's rows, with the same ``level``, ``state``, ``sort`` and ``dir`` parameters."""
    query = service.Query.from_params(request.GET)
    rows = service.dashboard_rows(query)
    return _json({"query": {"level": query.level, "state": query.state, "sort": query.sort,
                            "dir": "desc" if query.desc else "asc"},
                  "clusters": [r.to_json() for r in rows]})


@allow(roles=DESK)
def api_review(request, account):
    """One cluster's review state: its state, the check, the comments and the audit log."""
    space = store.get_space(account)
    cluster = ws_engine.get_cluster(account)
    snap = service.snapshot(space)
    return _json({
        "account": account, "name": cluster.name, "level": cluster.level,
        "state": space.state, "state_label": space.state_label,
        "submitted_at": space.submitted_at.isoformat() if space.submitted_at else None,
        "check": snap.result.to_json() if snap.result is not None else None,
        "problem": snap.problem,
        "comments": [{"place_kind": c.place_kind, "place": c.place, "text": c.text, "author": c.username,
                      "created_at": c.created_at.isoformat(), "sent_at": c.sent_at.isoformat() if c.sent_at else None}
                     for c in service.comments(space)],
        "audit": [{"user": a.username, "at": a.created_at.isoformat(), "action": a.action,
                   "action_label": service.action_label(a.action), "detail": a.detail}
                  for a in service.audit_log(space)],
    })


# ---------------------------------------------------------------- 汇编 and 导出全部


def _materialized(request, tmp: str, only_approved: bool) -> Path | None:
    inputs = Path(tmp) / "inputs"
    if service.materialize_all(inputs, only_approved=only_approved):
        return inputs
    messages.error(request, "还没有已通过审核的集群。" if only_approved else "还没有集群开始填报。")
    return None


@allow(roles=DESK, methods=("POST",), write_roles=DESK)
def compendium(request):
    """汇编.docx of every started cluster (or only those 已通过), built by the engine."""
    only_approved = request.POST.get("only_approved") == "1"
    with tempfile.TemporaryDirectory(prefix="rs-compendium-") as tmp:
        inputs = _materialized(request, tmp, only_approved)
        if inputs is None:
            return redirect("desk_dashboard")
        try:
            done = engine.build_compendium(inputs, Path(tmp) / "汇编.docx", only_approved=only_approved)
            data = done.path.read_bytes()
        except ws_engine.ReportsmithError as exc:
            messages.error(request, f"汇编失败：{exc.text()}")
            return redirect("desk_dashboard")
    audit(None, request.user, "compendium", f"汇编 {len(done.titles)} 份报告" + ("（仅已通过）" if only_approved else ""))
    return _download(data, "汇编.docx", DOCX_TYPE)


@allow(roles=DESK, methods=("POST",), write_roles=DESK)
def export(request):
    """One zip with every report, the summary tables, the roll-up, the compendium, the evidence
    bundles and a manifest of SHA-256 (the engine's export)."""
    only_approved = request.POST.get("only_approved") == "1"
    with tempfile.TemporaryDirectory(prefix="rs-export-") as tmp:
        inputs = _materialized(request, tmp, only_approved)
        if inputs is None:
            return redirect("desk_dashboard")
        try:
            done = engine.export_all(inputs, Path(tmp) / "全部材料.zip")
            data = done.path.read_bytes()
        except ws_engine.ReportsmithError as exc:
            messages.error(request, f"导出失败：{exc.text()}")
            return redirect("desk_dashboard")
    audit(None, request.user, "export", f"导出全部（{len(done.files)} 个文件）" + ("（仅已通过）" if only_approved else ""))
    return _download(data, "全部材料.zip", "application/zip")
