"""佐证材料 files: attach a file to an entry already listed, replace it, remove it; the per-cluster
upload quota. Each change goes through the engine's file checks, shows up in the exported
evidence.yaml (what ``reportsmith export`` writes) and in the built report's checklist; a
submitted report and a reviewer cannot change anything; an upload over the quota is refused
with a message naming the file, the usage and the limit, and leaves nothing behind."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from pdfbytes import minimal_pdf

from .conftest import ACCOUNT_A, client_for
from .test_uploads import _state as _full_state

# Entries of the demo cluster A (inputs/whkjcyjq/evidence.yaml).
NO_FILE = ("机构", 3, "东湖高新区科技服务生产力促进中心")  # listed without a file
WITH_FILE = ("机构", 0, "光谷地球空间信息科技企业孵化器")  # 文件: evidence/孵化器认定文件.pdf
WITH_FILE_PATH = "evidence/孵化器认定文件.pdf"
MB = 1024 * 1024


def _state(world, data_root) -> dict:
    """Rows and stored files (the evidence mirror, a cache the pages rebuild, aside)."""
    state = _full_state(world, data_root)
    state["files"] = {k: v for k, v in state["files"].items() if not k.startswith("mirror/")}
    return state


def _pdf(note: str, size: int = 0) -> bytes:
    return minimal_pdf(note + "x" * max(0, size - 400))


def _attach(client, entry, data: bytes, filename: str, replace: str | None = None, name: str | None = None):
    group, index, entry_name = entry
    fields = {"name": entry_name if name is None else name,
              "file": SimpleUploadedFile(filename, data, content_type="application/pdf")}
    if replace is not None:
        fields["replace"] = replace
    return client.post(reverse("evidence_file", kwargs={"account": ACCOUNT_A, "group": group, "index": index}), fields)


def _remove(client, entry, path: str):
    group, index, entry_name = entry
    return client.post(reverse("evidence_file_remove", kwargs={"account": ACCOUNT_A, "group": group, "index": index}),
                       {"name": entry_name, "path": path})


def _messages(resp) -> list[str]:
    return [str(m) for m in resp.context["messages"]] if resp.context and "messages" in resp.context else []


def _entry(space, entry) -> dict:
    space.refresh_from_db()
    return space.evidence[entry[0]][entry[1]]


def _files(e: dict) -> list[str]:
    f = e.get("文件")
    return [] if f is None else (f if isinstance(f, list) else [f])


def _checklist_row(docx_bytes: bytes, name: str) -> list[str]:
    doc = Document(io.BytesIO(docx_bytes))
    for table in doc.tables:
        for row in table.rows:
            cells = [c.text for c in row.cells]
            if any(name == c.strip() for c in cells):
                return cells
    raise AssertionError(f"{name} not in the report's checklist")


def test_attach_a_file_to_a_listed_entry_reaches_export_and_report(world, data_root, tmp_path):
    from reportsmith.web.workspace import store
    from reportsmith.web.workspace.models import StoredFile

    space = world["space_a"]
    body, _ = store.build_report(space)
    before = _checklist_row(body, NO_FILE[2])  # listed without a file (市级: not required)
    assert "已附" not in before and not any(".pdf" in x for x in before), before

    c = client_for(world, "cluster_a")
    data = _pdf("attach")
    r = _attach(c, NO_FILE, data, "促进中心认定文件.pdf")
    assert r.status_code == 302
    page = c.get(reverse("evidence", kwargs={"account": ACCOUNT_A}))
    assert any("已上传" in m for m in _messages(page)), _messages(page)
    assert _files(_entry(space, NO_FILE)) == ["evidence/促进中心认定文件.pdf"]
    row = StoredFile.objects.get(space=space, path="evidence/促进中心认定文件.pdf")
    assert row.sha256 == hashlib.sha256(data).hexdigest() and row.kind.upper() == "PDF"
    assert "evidence/促进中心认定文件.pdf" in page.content.decode()

    # Exported as `reportsmith export` writes it: the entry names the file, the file is there.
    folder = store.export_space(space, tmp_path / "out" / ACCOUNT_A)
    exported = yaml.safe_load((folder / "evidence.yaml").read_text(encoding="utf-8"))
    entry = next(e for e in exported["机构"] if e["名称"] == NO_FILE[2])
    assert _files(entry) == ["evidence/促进中心认定文件.pdf"]
    assert (folder / "evidence" / "促进中心认定文件.pdf").read_bytes() == data

    # The built report's checklist lists it as attached.
    body, _ = store.build_report(space)
    cells = _checklist_row(body, NO_FILE[2])
    assert "已附" in cells and any("促进中心认定文件.pdf" in x for x in cells), cells


def test_replace_and_remove_a_file_of_an_entry(world, data_root, django_capture_on_commit_callbacks):
    from reportsmith.web.workspace import store
    from reportsmith.web.workspace.models import StoredFile

    space = world["space_a"]
    c = client_for(world, "cluster_a")
    first, second = _pdf("first"), _pdf("second")
    with django_capture_on_commit_callbacks(execute=True):
        _attach(c, NO_FILE, first, "认定.pdf")
    sha1 = hashlib.sha256(first).hexdigest()
    assert store.blob_path(sha1).read_bytes() == first

    # Replace: the entry names the new file, the old file's row and bytes are gone.
    with django_capture_on_commit_callbacks(execute=True):
        r = _attach(c, NO_FILE, second, "认定（新）.pdf", replace="evidence/认定.pdf")
    assert r.status_code == 302
    assert _files(_entry(space, NO_FILE)) == ["evidence/认定（新）.pdf"]
    assert not StoredFile.objects.filter(space=space, path="evidence/认定.pdf").exists()
    assert not store.blob_path(sha1).exists()
    sha2 = hashlib.sha256(second).hexdigest()
    assert StoredFile.objects.get(space=space, path="evidence/认定（新）.pdf").sha256 == sha2

    # Replacing with a file of the same name takes over its path.
    third = _pdf("third")
    with django_capture_on_commit_callbacks(execute=True):
        _attach(c, NO_FILE, third, "认定（新）.pdf", replace="evidence/认定（新）.pdf")
    assert _files(_entry(space, NO_FILE)) == ["evidence/认定（新）.pdf"]
    assert StoredFile.objects.get(space=space, path="evidence/认定（新）.pdf").sha256 == hashlib.sha256(third).hexdigest()
    assert not store.blob_path(sha2).exists()

    # A second file added beside the first, then one removed: the entry stays.
    _attach(c, NO_FILE, first, "补充.pdf")
    assert _files(_entry(space, NO_FILE)) == ["evidence/认定（新）.pdf", "evidence/补充.pdf"]
    with django_capture_on_commit_callbacks(execute=True):
        assert _remove(c, NO_FILE, "evidence/认定（新）.pdf").status_code == 302
    e = _entry(space, NO_FILE)
    assert e["名称"] == NO_FILE[2] and _files(e) == ["evidence/补充.pdf"]
    assert not StoredFile.objects.filter(space=space, path="evidence/认定（新）.pdf").exists()
    assert not store.blob_path(hashlib.sha256(third).hexdigest()).exists()
    with django_capture_on_commit_callbacks(execute=True):
        _remove(c, NO_FILE, "evidence/补充.pdf")
    assert "文件" not in _entry(space, NO_FILE)
    assert not store.blob_path(sha1).exists()


def test_an_entry_written_with_one_file_keeps_its_form(world, data_root):
    space = world["space_a"]
    c = client_for(world, "cluster_a")
    assert _entry(space, WITH_FILE)["文件"] == WITH_FILE_PATH  # a single path, as evidence.yaml wrote it
    _attach(c, WITH_FILE, _pdf("new"), "孵化器认定文件（2024）.pdf", replace=WITH_FILE_PATH)
    assert _entry(space, WITH_FILE)["文件"] == "evidence/孵化器认定文件（2024）.pdf"


def test_a_file_the_engine_refuses_is_not_attached(world, data_root):
    space = world["space_a"]
    c = client_for(world, "cluster_a")
    before = _state(world, data_root)
    r = _attach(c, NO_FILE, b"<html><script>alert(1)</script></html>", "假的.pdf")
    assert r.status_code == 302
    page = c.get(reverse("evidence", kwargs={"account": ACCOUNT_A}))
    assert any("假的.pdf" in m and "未上传" in m for m in _messages(page)), _messages(page)
    assert _state(world, data_root) == before
    assert "文件" not in _entry(space, NO_FILE)


def test_a_changed_list_is_not_edited_blindly(world, data_root):
    """The entry at the index must still be the one the writer saw (another tab may have deleted one)."""
    space = world["space_a"]
    c = client_for(world, "cluster_a")
    before = _state(world, data_root)
    _attach(c, NO_FILE, _pdf("stale"), "认定.pdf", name="另一个机构")
    page = c.get(reverse("evidence", kwargs={"account": ACCOUNT_A}))
    assert any("刷新" in m for m in _messages(page)), _messages(page)
    _remove(c, (WITH_FILE[0], WITH_FILE[1], "另一个机构"), WITH_FILE_PATH)
    assert _state(world, data_root) == before
    assert _entry(space, WITH_FILE)["文件"] == WITH_FILE_PATH


def test_read_only_when_submitted_and_for_a_reviewer(world, data_root):
    from reportsmith.web.workspace.models import SUBMITTED

    space = world["space_a"]
    evidence_url = reverse("evidence", kwargs={"account": ACCOUNT_A})
    writer_page = client_for(world, "cluster_a").get(evidence_url).content.decode()
    assert 'name="replace"' in writer_page and "移除文件" in writer_page
    reviewer = client_for(world, "reviewer")
    page = reviewer.get(evidence_url).content.decode()
    assert "evidence_file" not in page and "/file\"" not in page and "移除文件" not in page and 'type="file"' not in page
    before = _state(world, data_root)
    assert _attach(reviewer, NO_FILE, _pdf("reviewer"), "x.pdf").status_code == 403
    assert _remove(reviewer, WITH_FILE, WITH_FILE_PATH).status_code == 403

    space.state = SUBMITTED
    space.save()
    writer = client_for(world, "cluster_a")
    page = writer.get(evidence_url).content.decode()
    assert "移除文件" not in page and 'type="file"' not in page
    assert _attach(writer, NO_FILE, _pdf("late"), "x.pdf").status_code == 409
    assert _remove(writer, WITH_FILE, WITH_FILE_PATH).status_code == 409
    after = _state(world, data_root)
    before["spaces"] = after["spaces"]  # only the state changed, by this test
    assert after == before


# ---------------------------------------------------------------- the per-cluster quota

def _used(space) -> int:
    from reportsmith.web.workspace import quota

    return quota.usage(space)


def test_an_upload_over_the_quota_is_refused_and_leaves_nothing(world, data_root, settings):
    space = world["space_a"]
    used = _used(space)
    settings.CLUSTER_UPLOAD_BYTES = used + 1 * MB
    c = client_for(world, "cluster_a")
    evidence_url = reverse("evidence", kwargs={"account": ACCOUNT_A})

    # Within the quota: accepted.
    fits = _pdf("fits", 600 * 1024)
    _attach(c, NO_FILE, fits, "六百K.pdf")
    assert _files(_entry(space, NO_FILE)) == ["evidence/六百K.pdf"]
    assert _messages(c.get(evidence_url))[0].startswith("已上传")
    used_now = _used(space)
    assert used_now == used + len(fits)

    # Over it: refused, through both ways of uploading, and nothing is left behind.
    before = _state(world, data_root)
    big = _pdf("big", 600 * 1024)
    _attach(c, WITH_FILE, big, "扫描件.pdf")
    msgs = _messages(c.get(evidence_url))
    assert len(msgs) == 1, msgs
    message = msgs[0]
    assert "扫描件.pdf" in message and "未上传" in message
    from reportsmith.web.workspace.quota import mb_text

    assert f"共 {mb_text(used_now)}" in message and f"{mb_text(settings.CLUSTER_UPLOAD_BYTES)} 的上限" in message
    assert re.search(r"\d+(\.\d+)? MB", message)
    for how in ("删除或替换", "压缩", "联系主管部门"):
        assert how in message, how
    c.post(reverse("evidence_add", kwargs={"account": ACCOUNT_A}),
           {"group": "政策", "name": "超额的政策", "file": SimpleUploadedFile("政策.pdf", big, "application/pdf")})
    msgs = _messages(c.get(evidence_url))
    assert any("政策.pdf" in m and "上限" in m for m in msgs), msgs
    assert _state(world, data_root) == before
    assert not any(e.get("名称") == "超额的政策" for e in _entry_list(space, "政策"))

    # The same content again (another entry, or replacing with the same bytes) costs nothing.
    _attach(c, WITH_FILE, fits, "六百K.pdf")
    assert "evidence/六百K.pdf" in _files(_entry(space, WITH_FILE))
    _attach(c, NO_FILE, fits, "六百K.pdf", replace="evidence/六百K.pdf")
    assert _used(space) == used_now
    _attach(c, WITH_FILE, fits, "六百K（副本）.pdf")  # the same bytes under another name
    assert "evidence/六百K（副本）.pdf" in _files(_entry(space, WITH_FILE))
    assert _used(space) == used_now

    # Removing and replacing free space, which is then usable again.
    small = _pdf("small")
    _attach(c, NO_FILE, small, "小.pdf", replace="evidence/六百K.pdf")
    _remove(c, WITH_FILE, "evidence/六百K.pdf")
    _remove(c, WITH_FILE, "evidence/六百K（副本）.pdf")
    assert _used(space) == used_now - len(fits) + len(small)
    _attach(c, WITH_FILE, big, "扫描件.pdf")
    assert "evidence/扫描件.pdf" in _files(_entry(space, WITH_FILE))


def test_over_the_quota_already_a_smaller_replacement_is_allowed(world, data_root, settings):
    """A cluster over a lowered quota can still shrink; it cannot grow."""
    space = world["space_a"]
    c = client_for(world, "cluster_a")
    _attach(c, NO_FILE, _pdf("large", 300 * 1024), "大.pdf")
    settings.CLUSTER_UPLOAD_BYTES = 100 * 1024
    _attach(c, WITH_FILE, _pdf("more"), "再加.pdf")
    assert "evidence/再加.pdf" not in _files(_entry(space, WITH_FILE))
    _attach(c, NO_FILE, _pdf("smaller", 200 * 1024), "小一些.pdf", replace="evidence/大.pdf")
    assert _files(_entry(space, NO_FILE)) == ["evidence/小一些.pdf"]


def _entry_list(space, group: str) -> list:
    space.refresh_from_db()
    return space.evidence.get(group) or []


def test_the_page_shows_usage_and_limit(world, data_root, settings):
    from reportsmith.web.workspace.quota import mb_text

    space = world["space_a"]
    settings.CLUSTER_UPLOAD_BYTES = 200 * MB
    for role in ("cluster_a", "reviewer"):
        page = client_for(world, role).get(reverse("evidence", kwargs={"account": ACCOUNT_A})).content.decode()
        assert f"已用空间 {mb_text(_used(space))} / 200 MB" in page, role
    assert mb_text(_used(space)) == "0.02 MB"  # the demo files: about 20 KB, rounded half-up


def test_mb_text_rounds_half_up():
    from reportsmith.web.workspace.quota import mb_text

    assert mb_text(int(2.25 * MB)) == "2.3 MB"
    assert mb_text(int(0.125 * MB)) == "0.13 MB"
    assert mb_text(200 * MB) == "200 MB"


def test_the_quota_is_in_the_limits_file():
    from django.conf import settings

    from reportsmith.core.limits import MB as LMB, limit

    assert limit("workspace", "cluster_upload_mb") == 200
    assert settings.CLUSTER_UPLOAD_BYTES == 200 * LMB


# ---------------------------------------------------------------- the store of file bytes

def test_start_sweep_removes_what_a_crash_left_and_keeps_every_stored_file(world, data_root):
    from reportsmith.web.workspace import blobs, store
    from reportsmith.web.workspace.models import StoredFile

    space = world["space_a"]
    kept = _pdf("kept")
    sha, created = blobs.write_blob(kept)
    assert created and store.blob_path(sha).read_bytes() == kept
    StoredFile.objects.create(space=space, path="evidence/kept.pdf", sha256=sha, size=len(kept), kind="PDF")
    orphan, _ = blobs.write_blob(_pdf("orphan"))  # its row was never committed
    partial = store.blob_path(orphan).parent / ".up-k3j2h1"  # a write cut short
    partial.write_bytes(b"%PDF-1.4 half")
    mirror_tmp = data_root / "mirror" / ACCOUNT_A / ".tmp-abc"
    mirror_tmp.mkdir(parents=True)
    (mirror_tmp / "evidence.yaml").write_text("cluster: x\n", encoding="utf-8")

    assert blobs.sweep(data_root) == {"partial": 1, "orphan": 1, "mirror": 1}
    assert store.blob_path(sha).read_bytes() == kept
    assert not store.blob_path(orphan).exists() and not partial.exists() and not mirror_tmp.exists()
    # Stored bytes that do not have their hash are never put in place.
    with pytest.raises(ValueError):
        blobs.write_blob(b"other bytes", sha256="0" * 64)
    assert not any(p.name.startswith(".up-") for p in (data_root / "files").rglob("*"))
    assert not (data_root / "files" / "00").exists() or not any((data_root / "files" / "00").iterdir())
