"""The engine's untrusted-file defences, applied to every uploaded .docx and .xlsx.

:func:`reportsmith.docx.read.open_docx` refuses zip bombs (declared and actual sizes, member
count), encrypted and old binary Office files and non-zip files; its ``xml`` reader refuses
DOCTYPE and entity declarations. Both formats are zip packages of XML parts, so every XML
part of an upload is read through it before the upload is kept.
"""

from __future__ import annotations

from pathlib import Path

from reportsmith.core.errors import ReportsmithError
import zipfile

from reportsmith.docx.read import Limits, SafeDocx, open_docx

OFFICE = {"docx", "xlsx"}


def office_problem(path: Path) -> str | None:
    """None when the .docx/.xlsx at ``path`` passes the engine's checks, else the reason (Chinese)."""
    try:
        try:
            doc = open_docx(path)
        except ReportsmithError as exc:
            # open_docx looks for a Word body last, after every container check has passed;
            # an Excel package ends there, and its parts are read the same way below.
            if "Excel" not in str(exc):
                raise
            zf = zipfile.ZipFile(path)
            doc = SafeDocx(Path(path), Limits.default(), zf, frozenset(zf.namelist()), "xl/workbook.xml")
        try:
            for name in sorted(doc.names):
                if name.endswith((".xml", ".rels")):
                    doc.xml(name)
        finally:
            doc._zip.close()
    except ReportsmithError as exc:
        return exc.message if hasattr(exc, "message") else str(exc)
    return None
