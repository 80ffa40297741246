"""统计报表: the 附件2 form as a web table, validated by the engine as it is typed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from pathlib import Path

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header

from .. import engine
from ..access import allow
from ..untrusted import spool_upload
from . import live, store
from .common import READERS, WRITERS, locked, page, severity_counts, space_of
from .models import DRAFTING, NOT_STARTED, audit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rows(space, raw: dict | None):
    raw = raw or {}
    prev = raw.get("previous") or {}
    out = []
    for row in engine.form_spec.form_rows():
        if not row.takes_value:
            out.append({"row": row, "header": True})
            continue
        out.append({"row": row, "header": False, "value": _shown(raw.get(row.key, raw.get(row.alias or "", ""))),
                    "previous": _shown(prev.get(row.key, prev.get(row.alias or "", "")))})
    return out


def _shown(v) -> str:
    return "" if v is None else str(v)


def _posted_mapping(request, space) -> dict:
    """The form as typed: row key → text (empty = 未填); previous year's under ``previous``."""
    out: dict = {"cluster": space.account, "year": space.year}
    prev: dict = {}
    for row in engine.form_spec.value_rows():
        v = request.POST.get(f"v:{row.key}", "").strip()
        p = request.POST.get(f"p:{row.key}", "").strip()
        if v:
            out[row.key] = v
        if p:
            prev[row.key] = p
    if prev:
        out["previous"] = prev
    return out


def _findings(mapping):
    _, findings = engine.check_form_mapping(mapping, file=store.FORM_FILE)
    return findings


@allow(roles=READERS, methods=("GET", "POST"), write_roles=WRITERS)
def form(request, account):
    space = space_of(account)
    if request.method == "POST":
        refused = locked(request, space)
        if refused:
            return refused
        if str(space.form_version) != request.POST.get("form_version"):
            messages.error(request, "统计报表已被他人（或另一标签页）保存，您的修改未保存。下面是最新内容，请核对后重新填写。")
            return redirect("form", account=account)
        mapping = _posted_mapping(request, space)
        space.form = mapping
        space.form_version += 1
        space.filler = request.POST.get("filler", "").strip()[:64]
        space.phone = request.POST.get("phone", "").strip()[:64]
        try:
            space.fill_date = dt.date.fromisoformat(request.POST.get("fill_date", "")) if request.POST.get("fill_date") else None
        except ValueError:
            space.fill_date = None
        if space.state == NOT_STARTED:
            space.state = DRAFTING
        space.save(update_fields=["form", "form_version", "filler", "phone", "fill_date", "state", "updated_at"])
        audit(space, request.user, "form", f"保存统计报表（第 {space.form_version} 版）")
        messages.success(request, "统计报表已保存。")
        return redirect("form", account=account)
    _, findings = live.form_records(space) if space.form is not None else (None, [])
    return page(request, "workspace/form.html", space, "form", rows=_rows(space, space.form), findings=findings,
                counts=severity_counts(findings), can_write=request.user.role in WRITERS and space.editable,
                units=engine.get_cluster(account).units)


@allow(roles=READERS, methods=("POST",), write_roles=READERS)
def form_check(request, account):
    """Live validation of the form as typed (nothing is saved)."""
    space = space_of(account)
    findings = _findings(_posted_mapping(request, space))
    return render(request, "workspace/_form_findings.html", {"findings": findings, "counts": severity_counts(findings)})


@allow(roles=READERS, methods=("POST",), write_roles=WRITERS)
def form_upload(request, account):
    """A filled Excel form (from 下载空白表) replaces the form's values."""
    space = space_of(account)
    refused = locked(request, space)
    if refused:
        return refused
    with spool_upload(request, "file", name="form.xlsx", empty_is_missing=True) as up:
        if up is None:
            messages.error(request, "请选择填好的 Excel 文件（.xlsx）。")
            return redirect("form", account=account)
        try:
            data, findings = engine.load_form(up.path)
        except engine.ReportsmithError as exc:
            messages.error(request, f"无法读取上传的 Excel 表：{exc.message}（{exc.hint or '请用本页“下载空白表”填写后上传'}）")
            return redirect("form", account=account)
    if data.cluster and data.cluster != account:
        messages.error(request, f"上传的表格属于集群“{data.cluster}”，不是本集群（{account}）。请上传本集群的表格。")
        return redirect("form", account=account)
    mapping = store.form_mapping(data, account)
    if "previous" not in mapping and (space.form or {}).get("previous"):
        mapping["previous"] = space.form["previous"]  # the Excel form has no 上年 column: keep what was there
    with transaction.atomic():
        space.form = mapping
        space.form_version += 1
        if space.state == NOT_STARTED:
            space.state = DRAFTING
        space.save(update_fields=["form", "form_version", "state", "updated_at"])
        audit(space, request.user, "form-upload", f"上传 Excel 统计报表 {up.name}")
    errors = [f for f in findings if f.severity == engine.Severity.ERROR]
    if errors:
        messages.error(request, f"已读取 Excel 表，其中 {len(errors)} 个值无法识别，见下方问题列表。")
    else:
        messages.success(request, "已读取 Excel 表中的数值。")
    return redirect("form", account=account)


def _xlsx_response(space, filled: bool) -> HttpResponse:
    data = None
    if filled and space.form is not None:
        data, _ = live.form_records(space)
        data = dataclasses.replace(data, signer=store.signer_of(space))
    with tempfile.TemporaryDirectory(prefix="rs-xlsx-") as tmp:
        path = engine.write_xlsx(Path(tmp) / "form.xlsx", space.account, data, year=space.year)
        body = Path(path).read_bytes()
    name = f"{space.account}-统计报表{'' if filled else '（空白）'}.xlsx"
    resp = HttpResponse(body, content_type=XLSX)
    resp["Content-Disposition"] = content_disposition_header(True, name)
    return resp


@allow(roles=READERS)
def form_xlsx(request, account):
    return _xlsx_response(space_of(account), filled=True)


@allow(roles=READERS)
def form_blank_xlsx(request, account):
    return _xlsx_response(space_of(account), filled=False)
