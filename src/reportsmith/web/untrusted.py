"""The engine's untrusted-file defences, applied to every uploaded .docx and .xlsx.

:func:`reportsmith.docx.read.open_docx` refuses zip bombs (declared and actual sizes, member
count), encrypted and old binary Office files and non-zip files; its ``xml`` reader refuses
DOCTYPE and entity declarations. Both formats are zip packages of XML parts, so every XML
part of an upload is read through it before the upload is kept.

:func:`spool_upload` is how every view takes an uploaded file: copied into a private
temporary folder under a fixed name (the upload's own name is never used as a path; only
its extension is kept, for the engine's type check), hashed on the way, and removed when
the view is done with it, whatever happens.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterator

from reportsmith.core.errors import ReportsmithError
from reportsmith.docx.read import open_package

OFFICE = {"docx", "xlsx"}
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,9}$")


@dataclass(frozen=True)
class Spooled:
    """An uploaded file copied to ``path``; ``name`` is the name the browser sent (for
    messages only: never a path), ``size`` and ``sha256`` those of the copied bytes."""

    path: Path
    name: str
    size: int
    sha256: str

    @property
    def base_name(self) -> str:
        """The last component of the sent name, whichever separator the sender used."""
        return base_name(self.name)

    @property
    def suffix(self) -> str:
        """The sent name's extension, lower case (``.pdf``), or "" when it is not a plain one."""
        return plain_suffix(self.name)


def base_name(sent: str) -> str:
    return PurePosixPath(sent.replace("\\", "/")).name


def plain_suffix(sent: str) -> str:
    suffix = PurePosixPath(base_name(sent)).suffix.lower()
    return suffix if _SUFFIX.match(suffix) else ""


@contextlib.contextmanager
def spool_upload(request, field: str, *, name: str | None = None, empty_is_missing: bool = False) -> Iterator[Spooled | None]:
    """The file of form field ``field`` copied chunk by chunk into a new temporary folder.

    Yields None when no file was chosen (or, with ``empty_is_missing``, an empty one). The
    copy is named ``name``, or ``upload`` plus the sent name's extension; the folder is
    removed when the block ends.
    """
    up = request.FILES.get(field)
    if up is None or (empty_is_missing and up.size == 0):
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="rs-upload-") as tmp:
        sent = str(up.name or "")
        path = Path(tmp) / (name or f"upload{plain_suffix(sent)}")
        digest = hashlib.sha256()
        size = 0
        with open(path, "wb") as fh:
            for chunk in up.chunks():
                digest.update(chunk)
                size += len(chunk)
                fh.write(chunk)
        yield Spooled(path, sent, size, digest.hexdigest())


def office_problem(path: Path) -> str | None:
    """None when the .docx/.xlsx at ``path`` passes the engine's checks, else the reason (Chinese)."""
    try:
        with open_package(path) as doc:
            for name in sorted(doc.names):
                if name.endswith((".xml", ".rels")):
                    doc.xml(name)
    except ReportsmithError as exc:
        return exc.message if hasattr(exc, "message") else str(exc)
    return None
