"""``/api/clusters/<账号>/…``: the same records as the CLI's ``--json`` output."""

from __future__ import annotations

import json

from django.http import HttpResponse, JsonResponse
from django.utils.http import content_disposition_header

from .. import engine
from ..access import allow
from ..accounts.models import ADMIN, CLUSTER, REVIEWER
from ..workspace import store
from ..workspace.models import audit

READERS = {CLUSTER, REVIEWER, ADMIN}


def _error(status: int, message: str, hint: str | None = None, **extra) -> JsonResponse:
    body = {"error": message, **({"hint": hint} if hint else {}), **extra}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


@allow(roles=READERS)
def check(request, account):
    """The same JSON as ``reportsmith check <folder> --json``."""
    space = store.get_space(account)
    try:
        result = store.check_space(space)
    except engine.ReportsmithError as exc:
        return _error(422, exc.text())
    return JsonResponse(result.to_json(), json_dumps_params={"ensure_ascii": False, "default": str})


@allow(roles=READERS, methods=("GET", "PUT"), write_roles={CLUSTER}, editable=True)
def section(request, account, heading):
    space = store.get_space(account)
    h = engine.find_heading(heading)
    if h is None:
        return _error(404, f"附件3中没有标题“{heading}”", "标题请用附件3的写法，如“集群总体情况”")
    if request.method == "GET":
        sv = store.current_section(space, h.title)
        return JsonResponse({"heading": h.title, "text": sv.text if sv else "", "version": sv.version if sv else 0},
                            json_dumps_params={"ensure_ascii": False})
    try:
        body = json.loads(request.body or b"{}")
        text, version = body["text"], body["version"]
        if not isinstance(text, str) or not isinstance(version, int) or isinstance(version, bool):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return _error(400, "请求内容应为 JSON：{\"text\": 文本, \"version\": 版本号}", "version 取自 GET 返回的版本号")
    try:
        sv = store.save_section(space, h.title, text, version, request.user)
    except store.StaleVersion as exc:
        cur = exc.current
        return _error(409, "该标题已被他人（或另一标签页）保存，您的修改未保存", "请对照两份文本合并后再保存",
                      current={"text": cur.text if cur else "", "version": cur.version if cur else 0}, yours=text)
    return JsonResponse({"heading": h.title, "text": sv.text, "version": sv.version}, json_dumps_params={"ensure_ascii": False})


@allow(roles=READERS)
def report_docx(request, account):
    space = store.get_space(account)
    try:
        data, name = store.build_report(space)
    except engine.ReportsmithError as exc:
        return _error(422, exc.text())
    audit(space, request.user, "download", name)
    resp = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    resp["Content-Disposition"] = content_disposition_header(True, name)
    return resp


@allow(roles=READERS)
def report_pdf(request, account):
    """The built report as PDF (``reportsmith build --pdf``); 503 with the reason where LibreOffice is absent or fails."""
    space = store.get_space(account)
    try:
        data, name, why = store.build_report_pdf(space)
    except engine.ReportsmithError as exc:
        return _error(422, exc.text())
    if data is None:
        return _error(503, f"没有生成 PDF：{why}", "可改为下载 report.docx，用 Word 或 WPS 另存为 PDF")
    audit(space, request.user, "download", name)
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = content_disposition_header(True, name)
    return resp
