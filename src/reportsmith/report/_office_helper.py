"""Keeps one LibreOffice alive and converts .docx to PDF on request (run by ``report.pdf``).

This file runs under a Python that can ``import uno`` (Debian's ``python3-uno`` for the
system ``python3``, or the ``python`` LibreOffice ships on Windows/macOS) — usually not
the Python of reportsmith's own environment — so it imports nothing from reportsmith.

    python3 _office_helper.py SOFFICE PROFILE_URL

It starts ``soffice`` listening on a private pipe, connects over UNO, prints
``{"ready": true}`` and then answers one JSON line per request read from stdin::

    {"src": "/abs/a.docx", "dst": "/abs/a.pdf", "options": {PDF export filter data}}
    -> {"ok": true} | {"ok": false, "error": "...", "office_died": bool}

At the end of stdin (the caller closed it, or died) it shuts LibreOffice down and exits.
When LibreOffice dies it answers ``office_died`` and exits; the caller starts a new one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]
from com.sun.star.lang import DisposedException  # type: ignore[import-not-found]
from com.sun.star.uno import RuntimeException  # type: ignore[import-not-found]

CONNECT_TIMEOUT_S = 60


def _props(**kw):
    out = []
    for name, value in kw.items():
        p = PropertyValue()
        p.Name, p.Value = name, value
        out.append(p)
    return tuple(out)


def _say(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _start(soffice: str, profile_url: str):
    pipe = f"reportsmith-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    office = subprocess.Popen(
        [
            soffice,
            f"-env:UserInstallation={profile_url}",
            "--headless",
            "--invisible",
            "--nologo",
            "--nodefault",
            "--norestore",
            "--nolockcheck",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + CONNECT_TIMEOUT_S
    while True:
        if office.poll() is not None:
            raise SystemExit(f"soffice exited with status {office.returncode} before accepting connections")
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except NoConnectException:
            if time.monotonic() > deadline:
                office.kill()
                raise SystemExit("soffice did not accept connections in time") from None
            time.sleep(0.1)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    return office, desktop


def _convert(desktop, src: str, dst: str, options: dict) -> None:
    doc = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(src), "_blank", 0, _props(Hidden=True, ReadOnly=True, UpdateDocMode=0)
    )
    if doc is None:
        raise ValueError("LibreOffice could not open the document")
    try:
        data = uno.Any("[]com.sun.star.beans.PropertyValue", _props(**options))
        args = _props(FilterName="writer_pdf_Export", Overwrite=True)
        fd = PropertyValue()
        fd.Name, fd.Value = "FilterData", data
        uno.invoke(doc, "storeToURL", (uno.systemPathToFileUrl(dst), args + (fd,)))
    finally:
        try:
            doc.close(True)
        except Exception:  # noqa: BLE001 - a document that cannot close is dropped with the office
            doc.dispose()


def main(argv: list[str]) -> int:
    soffice, profile_url = argv[1], argv[2]
    office, desktop = _start(soffice, profile_url)
    _say({"ready": True, "pid": office.pid})
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            req = json.loads(line)
            if office.poll() is not None:
                _say({"ok": False, "error": "office is gone", "office_died": True})
                return 3
            try:
                _convert(desktop, req["src"], req["dst"], req.get("options") or {})
                _say({"ok": True})
            except (DisposedException, RuntimeException) as exc:
                died = office.poll() is not None or isinstance(exc, DisposedException)
                _say({"ok": False, "error": f"{type(exc).__name__}: {getattr(exc, 'Message', exc)}", "office_died": died})
                if died:
                    return 3
            except Exception as exc:  # noqa: BLE001 - every failure is one document's, reported back
                msg = getattr(exc, "Message", None) or str(exc)
                _say({"ok": False, "error": f"{type(exc).__name__}: {msg}", "office_died": office.poll() is not None})
                if office.poll() is not None:
                    return 3
    finally:
        try:
            desktop.terminate()
        except Exception:  # noqa: BLE001 - already gone
            pass
        try:
            office.wait(timeout=20)
        except subprocess.TimeoutExpired:
            office.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
