"""The workspace's data as the folder the CLI reads, and back.

:func:`export_space` writes ``<out>/<账号>/`` with report.yaml, form.yaml, evidence.yaml and
the uploaded files at the paths evidence.yaml names — exactly what ``reportsmith check``,
``build`` and ``batch`` read. :func:`load_folder` reads such a folder into the workspace
(the engine validates it first). ``reportsmith export`` / ``load`` and every check of the
web layer go through these two functions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone as dj_timezone

from .. import engine
from . import blobs
from .blobs import blob_path, files_dir  # noqa: F401 - where the views find them
from .models import DRAFTING, NOT_STARTED, AuditEntry, ClusterSpace, SectionVersion, StoredFile, audit

REPORT_FILE = "report.yaml"
FORM_FILE = "form.yaml"


class StaleVersion(Exception):
    """A save based on a version that is no longer the current one."""

    def __init__(self, current: SectionVersion | None):
        super().__init__("stale version")
        self.current = current


def ensure_spaces() -> None:
    """One :class:`ClusterSpace` per cluster of 附件1 (idempotent)."""
    have = set(ClusterSpace.objects.values_list("account", flat=True))
    ClusterSpace.objects.bulk_create([ClusterSpace(account=a) for a in engine.accounts() if a not in have])


def get_space(account: str) -> ClusterSpace:
    space = ClusterSpace.objects.filter(account=account).first()
    if space is None:
        engine.get_cluster(account)  # InputError for an account not in 附件1
        space, _ = ClusterSpace.objects.get_or_create(account=account)
    return space


# ---------------------------------------------------------------- sections

def current_sections(space: ClusterSpace) -> dict[str, SectionVersion]:
    """Heading title → its current version (headings never saved are absent).

    Only the newest row of each heading is read (through the unique (space, heading, version)
    index): every check and export calls this, and autosave leaves hundreds of versions."""
    newest = (SectionVersion.objects.filter(space=space, heading=OuterRef("heading"))
              .order_by("-version").values("version")[:1])
    rows = SectionVersion.objects.filter(space=space, version=Subquery(newest)).order_by("heading")
    return {sv.heading: sv for sv in rows}


def current_section(space: ClusterSpace, heading: str) -> SectionVersion | None:
    return SectionVersion.objects.filter(space=space, heading=heading).order_by("-version").first()


def save_section(space: ClusterSpace, heading: str, content: Any, base_version: int, user) -> SectionVersion:
    """Save a new version of one heading based on ``base_version`` (0 for a heading never saved).

    Raises :class:`StaleVersion` when someone saved in between: the unique (space, heading,
    version) constraint lets exactly one of two concurrent saves of the same base win.
    """
    cur = current_section(space, heading)
    if (cur.version if cur else 0) != base_version:
        raise StaleVersion(cur)
    try:
        with transaction.atomic():
            sv = SectionVersion.objects.create(
                space=space, heading=heading, version=base_version + 1, content=content,
                author=user if getattr(user, "pk", None) else None,
            )
            if space.state == NOT_STARTED:
                space.state = DRAFTING
            # Only what a save changes: a full save of this (possibly stale) row would undo a
            # concurrent change of its other fields (an evidence upload, the form).
            space.save(update_fields=["state", "updated_at"])
            audit(space, user, "save", f"{heading} 第 {sv.version} 版")
    except IntegrityError:
        raise StaleVersion(current_section(space, heading)) from None
    return sv


# ---------------------------------------------------------------- files

def store_blob(data: bytes) -> str:
    """Write bytes under their SHA-256 (fsynced, renamed into place; an existing blob is kept); return the hash.
    Hold :func:`blobs.folder_lock` shared until the row pointing at it is committed."""
    return blobs.write_blob(data)[0]


# ---------------------------------------------------------------- export

def report_mapping(space: ClusterSpace) -> dict[str, Any]:
    """report.yaml of the space as the mapping the engine parses: every heading of 附件3 in order."""
    out: dict[str, Any] = {"cluster": space.account, "year": space.year, **top_level(space)}
    saved = current_sections(space)
    out["sections"] = {h.title: (saved[h.title].value if h.title in saved else None) for h in engine.headings()}
    unclassified = unclassified_texts(space)
    if unclassified:
        out[engine.UNCLASSIFIED_KEY] = dict(unclassified)
    return out


def unclassified_texts(space: ClusterSpace) -> list[tuple[str, str]]:
    """未归类 (label, text) pairs in their order (stored as a list: jsonb does not keep key order)."""
    value = (space.report_meta or {}).get(engine.UNCLASSIFIED_KEY) or []
    pairs = value.items() if isinstance(value, dict) else value
    return [(str(k), str(v)) for k, v in pairs]


def top_level(space: ClusterSpace) -> dict[str, Any]:
    """report.yaml's other top-level keys as read (date, no_highlights, …; 未归类 apart).

    Kept as written, whatever keys the engine's report.yaml knows: the engine validates them."""
    meta = dict(space.report_meta or {})
    meta.pop(engine.UNCLASSIFIED_KEY, None)
    if isinstance(meta.get("date"), str):
        try:
            meta["date"] = dt.date.fromisoformat(meta["date"])
        except ValueError:
            pass
    return meta


