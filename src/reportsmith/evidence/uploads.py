"""Checks of a file handed over by a user — uploaded to the workspace or named on the command
line — before it is stored or used, with the same bounds as every command (data/limits.yaml).

The web workspace calls :func:`upload_limit` to refuse an oversize request before reading it,
then :func:`check_upload_bytes` (or :func:`check_upload` for a file already on disk). Each
raises :class:`~reportsmith.core.errors.InputError` with a Chinese message naming the file.

    >>> check_upload_bytes(data, "form.xlsx", "xlsx")  # doctest: +SKIP
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from reportsmith.core.errors import InputError
from reportsmith.core.limits import check_size, file_limit

KINDS = ("yaml", "xlsx", "docx", "evidence")


def upload_limit(kind: str) -> int:
    """The largest file of ``kind`` (yaml, xlsx, docx, evidence) accepted, in bytes."""
    if kind not in KINDS:
        raise ValueError(kind)
    return file_limit(kind)


def check_upload(path: str | Path, kind: str) -> None:
    """Refuse ``path`` unless it is a regular file of ``kind`` within every limit and readable as such.

    yaml: parses (YAML 1.2 numbers, no anchors or aliases, node and depth limits);
    xlsx: a valid workbook within the zip and row limits; docx: a valid Word package whose
    main part parses; evidence: an allowed type recognised by its structure.
    """
    path = Path(path)
    if kind == "yaml":
        from reportsmith.core.yamlio import load_yaml

        load_yaml(path)
    elif kind == "xlsx":
        from reportsmith.form.xlsx import read_xlsx

        read_xlsx(path)
    elif kind == "docx":
        from reportsmith.docx.read import open_docx

        with open_docx(path) as doc:
            body = doc.xml(doc.main_part)
        if body is None:
            raise InputError("压缩包中没有 Word 正文，不是 .docx 文件", file=path, hint="请用 Word 或 WPS 另存为 .docx 后再上传")
    elif kind == "evidence":
        from reportsmith.evidence import rules as er
        from reportsmith.evidence.files import check_file

        result = check_file(path.parent, path.name, max_bytes=min(er.max_bytes(), file_limit("evidence")),
                            allowed=er.allowed_types())
        if not result.ok:
            raise InputError(result.reason, file=path, hint=result.hint or None)
    else:
        raise ValueError(kind)


def check_upload_bytes(data: bytes, name: str, kind: str) -> None:
    """:func:`check_upload` for bytes received under the file name ``name`` (the name appears in messages)."""
    shown = Path(Path(name).name or "上传的文件")
    check_size(shown, len(data), kind, limit_bytes=upload_limit(kind))
    with tempfile.TemporaryDirectory(prefix="reportsmith-upload-") as tmp:
        target = Path(tmp) / shown.name
        target.write_bytes(data)
        try:
            check_upload(target, kind)
        except InputError as exc:
            raise InputError(exc.message, file=shown, line=exc.line, key=exc.key, hint=exc.hint, details=exc.details) from None
