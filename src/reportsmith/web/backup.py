"""Backup and restore of a workspace: the database and the uploaded files in one archive.

The archive is a tar file holding

- ``manifest.json``: format, database kind, creation time, and the SHA-256 and size of
  every other member;
- ``db/workspace.sqlite3`` (SQLite's online backup API: a consistent copy while the server
  writes) or ``db/workspace.pgdump`` (``pg_dump --format=custom`` for PostgreSQL);
- ``files/<xx>/<sha256>``: the uploaded files, named by their content hash;
- ``secret_key``: so that restored sessions and signed links stay valid.

Consistency: the database is copied first, then the files. A file's bytes are written
(and renamed into place) before its database row is committed, and blobs are never
changed or removed, so every file row in the copied database finds its blob in the archive.

Restore checks every member against the manifest before writing anything, refuses a data
folder that already holds a workspace unless told to overwrite, and writes only the names
it knows (never a path taken from the archive).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from reportsmith.core.atomic import atomic_path

FORMAT = "reportsmith-workspace-backup/1"
SQLITE_NAME = "workspace.sqlite3"
_BLOB = re.compile(r"^files/([0-9a-f]{2})/([0-9a-f]{64})$")
_FIXED = {"db/workspace.sqlite3", "db/workspace.pgdump", "secret_key"}
PARTIAL_PREFIX = ".up-"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the user (Chinese)."""


@dataclass
class Summary:
    database: str
    files: int
    bytes: int


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _pg_url() -> str | None:
    return os.environ.get("DATABASE_URL") or None


def _pg_env(url: str) -> tuple[list[str], dict[str, str]]:
    """libpq connection arguments for pg_dump/pg_restore (the password through the environment)."""
    import dj_database_url

    cfg = dj_database_url.parse(url)
    env = dict(os.environ)
    if cfg.get("PASSWORD"):
        env["PGPASSWORD"] = str(cfg["PASSWORD"])
    args = ["-h", str(cfg.get("HOST") or "127.0.0.1"), "-p", str(cfg.get("PORT") or 5432),
            "-U", str(cfg.get("USER") or ""), "-d", str(cfg["NAME"])]
    return args, env


def sweep_partial(files_dir: Path, *, older_than: float = 3600) -> int:
    """Remove upload temporaries (``.up-*``) left by a crash; return how many.

    They are never visible to users (no row points at them). Only those older than
    ``older_than`` seconds go, so that another process's upload in progress is left alone.
    """
    n = 0
    if files_dir.is_dir():
        limit = time.time() - older_than
        for p in files_dir.rglob(PARTIAL_PREFIX + "*"):
            try:
                if p.stat().st_mtime < limit:
                    p.unlink()
                    n += 1
            except FileNotFoundError:
                pass
    return n


def backup(data: Path, output: Path) -> Summary:
    """Write a consistent archive of the workspace in ``data`` to ``output`` (atomically)."""
    data = Path(data)
    from .workspace.blobs import folder_lock

    # Held shared: uploads go on, but no file a row of the copied database names is removed meanwhile.
    with folder_lock(shared=True, folder=data / "files"), tempfile.TemporaryDirectory(prefix="rs-backup-") as tmp:
        tmpdir = Path(tmp)
        members: list[tuple[str, Path]] = []
        url = _pg_url()
        if url:
            dump = tmpdir / "workspace.pgdump"
            args, env = _pg_env(url)
            proc = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-acl", *args, "-f", str(dump)],
                                  env=env, capture_output=True, text=True)
            if proc.returncode != 0:
                raise BackupError(f"pg_dump 失败：{proc.stderr.strip()}；请检查 DATABASE_URL 和 PostgreSQL 客户端程序")
            members.append(("db/workspace.pgdump", dump))
            kind = "postgresql"
        else:
            src = data / SQLITE_NAME
            if not src.is_file():
                raise BackupError(f"{data} 中没有工作区数据库 {SQLITE_NAME}；请用 --data 指定工作区数据文件夹")
            copy = tmpdir / SQLITE_NAME
            source = sqlite3.connect(f"file:{src}?mode=ro", uri=True, timeout=30)
            target = sqlite3.connect(copy)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
            members.append(("db/workspace.sqlite3", copy))
            kind = "sqlite"
        key = data / "secret_key"
        if key.is_file():
            members.append(("secret_key", key))
        files = data / "files"
        if files.is_dir():
            for p in sorted(files.rglob("*")):
                rel = p.relative_to(data).as_posix()
                if p.is_file() and _BLOB.match(rel):
                    members.append((rel, p))
        manifest = {"format": FORMAT, "database": kind, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "members": {}}
        total = 0
        output.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(output) as out_tmp, tarfile.open(out_tmp, "w") as tar:
            for name, path in members:
                size = path.stat().st_size
                manifest["members"][name] = {"sha256": _sha256_file(path), "size": size}
                tar.add(path, arcname=name, recursive=False)
                total += size
            raw = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(raw)
            info.mtime = int(time.time())
            tar.addfile(info, io.BytesIO(raw))
    n_files = sum(1 for name, _ in members if name.startswith("files/"))
    return Summary(kind, n_files, total)


