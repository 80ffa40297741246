"""佐证材料: the evidence.yaml lists and their files, checked by the engine's evidence checks."""

from __future__ import annotations

import dataclasses

import tempfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header

from .. import engine
from ..untrusted import OFFICE, office_problem
from ..access import allow
from . import live, store
from .common import READERS, WRITERS, locked, page, space_of
from .models import DRAFTING, NOT_STARTED, StoredFile, audit

GROUPS = {"机构": "创新服务机构和研发机构", "规划": "纳入地方规划的规划文件", "政策": "专项政策文件"}
CONTENT_TYPES = {"PDF": "application/pdf", "PNG": "image/png", "JPEG": "image/jpeg", "OFD": "application/ofd",
                 "DOCX": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@allow(roles=READERS)
def evidence(request, account):
    space = space_of(account)
    assembled, result = live.assemble_and_check(space)
    files = {f.path: f for f in space.files.all()}
    groups = []
    ev = space.evidence or {}
    for key, label in GROUPS.items():
        entries = []
        for i, e in enumerate(ev.get(key) or []):
            if not isinstance(e, dict):
                continue
            written = e.get("文件") or []
            written = written if isinstance(written, list) else [written]
            shown = {"name": e.get("名称", ""), "category": e.get("类别", ""), "level": e.get("级别", ""), "doc_no": e.get("文号", "")}
            entries.append({"index": i, "entry": shown, "files": [(w, files.get(w)) for w in written]})
        groups.append({"key": key, "label": label, "entries": entries})
    findings = [f for f in result.findings if f.rule.startswith("evidence")]
    return page(request, "workspace/evidence.html", space, "evidence", groups=groups, checklist=assembled.checklist,
                findings=findings, categories=engine.evidence_rules.category_keys(), levels=engine.evidence_rules.levels(),
                can_write=request.user.role in WRITERS and space.editable,
                max_mb=settings.MAX_UPLOAD_BYTES // (1024 * 1024),
                allowed=", ".join(sorted({e for exts in engine.evidence_rules.allowed_types().values() for e in exts})))


def _unique_path(space, stem: str, suffix: str, sha: str) -> str:
    base = f"evidence/{engine.safe_name(stem)}"
    taken = dict(space.files.values_list("path", "sha256"))
    path, n = f"{base}{suffix}", 1
    while path in taken and taken[path] != sha:
        n += 1
        path = f"{base}-{n}{suffix}"
    return path


def _check_upload(data: bytes, path: str):
    """The engine's file check (size, type from content, extension) of the bytes as if at ``path``."""
    with tempfile.TemporaryDirectory(prefix="rs-ev-") as tmp:
        target = Path(tmp) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        check = engine.check_file(Path(tmp), path, max_bytes=settings.MAX_UPLOAD_BYTES,
                                  allowed=engine.evidence_rules.allowed_types())
        if check.ok and (check.kind or "").lower() in OFFICE:
            problem = office_problem(target)
            if problem:  # zip bomb, DOCTYPE/entities, encrypted: the engine's defences for untrusted files
                return dataclasses.replace(check, status="无效", reason=problem, hint="请用 Word、WPS 或 Excel 打开后重新另存再上传")
        return check


@allow(roles=READERS, methods=("POST",), write_roles=WRITERS)
def evidence_add(request, account):
    space = space_of(account)
    refused = locked(request, space)
    if refused:
        return refused
    group = request.POST.get("group", "")
    if group not in GROUPS:
        messages.error(request, "请选择材料类别（机构、规划或政策）。")
        return redirect("evidence", account=account)
    entry: dict = {"名称": request.POST.get("name", "").strip()}
    if group == "机构":
        entry["类别"] = request.POST.get("category", "").strip()
        entry["级别"] = request.POST.get("level", "").strip()
    if request.POST.get("doc_no", "").strip():
        entry["文号"] = request.POST["doc_no"].strip()
    up = request.FILES.get("file")
    blob = None
    if up is not None:
        if up.size > settings.MAX_UPLOAD_BYTES:
            messages.error(request, f"文件“{up.name}”超过 {settings.MAX_UPLOAD_BYTES // (1024 * 1024)} MB 上限，请压缩或拆分后再上传。")
            return redirect("evidence", account=account)
        data = up.read()
        import hashlib

        sha = hashlib.sha256(data).hexdigest()
        name = PurePosixPath(up.name.replace("\\", "/")).name
        suffix = PurePosixPath(name).suffix.lower()[:10]
        path = _unique_path(space, PurePosixPath(name).stem or "材料", suffix, sha)
        check = _check_upload(data, path)
        if not check.ok:
            messages.error(request, f"文件“{name}”未上传：{check.reason}。{check.hint}")
            return redirect("evidence", account=account)
        blob = (data, sha, path, check.kind or "")
        entry["文件"] = [path]
    candidate = dict(space.evidence or {})
    candidate[group] = list(candidate.get(group) or []) + [entry]
    _, findings = engine.parse_evidence({"cluster": account, **candidate}, engine.LineMap(), engine.EVIDENCE_FILE)
    errors = [f for f in findings if f.severity == engine.Severity.ERROR]
    if errors:
        messages.error(request, "未添加：" + "；".join(f.message + (f"（{f.hint}）" if f.hint else "") for f in errors))
        return redirect("evidence", account=account)
    with transaction.atomic():
        if blob is not None:
            data, sha, path, kind = blob
            store.store_blob(data)
            StoredFile.objects.update_or_create(space=space, path=path, defaults={
                "sha256": sha, "size": len(data), "kind": kind, "uploaded_by": request.user})
        space.evidence = candidate
        if space.state == NOT_STARTED:
            space.state = DRAFTING
        space.save()
        audit(space, request.user, "evidence", f"添加{group}“{entry['名称']}”" + (f"，文件 {blob[2]}" if blob else ""))
    messages.success(request, f"已添加“{entry['名称']}”。")
    return redirect("evidence", account=account)


@allow(roles=READERS, methods=("POST",), write_roles=WRITERS)
def evidence_delete(request, account, group, index):
    space = space_of(account)
    refused = locked(request, space)
    if refused:
        return refused
    ev = dict(space.evidence or {})
    entries = list(ev.get(group) or [])
    if group not in GROUPS or not 0 <= index < len(entries):
        raise Http404("no such entry")
    removed = entries.pop(index)
    ev[group] = entries
    with transaction.atomic():
        space.evidence = ev
        space.save()
        still = set(store._evidence_paths(ev))
        written = removed.get("文件") if isinstance(removed, dict) else None
        for w in written if isinstance(written, list) else [written]:
            if w and w not in still:
                StoredFile.objects.filter(space=space, path=w).delete()
        audit(space, request.user, "evidence", f"删除{group}“{removed.get('名称', '') if isinstance(removed, dict) else ''}”")
    messages.success(request, "已删除。")
    return redirect("evidence", account=account)


@allow(roles=READERS)
def file_download(request, account, file_id):
    """An uploaded file, only for those who may read the cluster; served with its checked type."""
    space = space_of(account)
    f = StoredFile.objects.filter(space=space, id=file_id).first()
    if f is None:
        raise Http404("no such file")
    path = store.blob_path(f.sha256)
    if not path.is_file():
        raise Http404("file missing")
    resp = HttpResponse(path.read_bytes(), content_type=CONTENT_TYPES.get(f.kind.upper(), "application/octet-stream"))
    resp["Content-Disposition"] = content_disposition_header(True, PurePosixPath(f.path).name)
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return resp
