"""佐证材料: the evidence.yaml lists and their files, checked by the engine's evidence checks."""

from __future__ import annotations

import dataclasses
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header

from .. import engine
from ..untrusted import OFFICE, Spooled, office_problem, spool_upload
from ..access import allow
from . import live, quota, store
from .common import READERS, WRITERS, page, space_of
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
                max_mb=settings.MAX_UPLOAD_BYTES // (1024 * 1024), quota=_quota_shown(space),
                allowed=", ".join(sorted({e for exts in engine.evidence_rules.allowed_types().values() for e in exts})))


def _quota_shown(space) -> dict:
    used, limit = quota.usage(space), quota.cluster_limit()
    return {"used": quota.mb_text(used), "limit": quota.mb_text(limit), "left": quota.mb_text(max(limit - used, 0)),
            "percent": min(100, used * 100 // max(limit, 1)), "full": used >= limit}


def _unique_path(space, stem: str, suffix: str, sha: str, free: frozenset[str] = frozenset()) -> str:
    """``evidence/<name>``: the file's own (made safe) name; the same content keeps its path,
    other content with the same name gets ``-2``, ``-3``…; a path in ``free`` (the file being
    replaced) may be taken over."""
    base = f"evidence/{engine.safe_name(stem)}"
    taken = {p: s for p, s in space.files.values_list("path", "sha256") if p not in free}
    path, n = f"{base}{suffix}", 1
    while path in taken and taken[path] != sha:
        n += 1
        path = f"{base}-{n}{suffix}"
    return path


def _check_upload(path: Path):
    """The engine's file check (size, type from content, extension) of a spooled upload."""
    check = engine.check_file(path.parent, path.name, max_bytes=settings.MAX_UPLOAD_BYTES,
                              allowed=engine.evidence_rules.allowed_types())
    if check.ok and (check.kind or "").lower() in OFFICE:
        problem = office_problem(path)
        if problem:  # zip bomb, DOCTYPE/entities, encrypted: the engine's defences for untrusted files
            return dataclasses.replace(check, status="无效", reason=problem, hint="请用 Word、WPS 或 Excel 打开后重新另存再上传")
    return check


@dataclasses.dataclass(frozen=True)
class _Checked:
    """An upload the engine's file checks accepted, not yet placed at a path."""

    up: Spooled
    name: str
    kind: str

    def at(self, space, free: frozenset[str] = frozenset()) -> quota.NewFile:
        """The file placed under ``evidence/`` beside the cluster's current files (read in the locked transaction)."""
        stem = PurePosixPath(self.name).stem if self.up.suffix else self.name
        path = _unique_path(space, stem or "材料", self.up.suffix, self.up.sha256, free)
        return quota.NewFile(path, self.up.path, self.up.sha256, self.up.size, self.kind, self.name)


def _checked(up: Spooled) -> _Checked | str:
    """The spooled upload if the engine's checks accept it, else the refusal (Chinese)."""
    if up.size > settings.MAX_UPLOAD_BYTES:
        return f"文件“{up.name}”超过 {settings.MAX_UPLOAD_BYTES // (1024 * 1024)} MB 上限，请压缩或拆分后再上传。"
    name = up.base_name
    check = _check_upload(up.path)
    if not check.ok:
        return f"文件“{name}”未上传：{check.reason}。{check.hint}"
    return _Checked(up, name, check.kind or "")


def _set_entry_files(entry: dict, files: list[str]) -> dict:
    """The entry with ``files`` as its 文件 (a single file stays as written: text or list)."""
    out = dict(entry)
    if not files:
        out.pop("文件", None)
    elif len(files) == 1 and isinstance(entry.get("文件"), str):
        out["文件"] = files[0]
    else:
        out["文件"] = list(files)
    return out


def _engine_refusal(account: str, candidate: dict, prefix: str) -> str | None:
    """The engine's evidence.yaml errors of ``candidate`` as one message, or None."""
    _, findings = engine.parse_evidence({"cluster": account, **candidate}, engine.LineMap(), engine.EVIDENCE_FILE)
    errors = [f for f in findings if f.severity == engine.Severity.ERROR]
    if errors:
        return prefix + "；".join(f.message + (f"（{f.hint}）" if f.hint else "") for f in errors)
    return None


def _apply(request, account, space, change, done: str):
    """Run ``change`` in the quota's locked transaction; the page shows its refusal or ``done``."""
    try:
        quota.change_files(space, request.user, change)
    except quota.Refused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("evidence", account=account)


def _touch(space) -> None:
    if space.state == NOT_STARTED:
        space.state = DRAFTING


@allow(roles=READERS, methods=("POST",), write_roles=WRITERS, editable=True)
def evidence_add(request, account):
    space = space_of(account)
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
    with spool_upload(request, "file") as up:
        checked = None
        if up is not None:
            checked = _checked(up)
            if isinstance(checked, str):
                messages.error(request, checked)
                return redirect("evidence", account=account)

        def change(locked_space):
            add = [checked.at(locked_space)] if checked else []
            new_entry = {**entry, "文件": [add[0].path]} if add else entry
            candidate = dict(locked_space.evidence or {})
            candidate[group] = list(candidate.get(group) or []) + [new_entry]
            problem = _engine_refusal(account, candidate, "未添加：")
            if problem:
                raise quota.Refused(problem)
            locked_space.evidence = candidate
            _touch(locked_space)
            audit(locked_space, request.user, "evidence",
                  f"添加{group}“{entry['名称']}”" + (f"，文件 {add[0].path}" if add else ""))
            return quota.Change(add=add)

        return _apply(request, account, space, change, f"已添加“{entry['名称']}”。")


def _entry_at(space, group: str, index: int, name: str) -> tuple[list, dict]:
    """The entries of ``group`` and the one at ``index``, refused unless it is still the entry
    named ``name`` the writer saw (the list may have changed in another tab meanwhile)."""
    entries = list((space.evidence or {}).get(group) or [])
    entry = entries[index] if 0 <= index < len(entries) else None
    if not isinstance(entry, dict) or str(entry.get("名称", "")) != name:
        raise quota.Refused("材料列表已经变化（可能在另一个标签页或由同事修改），未作改动。请刷新本页后重试。")
    return entries, entry


@allow(roles=READERS, methods=("POST",), write_roles=WRITERS, editable=True)
def evidence_file(request, account, group, index):
    """Attach a file to a listed entry, or replace one of its files (``replace`` = that file's path)."""
    space = space_of(account)
    if group not in GROUPS:
        raise Http404("no such group")
    name = request.POST.get("name", "")
    replace = request.POST.get("replace", "")
    with spool_upload(request, "file") as up:
        if up is None:
            messages.error(request, "请选择要上传的文件。")
            return redirect("evidence", account=account)
        checked = _checked(up)
        if isinstance(checked, str):
            messages.error(request, checked)
            return redirect("evidence", account=account)

        def change(locked_space):
            entries, entry = _entry_at(locked_space, group, index, name)
            files = store.entry_files(entry)
            if replace and replace not in files:
                raise quota.Refused("要替换的文件已不在这一项中（可能已被替换或移除），未作改动。请刷新本页后重试。")
            others = set(store.evidence_paths({**(locked_space.evidence or {}), group: entries[:index] + entries[index + 1:]}))
            new = checked.at(locked_space, frozenset({replace} - others) if replace else frozenset())
            if replace:
                files = [new.path if p == replace else p for p in files]
            elif new.path not in files:
                files.append(new.path)
            files = list(dict.fromkeys(files))
            entries[index] = _set_entry_files(entry, files)
            candidate = {**(locked_space.evidence or {}), group: entries}
            problem = _engine_refusal(account, candidate, "未上传：")
            if problem:
                raise quota.Refused(problem)
            locked_space.evidence = candidate
            _touch(locked_space)
            audit(locked_space, request.user, "evidence",
                  f"{'替换' if replace else '附加'}{group}“{name}”的文件：{new.path}" + (f"（原 {replace}）" if replace else ""))
            return quota.Change(add=[new], drop={replace} if replace else set())

        return _apply(request, account, space, change, f"已{'替换' if replace else '上传'}“{name}”的文件“{checked.name}”。")


@allow(roles=READERS, methods=("POST",), write_roles=WRITERS, editable=True)
def evidence_file_remove(request, account, group, index):
    """Remove one file (``path``) from a listed entry; the entry stays."""
    space = space_of(account)
    if group not in GROUPS:
        raise Http404("no such group")
    name = request.POST.get("name", "")
    path = request.POST.get("path", "")

    def change(locked_space):
        entries, entry = _entry_at(locked_space, group, index, name)
        files = store.entry_files(entry)
        if path not in files:
            raise quota.Refused("这个文件已不在这一项中（可能已被移除），未作改动。请刷新本页后重试。")
        entries[index] = _set_entry_files(entry, [p for p in files if p != path])
        locked_space.evidence = {**(locked_space.evidence or {}), group: entries}
        audit(locked_space, request.user, "evidence", f"移除{group}“{name}”的文件：{path}")
        return quota.Change(drop={path})

    return _apply(request, account, space, change, f"已移除“{name}”的文件。")


@allow(roles=READERS, methods=("POST",), write_roles=WRITERS, editable=True)
def evidence_delete(request, account, group, index):
    space = space_of(account)
    if group not in GROUPS or not 0 <= index < len((space.evidence or {}).get(group) or []):
        raise Http404("no such entry")

    def change(locked_space):
        ev = dict(locked_space.evidence or {})
        entries = list(ev.get(group) or [])
        if not 0 <= index < len(entries):
            raise quota.Refused("材料列表已经变化（可能在另一个标签页或由同事修改），未作改动。请刷新本页后重试。")
        removed = entries.pop(index)
        ev[group] = entries
        locked_space.evidence = ev
        audit(locked_space, request.user, "evidence",
              f"删除{group}“{removed.get('名称', '') if isinstance(removed, dict) else ''}”")
        return quota.Change(drop=set(store.entry_files(removed)) if isinstance(removed, dict) else set())

    return _apply(request, account, space, change, "已删除。")


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
