"""预览与下载 as PDF: the engine's one converter behind the page and the API, and the page without LibreOffice.

All conversions here go through the process's shared converter, so the whole suite starts
LibreOffice once per test process for them.
"""

from __future__ import annotations

import io
import os
import shutil
import threading

import pytest
from office import needs_office
from pypdf import PdfReader

from reportsmith.report import pdf as pdf_module
from reportsmith.report.pdf import PdfConverter, shared_converter

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
def test_two_requests_converting_at_once_both_get_their_pdf_from_one_office(tmp_path):
    """waitress serves each request on its own thread: the shared converter takes one at a time."""
    needs_office()
    from reportsmith.report.build import build

    from .conftest import REPO

    docx = build(REPO / "inputs" / ACCOUNT_A, tmp_path / "built").docx
    copies = []
    for n in range(2):
        copies.append(tmp_path / f"r{n}.docx")
        shutil.copyfile(docx, copies[-1])
    conv = shared_converter()
    conv.convert(copies[0])  # the office is running before the two requests arrive
    starts = conv.starts
    results: dict[int, tuple] = {}
    go = threading.Barrier(2)

    def request(n: int) -> None:
        go.wait()
        results[n] = pdf_module.convert_pdf(copies[n], wait=300)

    threads = [threading.Thread(target=request, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for n in range(2):
        pdf, findings = results[n]
        assert findings == [] and pdf == copies[n].with_suffix(".pdf")
        assert "集群总体情况" in _pdf_text(pdf.read_bytes())
    assert conv.starts == starts  # both through the same office, none restarted

    # A request queued behind a conversion that does not finish in time is told so, in Chinese.
    conv._lock.acquire()
    try:
        pdf, findings = pdf_module.convert_pdf(copies[0], wait=0.01)
    finally:
        conv._lock.release()
    assert pdf is None and findings[0].rule == "build.pdf_busy" and "PDF 转换正忙" in findings[0].message


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
