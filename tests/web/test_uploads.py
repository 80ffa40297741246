"""Uploads cannot hurt: every view that takes a file refuses hostile files (zip bombs, entity
declarations, encrypted and old binary Office files, a type that is not what the name says),
never uses the upload's name as a path, and a refused upload leaves nothing behind — no file
in the data folder, no database row, no change to the cluster's records."""

from __future__ import annotations

import hashlib
import inspect
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from .conftest import ACCOUNT_A, REPO, client_for
from .test_access_table import FILL, _patterns

# Every view that reads request.FILES: the role that may use it, the form field of the file,
# and the other fields a valid request carries. A new upload view must be listed here.
UPLOADS = {
    "desk_annotate_upload": {"role": "reviewer", "field": "docx", "extra": {}, "expects": "docx"},
    "evidence_add": {"role": "cluster_a", "field": "file", "extra": {"group": "政策", "name": "上传测试政策", "doc_no": "鄂科发〔2024〕1号"},
                     "expects": "any"},
    "evidence_file": {"role": "cluster_a", "field": "file", "extra": {"name": "光谷地球空间信息科技企业孵化器"}, "expects": "any"},
    "form_upload": {"role": "cluster_a", "field": "file", "extra": {}, "expects": "xlsx"},
    "import": {"role": "cluster_a", "field": "file", "extra": {}, "expects": "docx"},
}

_CT = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       b'<Default Extension="xml" ContentType="application/xml"/>'
       b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
       b'</Types>')
_RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
         b'</Relationships>')
