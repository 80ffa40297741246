"""A cluster's stored files changed as one step, within the per-cluster upload quota.

The quota (``workspace.cluster_upload_mb`` of ``data/limits.yaml``) bounds the total size of
all files a cluster keeps in the workspace. Content is counted once: a file uploaded again,
attached to a second entry, or replaced by the same bytes adds nothing.

:func:`change_files` is the one way a view adds, replaces or removes stored files. It runs
in one transaction that locks the cluster's row, so the usage it checks is the usage it
changes: two uploads at once cannot together exceed the quota (on PostgreSQL the row lock
orders them; SQLite's write transactions are serial). Blobs are written and fsynced before
the rows pointing at them commit; blobs no row needs any more are removed after the commit;
a refused change writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable

from django.conf import settings
from django.db import transaction

from reportsmith.core.limits import MB
from reportsmith.core.numfmt import format_number

from . import blobs
from .models import ClusterSpace, StoredFile
from .store import evidence_paths


class Refused(Exception):
    """A change that cannot be made; ``message`` says why and what to do (Chinese)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class NewFile:
    """A checked upload to be stored at ``path`` (where evidence.yaml refers to it)."""

    path: str
    source: Path
    sha256: str
    size: int
    kind: str
    name: str  # as the writer's computer called it, for messages


@dataclass
class Change:
    """What a change does to the stored files: files to add (or to replace the file at their
    path), and paths evidence.yaml no longer names (their rows go unless still named)."""

    add: list[NewFile] = field(default_factory=list)
    drop: set[str] = field(default_factory=set)


def cluster_limit() -> int:
    """The per-cluster total in bytes (settings.CLUSTER_UPLOAD_BYTES, from data/limits.yaml)."""
    return int(settings.CLUSTER_UPLOAD_BYTES)


def mb_text(n: int) -> str:
    """A size in MB for a message or a page, rounded half-up (``0.05 MB``, ``12.3 MB``, ``200 MB``)."""
    return f"{format_number(Decimal(n) / MB, 2 if n < MB else 1)} MB"


def _total(rows: Iterable[tuple[str, int]]) -> int:
    """The bytes of ``(sha256, size)`` rows, each content counted once."""
    return sum(dict(rows).values())


def usage(space: ClusterSpace) -> int:
    """The bytes the cluster's stored files take (each content once)."""
    return _total(StoredFile.objects.filter(space=space).values_list("sha256", "size"))


def quota_message(new: NewFile, used: int, limit: int) -> str:
    return (f"文件“{new.name}”（{mb_text(new.size)}）未上传：本集群已保存的文件共 {mb_text(used)}，"
            f"加上这个文件将超过每个集群 {mb_text(limit)} 的上限。"
            "请先删除或替换不再需要的文件，或把文件压缩（如降低扫描分辨率、另存为较小的 PDF）后再上传；"
            "确需更多空间的，请联系主管部门。")


def change_files(space: ClusterSpace, user, change: Callable[[ClusterSpace], Change]) -> ClusterSpace:
    """Apply ``change`` to the cluster's freshly read, locked row and its stored files, all or nothing.

    ``change(space)`` edits ``space`` (its evidence list, state; it may write audit rows) and
    returns the :class:`Change` of the files; it may raise :class:`Refused`. The row is saved
    here. Raises :class:`Refused` for an upload over the quota or a report no longer editable
    (nothing is written then).
    Returns the saved row.
    """
    created: list[str] = []
    try:
        with blobs.folder_lock(shared=True), transaction.atomic():
            locked = ClusterSpace.objects.select_for_update().get(pk=space.pk)
            if not locked.editable:  # submitted after the view's own check, before this lock
                raise Refused(locked.locked_message)
            todo = change(locked)
            named = set(evidence_paths(locked.evidence))
            rows = {p: (sha, size) for p, sha, size in
                    StoredFile.objects.filter(space=locked).values_list("path", "sha256", "size")}
            adding = {f.path: f for f in todo.add}
            freed = {p for p in todo.drop if p in rows and p not in named and p not in adding}
            after = {p: v for p, v in rows.items() if p not in freed}
            after.update({p: (f.sha256, f.size) for p, f in adding.items()})
            used, will_use, limit = _total(rows.values()), _total(after.values()), cluster_limit()
            if adding and will_use > limit and will_use > used:
                raise Refused(quota_message(todo.add[-1], used, limit))
            for f in todo.add:
                sha, new = blobs.write_blob(f.source, f.sha256)
                if new:
                    created.append(sha)
                StoredFile.objects.update_or_create(space=locked, path=f.path, defaults={
                    "sha256": f.sha256, "size": f.size, "kind": f.kind, "uploaded_by": user if getattr(user, "pk", None) else None})
            StoredFile.objects.filter(space=locked, path__in=freed).delete()
            locked.save()
            released = {rows[p][0] for p in freed} | {rows[p][0] for p in adding if p in rows}
    except BaseException:
        blobs.discard_unreferenced(created)  # nothing points at them: the change did not happen
        raise
    blobs.discard_after_commit(released - {f.sha256 for f in todo.add})
    return locked
