"""The PDF converter: one long-running LibreOffice, timeouts, restarts, PDF/A, font stand-ins."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import procs
import pytest
from office import needs_office

from reportsmith.report.build import build
from reportsmith.report.pdf import (
    PdfConverter,
    StandIn,
    font_substitutes,
    fontconfig_rules,
    installed_fonts,
    shared_converter,
)

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "inputs" / "whkjcyjq"


@pytest.fixture(scope="module")
def demo_docx(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pdf")
    return build(DEMO, out).docx


def test_missing_layout_fonts_get_the_first_installed_stand_in():
    installed = {"Noto Serif CJK SC", "Noto Sans CJK SC", "LXGW WenKai", "AR PL UKai CN"}
    assert font_substitutes(installed) == {
        "方正小标宋简体": StandIn("Noto Serif CJK SC", bold=True),
        "仿宋_GB2312": StandIn("Noto Serif CJK SC"),
        "楷体_GB2312": StandIn("LXGW WenKai"),
        "黑体": StandIn("Noto Sans CJK SC"),
        "宋体": StandIn("Noto Serif CJK SC"),
    }
    # An installed layout font is never replaced; a localised name counts as installed.
    assert "仿宋_GB2312" not in font_substitutes(installed | {"仿宋_GB2312"})
    assert font_substitutes({"SimHei", "黑体", "Noto Serif CJK SC"}).get("黑体") is None
    assert font_substitutes(set()) == {}


def test_fontconfig_rules_resolve_the_layout_fonts_to_the_stand_ins(tmp_path):
    fc_match, installed = shutil.which("fc-match"), installed_fonts() or set()
    pairs = font_substitutes(installed)
    if fc_match is None or not Path("/etc/fonts/fonts.conf").is_file() or "黑体" not in pairs:
        pytest.skip("fontconfig or the stand-in fonts are not installed")
    conf = tmp_path / "fonts.conf"
    conf.write_text(fontconfig_rules(pairs, Path("/etc/fonts/fonts.conf")), encoding="utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    for font, stand_in in pairs.items():
        got = subprocess.run([fc_match, "-f", "%{family}|%{style}", font], capture_output=True, text=True, env=env).stdout
        assert stand_in.family in got, (font, got)
        assert ("Bold" in got.split("|")[1]) == stand_in.bold, (font, got)


def test_without_libreoffice_the_converter_says_so_in_chinese(demo_docx, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    with PdfConverter() as conv:
        pdf, findings = conv.convert(demo_docx)
    assert pdf is None
    assert findings[0].rule == "build.no_libreoffice" and "未找到 LibreOffice" in findings[0].message


@pytest.mark.libreoffice
def test_one_office_converts_many_reports_and_pdf_a_reads_back(demo_docx, tmp_path):
    needs_office()
    import pikepdf

    conv = shared_converter()
    copies = []
    for n in range(3):
        copies.append(tmp_path / f"r{n}.docx")
        shutil.copyfile(demo_docx, copies[-1])
    starts = conv.starts
    for n, docx in enumerate(copies):
        pdf, findings = conv.convert(docx, pdf_a=(n == 2))
        assert findings == [] and pdf == docx.with_suffix(".pdf") and pdf.read_bytes().startswith(b"%PDF")
    assert conv.starts - starts <= 1  # one office for all three (started here unless already running)
    with pikepdf.open(copies[2].with_suffix(".pdf")) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
    with pikepdf.open(copies[0].with_suffix(".pdf")) as pdf:
        assert "pdfaid:part" not in pdf.open_metadata()


@pytest.mark.libreoffice
@pytest.mark.slow
def test_a_crashed_or_hung_office_fails_one_document_and_the_next_gets_a_new_office(demo_docx, tmp_path):
    needs_office()
    if not Path("/proc/self/stat").is_file():
        pytest.skip("needs /proc to find the office process")
    docs = []
    for n in range(4):
        docs.append(tmp_path / f"d{n}.docx")
        shutil.copyfile(demo_docx, docs[-1])
    with PdfConverter() as conv:
        assert conv.convert(docs[0])[0] is not None and conv.starts == 1
        office = conv.office_pid
        assert office is not None
        for pid in [office, *procs.descendants(office)]:  # the office dies between two documents
            os.kill(pid, signal.SIGKILL)
        assert procs.ended_within(office, 20)
        pdf, findings = conv.convert(docs[1])
        assert pdf is not None and findings == [] and conv.starts == 2, (findings, conv.starts)

        conv.timeout = 0.01  # a conversion that hangs: stopped, reported, nothing left behind
        pdf, findings = conv.convert(docs[2])
        assert pdf is None and not docs[2].with_suffix(".pdf").exists()
        assert findings[0].rule == "build.pdf_failed" and "超过" in findings[0].message and "Word 文档已正常生成" in findings[0].message
        conv.timeout = 120
        pdf, findings = conv.convert(docs[3])
        assert pdf is not None and findings == [] and conv.starts == 3
        last = conv.office_pid
    assert last is not None and procs.ended_within(last, 20)  # close() shut the office down



@pytest.mark.libreoffice
@pytest.mark.slow
def test_build_and_cli_make_pdf_a(tmp_path):
    needs_office()
    import pikepdf

    from reportsmith.cli import main

    assert main(["build", str(DEMO), "-o", str(tmp_path / "out"), "--pdf-a"]) in (0, 1)
    (pdf,) = (tmp_path / "out" / "whkjcyjq").glob("*.pdf")
    with pikepdf.open(pdf) as doc:
        meta = doc.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("2", "B")


@pytest.mark.libreoffice
def test_headings_and_body_use_three_different_faces(demo_docx, tmp_path):
    needs_office()
    pairs = font_substitutes(installed_fonts() or set())
    if not {"黑体", "楷体_GB2312", "仿宋_GB2312"} <= set(pairs):
        pytest.skip("the official fonts or no stand-ins are installed")
    shutil.copyfile(demo_docx, tmp_path / "r.docx")
    pdf, _ = shared_converter().convert(tmp_path / "r.docx")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    names = {pairs[f].family.replace(" ", "") for f in ("黑体", "楷体_GB2312", "仿宋_GB2312")}
    assert len(names) == 3
    for name in names:  # "Noto Serif CJK SC" embeds as NotoSerifCJKjp-…, "LXGW WenKai" as LXGWWenKai-…
        stem = name.removesuffix("SC")
        assert stem.lower() in fonts.replace(" ", "").lower(), (name, fonts)


@pytest.mark.libreoffice
@pytest.mark.slow
def test_compendium_cli_makes_pdf_a(tmp_path):
    needs_office()
    import pikepdf

    from reportsmith.cli import main

    target = tmp_path / "汇编.docx"
    assert main(["compendium", str(REPO / "inputs"), "-o", str(target), "--pdf-a", "--only", "whkjcyjq,szxgcyjq", "-j", "1"]) in (0, 1)
    with pikepdf.open(target.with_suffix(".pdf")) as doc:
        meta = doc.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("2", "B")