_W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx(document: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/document.xml", document)
        for k, v in (extra or {}).items():
            z.writestr(k, v)
    return buf.getvalue()


def _zip_bomb() -> bytes:
    """~250 MB of paragraphs once inflated, ~250 KB on the wire."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        with z.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0"?><w:document ' + _W + b"><w:body>")
            chunk = b"<w:p/>" * (1 << 18)
            for _ in range(160):
                fh.write(chunk)
            fh.write(b"</w:body></w:document>")
    return buf.getvalue()


_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lollollollollollollollollollol">'
           + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
           + b']><w:document ' + _W + b'><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>')
_XXE = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><w:document ' + _W
        + b'><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>')
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 3000


def _xlsx_with_entities() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
        z.writestr("_rels/.rels", b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", _LAUGHS.replace(b"w:document", b"workbook"))
    return buf.getvalue()


HOSTILE_FILES = {
    "zip-bomb.docx": _zip_bomb,
    "billion-laughs.docx": lambda: _docx(_LAUGHS),
    "external-entity.docx": lambda: _docx(_XXE),
    "encrypted.docx": lambda: _OLE,
    "old-binary.doc": lambda: _OLE,
    "pdf-named.docx": lambda: b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    "not-a-zip.xlsx": lambda: b"PK\x03\x04" + b"\x00" * 200,
    "entities.xlsx": _xlsx_with_entities,
    "old-binary.xls": lambda: _OLE,
    "empty.docx": lambda: b"",
    "script.html.pdf": lambda: b"<html><script>alert(1)</script></html>",
}


def _available():
    names = {p.name for _, p in _patterns()}
    return [n for n in UPLOADS if n in names]


def _url(world, name):
    pattern = next(p for _, p in _patterns() if p.name == name)
    return reverse(name, kwargs={a: FILL[a](world) for a in pattern.pattern.converters})


def test_every_view_that_takes_files_is_listed():
    for route, p in _patterns():
        if route.startswith("admin/"):
            continue  # Django's generic admin views; no model of the admin has a file field (test_admin.py)
        view = inspect.unwrap(p.callback)
        try:
            source = inspect.getsource(getattr(view, "view_class", view))
        except (OSError, TypeError):
            continue
        if "request.FILES" in source or "spool_upload(" in source:
            assert p.name in UPLOADS, f"{p.name} ({route}) takes uploaded files: list it in UPLOADS of test_uploads.py"



def test_only_spool_upload_reads_request_files():
    """Every upload reaches a view through ``spool_upload`` (private temp folder, fixed name,
    hashed, removed afterwards): no view module reads ``request.FILES`` itself."""
    web = REPO / "src" / "reportsmith" / "web"
    readers = sorted(p.relative_to(web).as_posix() for p in web.rglob("*.py") if "request.FILES" in p.read_text(encoding="utf-8"))
    assert readers == ["untrusted.py"]

def _state(world, data_dir: Path) -> dict:
    from reportsmith.web.workspace.models import ClusterSpace, SectionVersion, StoredFile

    files = {}
    for p in sorted(data_dir.rglob("*")):
        if p.is_file() and not p.name.endswith((".sqlite3", "-wal", "-shm")):
            files[p.relative_to(data_dir).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    spaces = [(s.account, s.state, s.form, s.form_version, s.evidence, s.report_meta) for s in ClusterSpace.objects.all()]
    return {"files": files, "rows": sorted((f.space.account, f.path, f.sha256) for f in StoredFile.objects.all()),
            "sections": SectionVersion.objects.count(), "spaces": spaces}


CASES = [(view, fname) for view in UPLOADS for fname in HOSTILE_FILES]


@pytest.mark.parametrize(("view", "fname"), CASES, ids=[f"{v}-{f}" for v, f in CASES])
def test_a_hostile_upload_is_refused_and_leaves_nothing_behind(world, data_root, view, fname):
    if view not in _available():
        pytest.skip(f"{view} is not in the URLconf yet")
    spec = UPLOADS[view]
    client = client_for(world, spec["role"])
    before = _state(world, data_root)
    data = HOSTILE_FILES[fname]()
    upload = SimpleUploadedFile(fname, data, content_type="application/octet-stream")
    r = client.post(_url(world, view), {spec["field"]: upload, **spec["extra"]})
    assert r.status_code != 500
    if r.status_code == 200 and r.get("Content-Disposition", "").startswith("attachment"):
        pytest.fail(f"{view} accepted {fname} and answered with a file")
    after = _state(world, data_root)
    assert after == before, f"{view}: the refused upload {fname} left something behind"


NAMES = ["../../../../etc/passwd.pdf", "..\\..\\windows\\evil.pdf", "/tmp/absolute.pdf", "a/b/c.pdf",
         "con.pdf", "名称\x00.pdf", "x" * 300 + ".pdf", ".pdf", "证明材料（盖章）.pdf"]


@pytest.mark.parametrize("name", NAMES)
def test_upload_names_are_never_used_as_paths(world, data_root, name):
    if "evidence_add" not in _available():
        pytest.skip("evidence_add is not in the URLconf yet")
    from reportsmith.web.workspace.models import StoredFile

    pdf = (REPO / "tests" / "pdfbytes.py")
    data = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    del pdf
    client = client_for(world, "cluster_a")
    before = set(StoredFile.objects.values_list("id", flat=True))
    client.post(_url(world, "evidence_add"), {"file": SimpleUploadedFile(name, data, "application/pdf"),
                                               **UPLOADS["evidence_add"]["extra"]})
    new = StoredFile.objects.exclude(id__in=before)
    for f in new:
        assert ".." not in f.path and not f.path.startswith(("/", "\\")) and "\\" not in f.path and "\x00" not in f.path
        assert f.path.startswith("evidence/") and f.path.count("/") == 1, f.path
    # Bytes only ever land under files/<xx>/<sha256>.
    for p in data_root.rglob("*"):
        if p.is_file():
            rel = p.relative_to(data_root).as_posix()
            assert rel.startswith("files/") and len(p.name) == 64 or p.name.startswith(".up-"), rel
    assert not (Path("/tmp") / "absolute.pdf").exists()


def _demo_xlsx(tmp_path) -> bytes:
    from reportsmith.form.load import load_form
    from reportsmith.form.xlsx import write_xlsx

    data, _ = load_form(REPO / "inputs" / ACCOUNT_A / "form.yaml")
    return write_xlsx(tmp_path / "form.xlsx", ACCOUNT_A, data).read_bytes()


def _draft(text: str) -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("一、集群总体情况")
    d.add_paragraph(text)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_each_upload_view_takes_the_whole_file_and_keeps_no_copy(world, data_root, tmp_path):
    """Word import, Excel form and evidence all read the upload through untrusted.spool_upload:
    the whole file arrives, nothing is kept in a temporary folder afterwards, and no file
    chosen gets the view's own message."""
    import tempfile

    from django.contrib.messages import get_messages

    from reportsmith.web.workspace import store
    from reportsmith.web.workspace.models import StoredFile

    def spools() -> set[str]:
        return {p.name for p in Path(tempfile.gettempdir()).glob("rs-upload-*")}

    before = spools()
    c = client_for(world, "cluster_a")
    space = world["space_a"]
    text = "集群全年营业收入稳步增长。" * 2000  # a draft of several upload chunks
    r = c.post(_url(world, "import"), {"file": SimpleUploadedFile("初稿.docx", _draft(text))})
    assert r.status_code == 200 and store.current_section(space, "集群总体情况").text == text
    version = space.form_version
    c.post(_url(world, "form_upload"), {"file": SimpleUploadedFile("报表.xlsx", _demo_xlsx(tmp_path))})
    space.refresh_from_db()
    assert space.form_version == version + 1 and space.form["cluster"] == ACCOUNT_A
    from pdfbytes import minimal_pdf

    pdf = minimal_pdf("y" * 2_500_000)  # over FILE_UPLOAD_MAX_MEMORY_SIZE: Django spools it to disk, in chunks
    c.post(_url(world, "evidence_add"), {"group": "政策", "name": "大文件政策", "file": SimpleUploadedFile("大文件.pdf", pdf)})
    row = StoredFile.objects.get(space=space, path="evidence/大文件.pdf")
    assert row.size == len(pdf) and store.blob_path(row.sha256).read_bytes() == pdf
    assert spools() == before

    for view, message in (("import", "请选择 Word 初稿"), ("form_upload", "请选择填好的 Excel 文件")):
        for files in ({}, {"file": SimpleUploadedFile("空.docx", b"")}):
            r = c.post(_url(world, view), files)
            assert any(message in str(m) for m in get_messages(r.wsgi_request)), (view, files)
