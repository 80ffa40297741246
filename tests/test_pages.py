"""Page images of the demo report match the references in tests/golden/pages/ (refresh: make refresh-pages)."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

import page_images as pi
from office import needs_office
from reportsmith.report.pdf import shared_converter

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _skip_without_tools() -> None:
    needs_office()
    if shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None:
        pytest.skip("needs poppler-utils; .ci/run installs them")
    expected = json.loads((pi.GOLDEN / "fonts.json").read_text(encoding="utf-8"))
    if pi.font_setup() != expected:
        pytest.skip(f"the references were drawn with the stand-in fonts {expected}; this machine has {pi.font_setup()}")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, dict[str, Path]]:
    _skip_without_tools()
    tmp = tmp_path_factory.mktemp("pages")
    pdf = pi.demo_pdf(tmp / "out")
    return pdf, pi.render_pages(pdf, tmp / "png")


@pytest.mark.libreoffice
@pytest.mark.parametrize("page", [p.name for p in pi.PAGES])
def test_page_matches_its_reference(demo, page):
    _pdf, pages = demo
    problem = pi.compare(pages[page], pi.GOLDEN / f"{page}.png", page)
    assert problem is None, problem


@pytest.mark.libreoffice
def test_a_moved_heading_fails_the_comparison_and_writes_the_difference(demo, tmp_path):
    pdf, _pages = demo
    docx = tmp_path / "moved.docx"
    shutil.copyfile(pdf.with_suffix(".docx"), docx)
    _move_heading_down(docx, "二、集群发展情况")
    moved, findings = shared_converter().convert(docx)
    assert moved is not None, findings
    png = pi.render_page(moved, pi.page_numbers(moved)["headings"], tmp_path / "headings.png")
    problem = pi.compare(png, pi.GOLDEN / "headings.png", "moved-heading")
    assert problem is not None and "pixels differ" in problem
    diff = pi.DIFFS / "moved-heading-diff.png"
    assert str(diff) in problem and diff.is_file()
    diff.unlink()


def _move_heading_down(docx: Path, heading: str) -> None:
    """Space before the heading, one line (as if an empty paragraph had slipped in)."""
    with zipfile.ZipFile(docx) as z:
        members = [(i, z.read(i.filename)) for i in z.infolist()]
    out = []
    for info, data in members:
        if info.filename == "word/document.xml":
            root = etree.fromstring(data)
            for p in root.iter(f"{{{W}}}p"):
                if "".join(t.text or "" for t in p.iter(f"{{{W}}}t")) == heading:
                    ppr = p.find(f"{{{W}}}pPr")
                    spacing = etree.SubElement(ppr, f"{{{W}}}spacing")
                    spacing.set(f"{{{W}}}before", "579")  # 28.95 pt
                    break
            else:
                raise AssertionError(f"no paragraph {heading}")
            data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        out.append((info, data))
    with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in out:
            z.writestr(info, data)
