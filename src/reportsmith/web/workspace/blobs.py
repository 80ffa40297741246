"""The bytes of uploaded files: under FILES_DIR, named by their SHA-256, never by an upload's name.

What is on disk always matches the rows that point at it, whatever fails:

* a blob is written to a temporary file (``.up-…``) in its own folder, fsynced and renamed
  to its hash, and only then is the row that points at it committed — a reader never sees
  a partial file, and a committed row always has its complete file;
* whoever writes blobs and commits rows pointing at them holds the files folder's lock
  *shared* from the first write until the commit (:func:`folder_lock`); removing a blob
  that no row references any more takes it *exclusive* (:func:`discard_unreferenced`), so
  it can never remove a blob another request is about to point a new row at (when a
  backup or a load holds the lock for long, the removal is left to the next start);
* a crash can leave a temporary file or a blob whose row was never committed; the server
  start removes both (:func:`sweep`) before it answers any request.

A blob shared by several rows (the same content uploaded twice, or by two clusters) is
stored once and removed when the last row pointing at it is gone.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Iterable, Iterator

from django.conf import settings
from django.db import transaction

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: one server process, no cross-process lock
    fcntl = None  # type: ignore[assignment]

PARTIAL_PREFIX = ".up-"
# How long removing a freed blob waits for uploads, a load or a backup in progress (seconds);
# past that the blob stays, unseen, until the next server start sweeps it.
DISCARD_WAIT = 3.0
_BLOB_NAME = re.compile(r"^[0-9a-f]{64}$")


def files_dir() -> Path:
    return Path(settings.FILES_DIR)


def blob_path(sha256: str) -> Path:
    return files_dir() / sha256[:2] / sha256


@contextlib.contextmanager
def folder_lock(*, shared: bool, folder: Path | None = None, wait: float | None = None) -> Iterator[bool]:
    """An advisory lock on the files folder (``folder``, default the workspace's), between
    threads and processes alike (one ``flock`` per open of the folder); released when the
    block ends or the process dies. A backup holds it shared, so no blob it is about to
    copy is removed under it. With ``wait`` (seconds) it gives up after that long and
    yields False instead of True."""
    if folder is None:
        folder = files_dir()
        folder.mkdir(parents=True, exist_ok=True)
    if fcntl is None or not folder.is_dir():  # pragma: no cover - nothing to lock
        yield True
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        if wait is None:
            fcntl.flock(fd, mode)
            yield True
            return
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.02)
        yield True
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # pragma: no cover - a platform without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def write_blob(source: Path | bytes, sha256: str | None = None) -> tuple[str, bool]:
    """Store the bytes of ``source`` (a file, or bytes) under their hash; return (hash, created).

    An existing blob of the same hash is kept (``created`` False). The caller holds
    :func:`folder_lock` shared until the row pointing at the blob is committed. Raises
    ``ValueError`` when the bytes do not have the hash ``sha256`` (a file changed after it
    was checked); a file source needs its hash."""
    if isinstance(source, (bytes, bytearray)):
        actual = hashlib.sha256(source).hexdigest()
        if sha256 is not None and sha256 != actual:
            raise ValueError("bytes do not match their hash")
        sha256 = actual
    elif sha256 is None:
        raise ValueError("the hash of a file source must be given")
    target = blob_path(sha256)
    if target.is_file():
        return sha256, False
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=PARTIAL_PREFIX)
    try:
        with os.fdopen(fd, "wb") as out:
            if isinstance(source, (bytes, bytearray)):
                out.write(source)
            else:
                h = hashlib.sha256()
                with open(source, "rb") as src:
                    for chunk in iter(lambda: src.read(1 << 20), b""):
                        h.update(chunk)
                        out.write(chunk)
                if h.hexdigest() != sha256:
                    raise ValueError("bytes do not match their hash")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)
    return sha256, True


def discard_unreferenced(shas: Iterable[str]) -> int:
    """Remove the blobs among ``shas`` that no stored-file row references; return how many.

    Call it after the change that freed them committed (:func:`discard_after_commit`)."""
    from .models import StoredFile

    shas = {s for s in shas if s and _BLOB_NAME.match(s)}
    if not shas:
        return 0
    n = 0
    with folder_lock(shared=False, wait=DISCARD_WAIT) as locked:
        if not locked:  # a backup or a load is running: the next server start removes them
            return 0
        used = set(StoredFile.objects.filter(sha256__in=shas).values_list("sha256", flat=True))
        for sha in sorted(shas - used):
            try:
                blob_path(sha).unlink()
                n += 1
            except FileNotFoundError:
                pass
    return n


def discard_after_commit(shas: Iterable[str]) -> None:
    """Remove the unreferenced blobs among ``shas`` once the change that freed them is committed:
    now when no transaction is open, else at the outer commit. Call it outside
    :func:`folder_lock` (the removal takes the lock exclusive)."""
    shas = set(shas)
    if not shas:
        return
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: discard_unreferenced(shas))
    else:
        discard_unreferenced(shas)


def sweep(data_dir: Path | None = None) -> dict[str, int]:
    """What a crash may leave behind, removed before the server answers: upload temporaries,
    blobs whose row was never committed (or whose last row is gone), evidence-mirror
    temporaries. Returns counts by kind."""
    from .models import StoredFile

    data = Path(data_dir) if data_dir is not None else Path(settings.DATA_DIR)
    counts = {"partial": 0, "orphan": 0, "mirror": 0}
    with folder_lock(shared=False):
        used = set(StoredFile.objects.values_list("sha256", flat=True).distinct())
        for p in sorted(files_dir().rglob("*")):
            if not p.is_file():
                continue
            if p.name.startswith(PARTIAL_PREFIX):
                p.unlink(missing_ok=True)
                counts["partial"] += 1
            elif _BLOB_NAME.match(p.name) and p.parent.name == p.name[:2] and p.name not in used:
                p.unlink(missing_ok=True)
                counts["orphan"] += 1
    mirror = data / "mirror"
    if mirror.is_dir():
        for tmp in sorted(mirror.glob("*/.tmp-*")):
            shutil.rmtree(tmp, ignore_errors=True)
            counts["mirror"] += 1
    return counts
