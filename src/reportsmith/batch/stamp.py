"""What lets a batch restart: input fingerprints, stamps beside the reports, temporary-file sweeping.

Beside each report a stamp (``.reportsmith-batch.json``) records the fingerprint of its
inputs — every file of the cluster folder, the cluster record, the package's code and
data, the template — and the SHA-256 of the report (and PDF) written. A report is rebuilt
when its fingerprint changed, or when it is missing or was altered since.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path

from reportsmith.core.atomic import write_text
from reportsmith.core.errors import InputError
from reportsmith.core.limits import open_regular, special_kind
from reportsmith.registry.clusters import Cluster

STAMP_NAME = ".reportsmith-batch.json"
_HASH_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in chunks (reports and evidence files can be large)."""
    h = hashlib.sha256()
    with open_regular(path) as fh:  # a named pipe is refused, never waited on
        while chunk := fh.read(_HASH_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def engine_fingerprint(template: Path) -> str:
    """What every report depends on besides its folder: the package's code and data, the template."""
    h = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for p in sorted(package.rglob("*")):
        if p.suffix in (".py", ".yaml") and p.is_file() and "__pycache__" not in p.parts:
            h.update(p.relative_to(package).as_posix().encode() + b"\0" + sha256_file(p).encode())
    h.update(b"template\0" + sha256_file(Path(template)).encode())
    return h.hexdigest()


def inputs_fingerprint(folder: Path, cluster: Cluster, engine: str) -> str:
    """The fingerprint of one cluster's inputs: every file of its folder, the cluster record, the engine.

    Symbolic links contribute their target's name, never the content of a file outside the folder.
    """
    h = hashlib.sha256(engine.encode())
    h.update(cluster.model_dump_json().encode())
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            p = Path(root) / name
            rel = p.relative_to(folder).as_posix()
            if p.is_symlink():
                digest = f"link:{os.readlink(p)}"
            else:
                # A named pipe, socket or device contributes its kind, never its content:
                # opening a FIFO would wait for a writer forever.
                what = special_kind(os.lstat(p).st_mode)
                digest = f"special:{what}" if what else sha256_file(p)
            h.update(rel.encode() + b"\0" + digest.encode() + b"\n")
    return h.hexdigest()


def stamp_path(docx: Path) -> Path:
    """The stamp beside a report (one report per cluster folder)."""
    return docx.parent / STAMP_NAME


def up_to_date(docx: Path, fingerprint: str, pdf: bool, pdf_a: bool = False) -> bool:
    """True if the report (and its PDF when asked, PDF/A or not as asked) is what the stamp says was built from these inputs."""
    try:
        with open_regular(stamp_path(docx)) as fh:  # a named pipe in its place is not waited on
            stamp = json.loads(fh.read(1 << 20).decode("utf-8"))
        if stamp.get("inputs") != fingerprint or stamp.get("docx") != sha256_file(docx):
            return False
        if pdf:
            return stamp.get("pdf") == sha256_file(docx.with_suffix(".pdf")) and bool(stamp.get("pdf_a")) == pdf_a
        return True
    except (OSError, ValueError, AttributeError, InputError):
        return False


def write_stamp(docx: Path, fingerprint: str, pdf_a: bool = False) -> None:
    """Record the inputs' fingerprint and the outputs' hashes, after the outputs are in place."""
    pdf = docx.with_suffix(".pdf")
    stamp = {"inputs": fingerprint, "docx": sha256_file(docx), "pdf": sha256_file(pdf) if pdf.is_file() else None}
    if pdf_a:
        stamp["pdf_a"] = True
    write_text(stamp_path(docx), json.dumps(stamp, indent=1, sort_keys=True) + "\n")


def sweep_partials(out: Path, keys: list[str]) -> None:
    """Remove temporary files a killed worker left beside its output (``.name.xxxx.part``)."""
    for key in keys:
        folder = out / key
        if folder.is_dir():
            for p in folder.glob(".*.part"):
                with contextlib.suppress(OSError):
                    p.unlink()
