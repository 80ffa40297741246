"""Against a real ``reportsmith serve`` process, on SQLite and on PostgreSQL:

- no lost update: many simultaneous saves of one heading with the same version give exactly
  one accepted save per version, the others 409, and the history holds every accepted text;
- crash safety: SIGKILL during a burst of saves, evidence uploads and Excel form uploads;
  after restart every acknowledged save and upload is there (each stored file with the
  acknowledged SHA-256), the database passes its integrity check, and no partial, orphan or
  temporary file is left in the data folder;
- the per-cluster upload quota holds when uploads arrive at once;
- backup while the server writes, restore into a fresh folder: every text, version,
  account and file hash is the same.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from pdfbytes import minimal_pdf

from .live import ACCOUNT_A, REPO, LiveWorkspace, backends, section_path

pytestmark = [
    pytest.mark.slow,
    # Each test runs its own server on SQLite and on PostgreSQL already; the second pass of
    # tests/web (DATABASE_URL set) would only repeat them.
    pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="covered by the first pass, on both databases"),
]

HEADING = "集群总体情况"
WRITERS = 12
ROUNDS = 4


@pytest.fixture(params=backends())
def live(request, tmp_path):
    ws = LiveWorkspace(tmp_path / "data", request.param).init()
    try:
        yield ws.start()
    finally:
        ws.close()


def _history(dumped: dict, account: str, heading: str) -> dict[int, object]:
    return {v: content for acc, h, v, content in dumped["sections"] if acc == account and h == heading}


def test_concurrent_saves_of_one_heading_lose_nothing(live):
    sessions = [live.session(ACCOUNT_A) for _ in range(WRITERS)]
    path = section_path(ACCOUNT_A, HEADING)
    accepted: dict[int, str] = {}
    start = sessions[0].get(path).json()["version"]
    version = start
    for rnd in range(ROUNDS):
        barrier = threading.Barrier(WRITERS)

        def save(i: int, base=version, rnd=rnd):
            text = f"第{rnd}轮 第{i}位 同时保存的文本。"
            barrier.wait(timeout=60)
            r = sessions[i].put_json(path, {"text": text, "version": base})
            return r.status, text, (r.json() if r.status in (200, 409) else r.body[:300])

        with ThreadPoolExecutor(WRITERS) as pool:
            results = list(pool.map(save, range(WRITERS)))
        statuses = sorted(s for s, _, _ in results)
        assert statuses == [200] + [409] * (WRITERS - 1), f"round {rnd}: {statuses} {[r for r in results if r[0] not in (200, 409)]}"
        (_, text, body), = [r for r in results if r[0] == 200]
        assert body["version"] == version + 1
        for status, _, b in results:
            if status == 409:
                assert b["current"]["version"] >= version + 1  # the refusal shows the saved text
        accepted[body["version"]] = text
        version = body["version"]
    assert sessions[1].get(path).json() == {"heading": HEADING, "text": accepted[version], "version": version}
    live.stop()
    history = _history(live.dump(), ACCOUNT_A, HEADING)
    for v, text in accepted.items():
        assert history[v] == text, f"version {v} lost or changed in the history"
    assert sorted(history) == list(range(1, version + 1))


EVIDENCE_ADD = f"/c/{ACCOUNT_A}/evidence/add"
FORM_UPLOAD = f"/c/{ACCOUNT_A}/form/upload"
UPLOADERS = 3


def _demo_form_xlsx(tmp_path) -> bytes:
    from reportsmith.form.load import load_form
    from reportsmith.form.xlsx import write_xlsx

    data, _ = load_form(REPO / "inputs" / ACCOUNT_A / "form.yaml")
    return write_xlsx(tmp_path / "form.xlsx", ACCOUNT_A, data).read_bytes()


def test_sigkill_mid_burst_keeps_every_acknowledged_save(live, tmp_path):
    from reportsmith.outline.headings import content_headings

    headings = [h.title for h in content_headings()][:6]
    acknowledged: dict[tuple[str, int], str] = {}
    uploads: dict[str, tuple[str, str]] = {}  # entry name → (file name, SHA-256), acknowledged
    forms: list[int] = []
    lock = threading.Lock()
    stop = threading.Event()
    xlsx = _demo_form_xlsx(tmp_path)

    sessions = {h: live.session(ACCOUNT_A) for h in headings}
    versions = {h: sessions[h].get(section_path(ACCOUNT_A, h)).json()["version"] for h in headings}

    def writer(heading: str):
        s, path, version = sessions[heading], section_path(ACCOUNT_A, heading), versions[heading]
        n = 0
        while not stop.is_set():
            text = f"{heading}：第{n}次保存。" + "数据" * (n % 50)
            try:
                r = s.put_json(path, {"text": text, "version": version})
            except (OSError, http.client.HTTPException):
                return  # the server died mid-request: not acknowledged
            if r.status != 200:
                continue  # not acknowledged (e.g. an error while the server went down)
            if True:
                version = r.json()["version"]
                with lock:
                    acknowledged[(heading, version)] = text
            n += 1

    # Every client logs in before the burst: a login cut short by the kill is no acknowledged write.
    upload_sessions = [live.session(ACCOUNT_A) for _ in range(UPLOADERS)]
    form_session = live.session(ACCOUNT_A)

    def uploader(k: int):
        s = upload_sessions[k]
        n = 0
        while not stop.is_set():
            name, filename = f"崩溃测试政策{k}-{n}", f"崩溃测试{k}-{n}.pdf"
            data = minimal_pdf(f"{k}-{n} " + "z" * (150_000 * (n % 8)))  # up to ~1 MB: writes take a while
            try:
                r = s.post_multipart(EVIDENCE_ADD, {"group": "政策", "name": name}, {"file": (filename, data, "application/pdf")})
            except (OSError, http.client.HTTPException):
                return
            if r.status == 302:  # every upload here is valid: a redirect is the acknowledgement
                with lock:
                    uploads[name] = (filename, hashlib.sha256(data).hexdigest())
            n += 1

    def form_uploader():
        s = form_session
        while not stop.is_set():
            try:
                r = s.post_multipart(FORM_UPLOAD, {}, {"file": ("统计报表.xlsx", xlsx, "application/octet-stream")})
            except (OSError, http.client.HTTPException):
                return
            if r.status == 302:
                with lock:
                    forms.append(1)

    threads = [threading.Thread(target=writer, args=(h,)) for h in headings]
    threads += [threading.Thread(target=uploader, args=(k,)) for k in range(UPLOADERS)]
    threads.append(threading.Thread(target=form_uploader))
    for t in threads:
        t.start()
    deadline = time.monotonic() + 90
    while (len(acknowledged) < 40 or len(uploads) < 8 or not forms) and time.monotonic() < deadline:
        time.sleep(0.05)
    # Kill while an upload is being written, if one can be caught in the act (a temporary file).
    files = live.data / "files"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any(p.name.startswith(".up-") for p in files.rglob("*")):
        pass
    live.kill()
    stop.set()
    for t in threads:
        t.join(timeout=60)
    assert len(acknowledged) >= 40, "the burst did not get going"
    assert len(uploads) >= 8 and forms, f"the uploads did not get going: {len(uploads)} evidence, {len(forms)} forms"

    live.start()
    after = live.session(ACCOUNT_A)
    for heading in headings:
        got = after.get(section_path(ACCOUNT_A, heading)).json()
        latest = max((v for h, v in acknowledged if h == heading), default=None)
        if latest is not None:
            assert got["version"] >= latest
    live.stop()
    dumped = live.dump()
    assert dumped["integrity"] == ["ok"]
    for (heading, v), text in acknowledged.items():
        assert _history(dumped, ACCOUNT_A, heading).get(v) == text, f"acknowledged save {heading} v{v} lost"

    # Every acknowledged upload is listed, and its stored file has the acknowledged bytes.
    space = next(s for s in dumped["spaces"] if s[0] == ACCOUNT_A)
    listed = {e["名称"]: e.get("文件") for e in (space[3] or {}).get("政策") or []}
    rows = {(account, path): (sha, size) for account, path, sha, size in dumped["files"]}
    for name, (filename, sha) in uploads.items():
        assert name in listed, f"acknowledged upload {filename} is not listed"
        (path,) = listed[name] if isinstance(listed[name], list) else [listed[name]]
        assert rows.get((ACCOUNT_A, path), (None,))[0] == sha, f"{filename}: the stored file is not the acknowledged one"
        assert dumped["blobs"].get(f"files/{sha[:2]}/{sha}") == sha, f"{filename}: its bytes are missing or changed"
    # Each Excel upload replaced the form's values as a whole: they are the uploaded ones.
    from reportsmith.form.load import load_form
    from reportsmith.web.workspace.store import form_mapping

    data, _ = load_form(tmp_path / "form.xlsx")
    uploaded = form_mapping(data, ACCOUNT_A)
    assert {k: space[2].get(k) for k in data.values} == {k: uploaded[k] for k in data.values}
    _assert_no_partial_file(dumped, live.data)


def _assert_no_partial_file(dumped: dict, data=None) -> None:
    """Every stored file is named by the hash of its bytes and has a row; every file row has its
    bytes; no upload temporary is left in the data folder (the restart swept what the crash left)."""
    for rel, sha in dumped["blobs"].items():
        name = rel.rsplit("/", 1)[-1]
        assert not name.startswith(".up-"), f"{rel}: an upload temporary left behind"
        assert name == sha, f"{rel} does not hold the bytes its name promises (partial file)"
    present = {rel.rsplit("/", 1)[-1] for rel in dumped["blobs"]}
    for account, path, sha, size in dumped["files"]:
        assert sha in present, f"{account} {path}: file row without its file"
    referenced = {sha for _, _, sha, _ in dumped["files"]}
    assert present <= referenced, f"files without a row: {sorted(present - referenced)}"
    if data is not None:
        leftovers = [p.relative_to(data).as_posix() for p in data.rglob("*")
                     if p.name.startswith((".up-", ".tmp-", "rs-")) or p.name.endswith(".part")]
        assert not leftovers, f"temporary files left in the data folder: {leftovers}"


@pytest.mark.parametrize("backend", backends())
def test_concurrent_uploads_never_exceed_the_cluster_quota(tmp_path, backend):
    """Eight uploads at once into a 1 MB quota: exactly as many as fit are stored, the others
    refused with the quota message — checked inside the transaction that locks the cluster."""
    ws = LiveWorkspace(tmp_path / "data", backend)
    override = tmp_path / "上限.yaml"
    override.write_text("workspace:\n  cluster_upload_mb: 1\n", encoding="utf-8")
    ws.env["REPORTSMITH_LIMITS"] = str(override)
    try:
        ws.init()
        used = sum(dict((sha, size) for _, _, sha, size in ws.dump()["files"]).values())
        ws.start()
        n, size = 8, 300 * 1024
        sessions = [ws.session(ACCOUNT_A) for _ in range(n)]
        files = [minimal_pdf(f"quota {i} " + "q" * size) for i in range(n)]
        barrier = threading.Barrier(n)

        def upload(i: int):
            barrier.wait(timeout=60)
            return sessions[i].post_multipart(EVIDENCE_ADD, {"group": "政策", "name": f"同时上传{i}"},
                                              {"file": (f"同时上传{i}.pdf", files[i], "application/pdf")}).status

        with ThreadPoolExecutor(n) as pool:
            statuses = list(pool.map(upload, range(n)))
        assert statuses == [302] * n
        pages = [s.get(f"/c/{ACCOUNT_A}/evidence/").body.decode() for s in sessions]
        refused = [i for i, page in enumerate(pages) if "的上限" in page and f"同时上传{i}.pdf" in page]
        ws.stop()
        dumped = ws.dump()
    finally:
        ws.close()
    limit = 1024 * 1024
    fit = (limit - used) // len(files[0])
    stored = {path for _, path, _, _ in dumped["files"] if path.startswith("evidence/同时上传")}
    total = sum(dict((sha, sz) for _, _, sha, sz in dumped["files"]).values())
    assert total <= limit, f"{total} bytes stored, over the {limit} quota"
    assert len(stored) == fit, f"{len(stored)} uploads stored, {fit} fit"
    assert len(refused) == n - fit and all(f"evidence/同时上传{i}.pdf" not in stored for i in refused)
    _assert_no_partial_file(dumped, tmp_path / "data")


def test_backup_while_serving_then_restore_into_a_fresh_folder(live, tmp_path):
    s = live.session(ACCOUNT_A)
    path = section_path(ACCOUNT_A, HEADING)
    v = s.get(path).json()["version"]
    for i in range(3):
        v = s.put_json(path, {"text": f"备份前的第{i}版。𠀀😀", "version": v}).json()["version"]
    stop = threading.Event()

    def keep_writing():  # the backup is taken while saves go on
        s2 = live.session(ACCOUNT_A)
        p2 = section_path(ACCOUNT_A, "集群创新能力建设情况")
        ver = s2.get(p2).json()["version"]
        while not stop.is_set():
            r = s2.put_json(p2, {"text": f"备份进行中 {time.time_ns()}", "version": ver})
            if r.status == 200:
                ver = r.json()["version"]

    t = threading.Thread(target=keep_writing)
    t.start()
    try:
        archive = tmp_path / "备份.tar"
        out = live.run("backup", "--data", str(live.data), "-o", str(archive))
        assert "已备份" in out.stdout
    finally:
        stop.set()
        t.join(timeout=60)
    live.stop()
    before = live.dump()

    fresh = LiveWorkspace(tmp_path / "fresh", live.backend)
    try:
        # A non-empty target is refused, and left as it was.
        assert fresh.run("restore", str(archive), "--data", str(live.data), check=False).returncode == 2
        out = fresh.run("restore", str(archive), "--data", str(fresh.data))
        assert "已从" in out.stdout
        after = fresh.dump()
        refused = fresh.run("restore", str(archive), "--data", str(fresh.data), check=False)
        assert refused.returncode == 2 and "--force" in refused.stderr
    finally:
        fresh.close()
    assert after["integrity"] == ["ok"]
    for key in ("accounts", "spaces", "files", "blobs"):
        assert after[key] == before[key], key
    # The copy is of one moment: every section version of the copy is in the original,
    # and the original gained at most the saves made after that moment.
    restored = {tuple(r[:3]): r[3] for r in after["sections"]}
    original = {tuple(r[:3]): r[3] for r in before["sections"]}
    assert all(original[k] == c for k, c in restored.items())
    assert {k for k in original if k[1] != "集群创新能力建设情况"} <= set(restored)
    assert _history(after, ACCOUNT_A, HEADING)[v] == "备份前的第2版。𠀀😀"
    for rel, sha in after["blobs"].items():
        assert hashlib.sha256((tmp_path / "fresh" / rel).read_bytes()).hexdigest() == sha