def report_yaml(space: ClusterSpace) -> str:
    """report.yaml text of :func:`report_mapping` (literal blocks, as ``reportsmith import`` writes)."""
    m = report_mapping(space)
    lines = [f"cluster: {m['cluster']}", f"year: {m['year']}"]
    for key, value in m.items():
        if key not in ("cluster", "year", "sections", engine.UNCLASSIFIED_KEY):
            lines.append(yaml.safe_dump({key: value}, allow_unicode=True, sort_keys=False, width=10**9).rstrip("\n"))
    lines.append("sections:")
    for title, content in m["sections"].items():
        key = yaml.safe_dump(title, allow_unicode=True).strip().removesuffix("...").strip()
        if isinstance(content, dict) and content:
            lines.append(f"  {key}:")
            for topic, text in content.items():
                lines.append(engine.to_yaml_block(str(topic), str(text or ""), indent=4).rstrip("\n"))
        elif isinstance(content, str) and content:
            lines.append(engine.to_yaml_block(title, content, indent=2).rstrip("\n"))
        else:
            lines.append(f"  {key}:")
    if engine.UNCLASSIFIED_KEY in m:
        lines.append(f"{engine.UNCLASSIFIED_KEY}:")
        for label, text in m[engine.UNCLASSIFIED_KEY].items():
            lines.append(engine.to_yaml_block(str(label), str(text), indent=2).rstrip("\n"))
    return "\n".join(lines) + "\n"


_FORM_YAML: OrderedDict[str, str] = OrderedDict()
_FORM_YAML_LOCK = threading.Lock()


def form_yaml(space: ClusterSpace) -> str | None:
    """form.yaml of the stored form. The text depends only on the mapping and the footer, and
    writing its ~150 entries costs more than the rest of a check's export: kept per content."""
    if space.form is None:
        return None
    signer = signer_of(space)
    key = hashlib.sha256(json.dumps([space.form, signer], ensure_ascii=False, default=str).encode()).hexdigest()
    with _FORM_YAML_LOCK:
        text = _FORM_YAML.get(key)
        if text is not None:
            _FORM_YAML.move_to_end(key)
            return text
    text = _form_yaml(space, signer)
    with _FORM_YAML_LOCK:
        _FORM_YAML[key] = text
        while len(_FORM_YAML) > 256:
            _FORM_YAML.popitem(last=False)
    return text


def _form_yaml(space: ClusterSpace, signer: dict[str, str]) -> str:
    data, findings = engine.parse_form(space.form)
    if any(f.severity == engine.Severity.ERROR for f in findings):
        # Keep what was typed, refused values included, so the CLI reports them as the page does.
        raw = {**space.form, **({engine.SIGNER_KEY: signer} if signer else {})}
        return yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=10**9)
    return engine.form_yaml(dataclasses.replace(data, signer=signer))


_DATE = re.compile(r"^\s*(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?\s*$")


def signer_of(space: ClusterSpace) -> dict[str, str]:
    """The form's footer as the engine prints it (填报日期 in the 2025年1月20日 style)."""
    date = f"{space.fill_date.year}年{space.fill_date.month}月{space.fill_date.day}日" if space.fill_date else ""
    pairs = zip(engine.SIGNER_FIELDS, (space.filler, space.phone, date))
    return {k: v for k, v in pairs if v}


def set_signer(space: ClusterSpace, signer: dict[str, str]) -> None:
    """Fill the footer fields from a loaded form; a date the page cannot hold is left empty."""
    space.filler = signer.get("填表人", "")[:64]
    space.phone = signer.get("电话", "")[:64]
    m = _DATE.match(signer.get("填报日期", ""))
    try:
        space.fill_date = dt.date(*(int(g) for g in m.groups())) if m else None
    except ValueError:
        space.fill_date = None


def evidence_yaml(space: ClusterSpace) -> str | None:
    if space.evidence is None:
        return None
    body = {"cluster": space.account, "year": space.year, **space.evidence}
    return yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=10**9)


