"""预览与下载 as PDF: the engine's one converter behind the page and the API, and the page without LibreOffice.

All conversions here go through the process's shared converter, so the whole suite starts
LibreOffice once per test process for them.
"""

from __future__ import annotations

import io
import os
import shutil
import threading
import time

import pytest
from office import needs_office
from pypdf import PdfReader

from reportsmith.report import pdf as pdf_module
from reportsmith.report.pdf import PdfConverter

from .conftest import ACCOUNT_A, ACCOUNT_B, client_for

HEADING = "集群总体情况"
# What the writer typed under the heading; the PDF must carry it exactly.
WRITTEN = "本集群二〇二四年聚焦光电子信息主导产业，龙头企业带动配套企业协同攻关，创新平台建设取得新突破。"


def _pdf_text(data: bytes) -> str:
    """The PDF's text without the line breaks and spaces of its layout."""
    assert data.startswith(b"%PDF")
    return "".join("".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages).split())


def _write(world) -> None:
    client = client_for(world, "cluster_a")
    url = f"/api/clusters/{ACCOUNT_A}/sections/{HEADING}"
    version = client.get(url).json()["version"]
    r = client.put(url, {"text": WRITTEN, "version": version}, content_type="application/json")
    assert r.status_code == 200, r.content


@pytest.mark.libreoffice
def test_the_writer_downloads_her_report_as_pdf_and_another_cluster_is_refused(world):
    needs_office()
    _write(world)
    client = client_for(world, "cluster_a")
    page = client.get(f"/c/{ACCOUNT_A}/build/").content.decode()
    assert f'href="/c/{ACCOUNT_A}/report.pdf"' in page and "下载 PDF" in page

    r = client.get(f"/c/{ACCOUNT_A}/report.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert ".pdf" in r["Content-Disposition"]
    text = _pdf_text(r.content)
    assert WRITTEN in text
    assert HEADING in text

    api = client_for(world, "reviewer").get(f"/api/clusters/{ACCOUNT_A}/report.pdf")
    assert api.status_code == 200 and WRITTEN in _pdf_text(api.content)
    assert world["space_a"].audit.filter(action="download", detail__endswith=".pdf").count() == 2

    other = client_for(world, "cluster_b")
    for url in (f"/c/{ACCOUNT_A}/report.pdf", f"/api/clusters/{ACCOUNT_A}/report.pdf"):
        refused = other.get(url)
        assert refused.status_code == 404 and not refused.content.startswith(b"%PDF")
    # cluster B's own report is its own business
    assert other.get(f"/c/{ACCOUNT_B}/build/").status_code == 200


@pytest.mark.libreoffice
def test_two_requests_converting_at_once_both_get_their_pdf_from_one_office(tmp_path, monkeypatch):
    """Each request runs on a thread of its own: the shared converter is created once and
    converts one document at a time through its one office."""
    needs_office()
    from reportsmith.report.build import build

    from .conftest import REPO

    docx = build(REPO / "inputs" / ACCOUNT_A, tmp_path / "built").docx
    copies = []
    for n in range(2):
        copies.append(tmp_path / f"r{n}.docx")
        shutil.copyfile(docx, copies[-1])

    # Widen both windows a race would need, so that a missing lock is caught every time: creating
    # the converter, and talking to its office, each take a little longer here.
    active, most = [0], [0]
    created = []
    real_init, real_call = PdfConverter.__init__, PdfConverter._via_server

    def slow_init(self, *a, **kw):
        time.sleep(0.2)
        real_init(self, *a, **kw)
        created.append(self)

    def counted_call(self, *a, **kw):
        active[0] += 1
        most[0] = max(most[0], active[0])
        try:
            time.sleep(0.2)
            return real_call(self, *a, **kw)
        finally:
            active[0] -= 1

    monkeypatch.setattr(PdfConverter, "__init__", slow_init)
    monkeypatch.setattr(PdfConverter, "_via_server", counted_call)
    monkeypatch.setattr(pdf_module, "_SHARED", None)  # this test's own converter, created by the two requests
    results: dict[int, tuple] = {}
    go = threading.Barrier(2)

    def request(n: int) -> None:
        go.wait()
        results[n] = pdf_module.convert_pdf(copies[n], wait=300)

    threads = [threading.Thread(target=request, args=(n,)) for n in range(2)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(created) == 1, f"{len(created)} converters created for one process"
        conv = created[0]
        assert most[0] == 1, "two conversions talked to the office at the same time"
        for n in range(2):
            pdf, findings = results[n]
            assert findings == [] and pdf == copies[n].with_suffix(".pdf")
            assert "集群总体情况" in _pdf_text(pdf.read_bytes())
        assert conv.starts == 1  # both through the same office

        # A request queued behind a conversion that does not finish in time is told so, in Chinese.
        conv._lock.acquire()
        try:
            pdf, findings = pdf_module.convert_pdf(copies[0], wait=0.01)
        finally:
            conv._lock.release()
        assert pdf is None and findings[0].rule == "build.pdf_busy" and "PDF 转换正忙" in findings[0].message
    finally:
        for c in created:
            c.close()


def test_without_libreoffice_the_page_offers_no_pdf_and_says_what_to_do(world, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    # This process's converter as it would be on a server without LibreOffice.
    monkeypatch.setattr(pdf_module, "_SHARED", PdfConverter())
    monkeypatch.setattr(pdf_module, "_SHARED_PID", os.getpid())
    client = client_for(world, "cluster_a")
    page = client.get(f"/c/{ACCOUNT_A}/build/").content.decode()
    assert "report.pdf" not in page and 'id="download-docx"' in page
    assert "服务器上没有安装 LibreOffice" in page and "另存为 PDF" in page

    r = client.get(f"/c/{ACCOUNT_A}/report.pdf", follow=True)
    assert r.redirect_chain == [(f"/c/{ACCOUNT_A}/build/", 302)]
    shown = r.content.decode()
    assert "没有生成 PDF：未找到 LibreOffice" in shown and "请下载 Word 报告（.docx）" in shown

    api = client.get(f"/api/clusters/{ACCOUNT_A}/report.pdf")
    assert api.status_code == 503
    assert api.json()["error"].startswith("没有生成 PDF：未找到 LibreOffice") and "report.docx" in api.json()["hint"]