def _holds_workspace(data: Path) -> bool:
    if (data / SQLITE_NAME).exists():
        return True
    files = data / "files"
    return files.is_dir() and any(p.is_file() for p in files.rglob("*"))


def _pg_has_data(url: str) -> bool:
    import psycopg

    with psycopg.connect(url, connect_timeout=10) as conn:
        row = conn.execute("SELECT to_regclass('public.accounts_user')").fetchone()
        if row[0] is None:
            return False
        return conn.execute("SELECT EXISTS (SELECT 1 FROM accounts_user)").fetchone()[0]


def restore(archive: Path, data: Path, *, force: bool = False) -> Summary:
    """Bring the archive back into ``data`` (and the PostgreSQL database when DATABASE_URL is set)."""
    archive, data = Path(archive), Path(data)
    if not archive.is_file():
        raise BackupError(f"找不到备份文件 {archive}")
    try:
        tar = tarfile.open(archive, "r")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{archive} 不是 reportsmith backup 生成的备份文件（{exc}）") from None
    with tar, tempfile.TemporaryDirectory(prefix="rs-restore-") as tmp:
        try:
            manifest = json.loads(tar.extractfile("manifest.json").read())
        except (KeyError, AttributeError, ValueError):
            raise BackupError(f"{archive} 中没有可读的 manifest.json，不是 reportsmith backup 生成的备份文件") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{archive} 的格式 {manifest.get('format')!r} 无法识别（应为 {FORMAT}）")
        expected = manifest["members"]
        staged: dict[str, Path] = {}
        for i, (name, meta) in enumerate(sorted(expected.items())):
            if name not in _FIXED and not _BLOB.match(name):
                raise BackupError(f"{archive} 含有不认识的成员 {name!r}，已拒绝恢复")
            try:
                member = tar.getmember(name)
                src = tar.extractfile(member) if member.isreg() else None
            except KeyError:
                src = None
            if src is None:
                raise BackupError(f"{archive} 缺少 {name}（清单中列出）；备份文件不完整")
            dest = Path(tmp) / f"m{i}"
            h = hashlib.sha256()
            with open(dest, "wb") as fh:
                for chunk in iter(lambda: src.read(1 << 20), b""):
                    h.update(chunk)
                    fh.write(chunk)
            if h.hexdigest() != meta["sha256"]:
                raise BackupError(f"{archive} 中 {name} 的校验值与清单不符；备份文件已损坏")
            staged[name] = dest
        kind = manifest["database"]
        url = _pg_url()
        if kind == "postgresql" and not url:
            raise BackupError("这是 PostgreSQL 数据库的备份；请设置 DATABASE_URL 指向要恢复到的数据库")
        if kind == "sqlite" and url:
            raise BackupError("这是 SQLite 数据库的备份；恢复到 SQLite 时请不要设置 DATABASE_URL")
        if not force and (_holds_workspace(data) or (url and _pg_has_data(url))):
            raise BackupError(f"{data} 中已有工作区数据；为防止覆盖，恢复已取消。确需覆盖请加 --force")
        data.mkdir(parents=True, exist_ok=True)
        n_files = total = 0
        for name, path in staged.items():
            total += path.stat().st_size
            if name.startswith("files/"):
                target = data / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                n_files += 1
        if "secret_key" in staged:
            with atomic_path(data / "secret_key") as t:
                shutil.copyfile(staged["secret_key"], t)
            os.chmod(data / "secret_key", 0o600)
        if kind == "sqlite":
            for suffix in ("-wal", "-shm"):
                (data / (SQLITE_NAME + suffix)).unlink(missing_ok=True)
            with atomic_path(data / SQLITE_NAME) as t:
                shutil.copyfile(staged["db/workspace.sqlite3"], t)
        else:
            args, env = _pg_env(url)
            proc = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-acl", *args,
                                   str(staged["db/workspace.pgdump"])], env=env, capture_output=True, text=True)
            if proc.returncode != 0:
                raise BackupError(f"pg_restore 失败：{proc.stderr.strip()}")
    return Summary(kind, n_files, total)
