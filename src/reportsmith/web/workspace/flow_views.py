"""导入 Word 初稿, 预览与下载, 提交, 记录: the steps around writing."""

from __future__ import annotations

import yaml
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import content_disposition_header

from .. import engine
from ..access import allow
from ..untrusted import spool_upload
from . import live, store
from .common import READERS, WRITERS, page, severity_counts, space_of
from .models import SUBMITTED, TRANSITIONS, AuditEntry, SectionVersion, Submission, audit

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_HINT = "请下载 Word 报告（.docx），用 Word 或 WPS 打开后“另存为 PDF”。"


@allow(roles=READERS, methods=("GET", "POST"), write_roles=WRITERS, editable=True)
def import_docx(request, account):
    """A Word draft's text placed under the headings by the engine's importer (``reportsmith import``)."""
    space = space_of(account)
    ctx = {"can_write": request.user.role in WRITERS and space.editable,
           "unclassified": store.unclassified_texts(space)}
    if request.method == "GET":
        return page(request, "workspace/import.html", space, "import", **ctx)
    with spool_upload(request, "file", name="初稿.docx", empty_is_missing=True) as up:
        if up is None:
            messages.error(request, "请选择 Word 初稿（.docx）。")
            return redirect("import", account=account)
        try:
            text, findings = engine.import_docx(up.path, account)
        except engine.ReportsmithError as exc:
            messages.error(request, f"无法导入“{up.name}”：{exc.message}。{exc.hint or ''}")
            return redirect("import", account=account)
    data = yaml.safe_load(text) or {}
    placed = []
    with transaction.atomic():
        for key, value in (data.get("sections") or {}).items():
            h = engine.find_heading(str(key))
            if h is None or not value:
                continue
            cur = store.current_section(space, h.title)
            store.save_section(space, h.title, SectionVersion.stored(store.plain(value)), cur.version if cur else 0, request.user)
            placed.append(h.title)
        meta = dict(space.report_meta or {})
        if data.get(engine.UNCLASSIFIED_KEY):
            meta[engine.UNCLASSIFIED_KEY] = [[str(k), str(v)] for k, v in data[engine.UNCLASSIFIED_KEY].items()]
        else:
            meta.pop(engine.UNCLASSIFIED_KEY, None)
        if data.get("date"):
            meta["date"] = str(data["date"])
        space.report_meta = meta
        space.save(update_fields=["report_meta", "updated_at"])
        audit(space, request.user, "import", f"导入 Word 初稿 {up.name}：{len(placed)} 个标题")
    ctx.update(placed=placed, findings=findings, unclassified=store.unclassified_texts(space), imported=up.name)
    return page(request, "workspace/import.html", space, "import", **ctx)


@allow(roles=READERS)
def build_page(request, account):
    space = space_of(account)
    result = live.full_check(space)
    return page(request, "workspace/build.html", space, "build", result=result, counts=severity_counts(result.findings),
                can_pdf=engine.find_soffice() is not None, pdf_hint=PDF_HINT)


@allow(roles=READERS)
def report_docx(request, account):
    """The Word report built by the engine from the current state (``reportsmith build``)."""
    space = space_of(account)
    try:
        body, name = store.build_report(space)
    except engine.ReportsmithError as exc:
        messages.error(request, f"无法生成报告：{exc.message}。{exc.hint or ''}")
        return redirect("build", account=account)
    audit(space, request.user, "download", name)
    resp = HttpResponse(body, content_type=DOCX)
    resp["Content-Disposition"] = content_disposition_header(True, name)
    return resp


@allow(roles=READERS)
def report_pdf(request, account):
    """The same report as PDF, by the engine's one converter (LibreOffice); without it, the page says why."""
    space = space_of(account)
    try:
        body, name, why = store.build_report_pdf(space)
    except engine.ReportsmithError as exc:
        messages.error(request, f"无法生成报告：{exc.message}。{exc.hint or ''}")
        return redirect("build", account=account)
    if body is None:
        messages.error(request, f"没有生成 PDF：{why}。{PDF_HINT}")
        return redirect("build", account=account)
    audit(space, request.user, "download", name)
    resp = HttpResponse(body, content_type="application/pdf")
    resp["Content-Disposition"] = content_disposition_header(True, name)
    return resp


def _warnings(result):
    return [f for f in result.findings if f.severity == engine.Severity.WARNING]


@allow(roles=READERS, methods=("GET", "POST"), write_roles=WRITERS, editable=True)
def submit(request, account):
    """提交: possible without errors; every warning needs a short 说明, kept with the submission."""
    space = space_of(account)
    result = live.full_check(space)
    errors = [f for f in result.findings if f.severity == engine.Severity.ERROR]
    warnings = _warnings(result)
    can_submit = "submit" in TRANSITIONS.get(space.state, {}) and request.user.role in WRITERS
    notes = {i: request.POST.get(f"note-{i}", "").strip() for i in range(len(warnings))} if request.method == "POST" else {}
    missing = []
    if request.method == "POST":
        missing = [i for i in range(len(warnings)) if len(notes.get(i, "")) < 2]
        if not errors and not missing:
            with transaction.atomic():
                Submission.objects.create(
                    space=space, user=request.user,
                    notes=[{"rule": w.rule, "key": w.key, "message": w.message, "note": notes[i]} for i, w in enumerate(warnings)],
                    summary={"zishu": result.zishu, "coverage": result.coverage, **severity_counts(result.findings)},
                )
                space.state = SUBMITTED
                space.submitted_at = timezone.now()
                space.save(update_fields=["state", "submitted_at", "updated_at"])
                audit(space, request.user, "submit", f"提交报告（{result.zishu} 字，{len(warnings)} 条警告已说明）")
            messages.success(request, "报告已提交。提交后不能修改；如需修改，请联系审核人员退回。")
            return redirect("overview", account=account)
        if errors:
            messages.error(request, f"还有 {len(errors)} 处错误，修改后才能提交。")
        elif missing:
            messages.error(request, f"请为每条警告填写说明（还有 {len(missing)} 条未填写）。")
    rows = [{"index": i, "finding": w, "note": notes.get(i, ""), "missing": i in missing} for i, w in enumerate(warnings)]
    return page(request, "workspace/submit.html", space, "submit", errors=errors, rows=rows, can_submit=can_submit,
                submissions=space.submissions.select_related("user")[:5], result=result)


@allow(roles=READERS)
def history(request, account):
    space = space_of(account)
    entries = AuditEntry.objects.filter(space=space).order_by("-created_at", "-id")[:300]
    return page(request, "workspace/history.html", space, "history", entries=entries)