def export_space(space: ClusterSpace, folder: Path, *, link: bool = False) -> Path:
    """Write the space as ``folder`` (created; files written inside only). ``link``: the
    uploaded files are hard links to the stored blobs where the file system allows (for a
    folder that is only read, such as :class:`Materialized`); otherwise copies."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / REPORT_FILE).write_text(report_yaml(space), encoding="utf-8")
    form = form_yaml(space)
    if form is not None:
        (folder / FORM_FILE).write_text(form, encoding="utf-8")
    ev = evidence_yaml(space)
    if ev is not None:
        (folder / engine.EVIDENCE_FILE).write_text(ev, encoding="utf-8")
    for f in space.files.all():
        target = folder / f.path
        target.parent.mkdir(parents=True, exist_ok=True)
        src = blob_path(f.sha256)
        if src.exists():
            if link:
                try:
                    os.link(src, target)
                    continue
                except OSError:
                    pass
            shutil.copyfile(src, target)
    return folder


class Materialized:
    """A temporary folder holding the space as the CLI reads it (removed on exit). Read only:
    its uploaded files may be hard links to the stored blobs."""

    def __init__(self, space: ClusterSpace):
        self.space = space

    def __enter__(self) -> Path:
        self._tmp = tempfile.TemporaryDirectory(prefix="rs-")
        return export_space(self.space, Path(self._tmp.name) / self.space.account, link=True)

    def __exit__(self, *exc) -> None:
        self._tmp.cleanup()


def build_report(space: ClusterSpace) -> tuple[bytes, str]:
    """(bytes, file name) of the Word report built by the engine from the space's export."""
    with tempfile.TemporaryDirectory(prefix="rs-build-") as out:
        with Materialized(space) as folder:
            result = engine.build(folder, Path(out))
        return result.docx.read_bytes(), result.docx.name


# A request queues at most this long behind other conversions (one office converts one document at
# a time); its own conversion is bounded by the converter's per-document timeout.
PDF_WAIT_S = 30


def build_report_pdf(space: ClusterSpace) -> tuple[bytes | None, str, str]:
    """(PDF bytes, file name, "") of the report, converted by the engine's one converter
    (``reportsmith build --pdf``); (None, file name, why in Chinese) when LibreOffice is
    absent, busy or fails."""
    with tempfile.TemporaryDirectory(prefix="rs-build-") as out:
        with Materialized(space) as folder:
            result = engine.build(folder, Path(out))
        pdf, findings = engine.convert_pdf(result.docx, wait=PDF_WAIT_S)
        name = result.docx.with_suffix(".pdf").name
        if pdf is not None:
            return pdf.read_bytes(), name, ""
        why = findings[0].message if findings else "PDF 转换失败"
        return None, name, why.removesuffix("；Word 文档已正常生成")


def check_space(space: ClusterSpace):
    """The engine's full check (``reportsmith check <folder>``) of the space."""
    with Materialized(space) as folder:
        return engine.check_inputs(folder)


# ---------------------------------------------------------------- load

