"""Run by a Python that has LibreOffice's ``uno`` module (not by reportsmith's own interpreter).

Usage: ``python3 _lo_uno.py JOB.json`` where the job says which soffice to start, with which
profile, which .docx to load, whether to update its indexes (tables of contents), which
bookmarks to locate and where to export a PDF. Prints one JSON object: the text of every
index after the update, the page of every bookmark, or ``{"error": ...}``.
Kept free of reportsmith imports: it runs outside the package's environment.
"""

import json
import subprocess
import sys
import time
import uuid


def _prop(name, value):
    from com.sun.star.beans import PropertyValue

    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def _connect(job):
    import uno

    pipe = "reportsmith" + uuid.uuid4().hex
    cmd = [job["soffice"], "-env:UserInstallation=" + job["profile_url"], "--headless", "--norestore", "--nologo",
           "--nodefault", "--nolockcheck", "--accept=pipe,name=%s;urp;StarOffice.ComponentContext" % pipe]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    start = time.time()
    while True:
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            return proc, ctx
        except Exception:
            if proc.poll() is not None or time.time() - start > job.get("timeout", 120):
                proc.kill()
                raise RuntimeError("LibreOffice did not start")
            time.sleep(0.2)


def main():
    import uno

    with open(sys.argv[1], encoding="utf-8") as fh:
        job = json.load(fh)
    proc, ctx = _connect(job)
    out = {"indexes": [], "pages": {}}
    try:
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(job["docx"]), "_blank", 0, (_prop("Hidden", True),))
        if doc is None:
            raise RuntimeError("LibreOffice could not open the document")
        indexes = doc.getDocumentIndexes()
        for i in range(indexes.getCount()):
            index = indexes.getByIndex(i)
            if job.get("update"):
                index.update()
            out["indexes"].append(index.getAnchor().getString())
        cursor = doc.getCurrentController().getViewCursor()
        marks = doc.getBookmarks()
        for name in job.get("bookmarks", []):
            if marks.hasByName(name):
                cursor.gotoRange(marks.getByName(name).getAnchor(), False)
                out["pages"][name] = cursor.getPage()
        if job.get("pdf"):
            doc.storeToURL(uno.systemPathToFileUrl(job["pdf"]), (_prop("FilterName", "writer_pdf_Export"),))
        doc.close(True)
        try:
            desktop.terminate()
        except Exception:
            pass
    except Exception as exc:
        out = {"error": "%s: %s" % (type(exc).__name__, exc)}
    finally:
        try:
            proc.wait(timeout=30)
        except Exception:
            proc.kill()
    sys.stdout.write(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