def plain(value: Any) -> Any:
    """A YAML value as JSON-storable data (dates as ISO text)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


# Audit actions after which a load replaces nothing anybody did in the workspace.
_READING_ACTIONS = ("download", "annotate")


class ChangedInWorkspace(engine.ReportsmithError):
    """Loading a folder would replace what was done in the workspace since the cluster's last
    load: the load is skipped (exit code 1, like a warning), nothing is changed."""

    exit_code = 1


def change_since_load(space: ClusterSpace) -> AuditEntry | None:
    """The latest change made in the workspace (text, form, evidence, import, submission or
    review) since the cluster was last loaded from a folder, or None."""
    entries = space.audit.exclude(action__in=_READING_ACTIONS)
    last_load = entries.filter(action="load").order_by("-pk").values_list("pk", flat=True).first()
    later = entries.exclude(action="load")
    if last_load is not None:
        later = later.filter(pk__gt=last_load)
    return later.order_by("-pk").first()


def load_folder(folder: Path, user=None, *, replace_changes: bool = True) -> ClusterSpace:
    """Read ``INPUTS/<账号>/`` into the workspace, replacing the cluster's form and evidence and
    adding a new version of every heading whose text differs. The engine reads the folder
    first, so an invalid report.yaml raises its :class:`InputError` and changes nothing.

    With ``replace_changes=False`` a cluster changed in the workspace since its last load is
    left as it is and :class:`ChangedInWorkspace` says by whom and when."""
    folder = Path(folder)
    report = engine.load_report(folder / REPORT_FILE)
    raw, _ = engine.load_yaml(folder / REPORT_FILE)
    form_raw = None
    signer: dict[str, str] = {}
    for name in ("form.yaml", "form.xlsx"):
        if (folder / name).is_file():
            data, _ = engine.load_form(folder / name)
            form_raw = form_mapping(data, report.cluster)
            signer = data.signer
            break
    ev_raw = None
    if (folder / engine.EVIDENCE_FILE).is_file():
        ev, _ = engine.load_yaml(folder / engine.EVIDENCE_FILE)
        ev_raw = {k: plain(v) for k, v in (ev or {}).items() if k not in ("cluster", "year")}
    with blobs.folder_lock(shared=True), transaction.atomic():
        # Locked like every upload (quota.change_files), so none can slip in between the check and the load.
        space = ClusterSpace.objects.select_for_update().get(pk=get_space(report.cluster).pk)
        change = None if replace_changes else change_since_load(space)
        if change is not None:
            when = dj_timezone.localtime(change.created_at).strftime("%Y-%m-%d %H:%M")
            raise ChangedInWorkspace(
                f"未导入：集群 {report.cluster} 在工作区中已有改动（最近一次：{when} {change.username or '系统'}“{change.action_label}”），"
                f"导入会替换这些内容",
                file=folder / REPORT_FILE,
                hint="确需用该文件夹的内容替换时，加 --replace 重新导入；正文的旧版本仍保留在历史版本中，统计报表和佐证材料清单将被替换",
            )
        space.year = report.year
        meta: dict[str, Any] = {str(k): plain(v) for k, v in raw.items() if k not in ("cluster", "year", "sections")}
        if report.unclassified:
            meta[engine.UNCLASSIFIED_KEY] = [[k, v] for k, v in report.unclassified.items()]
        else:
            meta.pop(engine.UNCLASSIFIED_KEY, None)
        space.report_meta = meta
        if space.form != form_raw:
            space.form = form_raw
            space.form_version += 1
        set_signer(space, signer)
        space.evidence = ev_raw
        saved = current_sections(space)
        changed = False
        for key, value in (raw.get("sections") or {}).items():
            heading = engine.find_heading(str(key))
            if heading is None or value is None:
                continue
            content = SectionVersion.stored(plain(value))
            cur = saved.get(heading.title)
            if cur is not None and cur.content == content:
                continue
            SectionVersion.objects.create(
                space=space, heading=heading.title, version=(cur.version if cur else 0) + 1, content=content,
                author=user if getattr(user, "pk", None) else None,
            )
            changed = True
        if changed and space.state == NOT_STARTED:
            space.state = DRAFTING
        space.save()
        _load_files(space, folder, ev_raw, user)
        audit(space, user, "load", f"从文件夹 {folder.name} 导入")
    return space


def form_mapping(data, account: str | None = None) -> dict[str, Any]:
    """A loaded form (FormData) as the mapping the workspace stores."""
    out: dict[str, Any] = {"cluster": data.cluster or account, "year": data.year}
    out.update({k: _num(v) for k, v in data.values.items()})
    if data.previous:
        out["previous"] = {k: _num(v) for k, v in data.previous.items()}
    return out


def _num(v) -> Any:
    return v if isinstance(v, int) else format(v, "f")


def entry_files(entry: dict) -> list[str]:
    """The paths an evidence entry's 文件 names (one path as text, or a list of them)."""
    written = entry.get("文件")
    return [w for w in (written if isinstance(written, list) else [written]) if isinstance(w, str) and w]


def evidence_paths(ev_raw: dict | None) -> list[str]:
    """Every path the evidence lists name, in order."""
    return [p for entries in (ev_raw or {}).values() for e in entries or [] if isinstance(e, dict) for p in entry_files(e)]


def _load_files(space: ClusterSpace, folder: Path, ev_raw: dict | None, user) -> None:
    """Copy the files evidence.yaml names into the store; the engine's file check decides the type.
    A file the check refuses (missing, outside the folder, too large) is not copied: the
    check of the space reports it exactly as ``reportsmith check`` of the folder does."""
    allowed = engine.evidence_rules.allowed_types()
    for written in evidence_paths(ev_raw):
        check = engine.check_file(folder, written, max_bytes=settings.MAX_UPLOAD_BYTES, allowed=allowed)
        if not check.sha256:
            continue
        data = (folder / check.path).read_bytes()
        sha = store_blob(data)
        StoredFile.objects.update_or_create(
            space=space, path=written,
            defaults={"sha256": sha, "size": len(data), "kind": check.kind or "",
                      "uploaded_by": user if getattr(user, "pk", None) else None},
        )
