"""East Asian punctuation in Chinese text carries the East Asian font hint, in every demo report."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from reportsmith.batch.run import run_batch
from reportsmith.docx.eastasian import StyleFonts, mark_punctuation, punctuation

REPO = Path(__file__).resolve().parents[1]
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
CJK = re.compile("[\u4e00-\u9fff]")


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _run_text(r) -> str:
    return "".join(t.text or "" for t in r.iter(_w("t")))


@pytest.fixture(scope="module")
def demo_reports(tmp_path_factory) -> list[Path]:
    out = tmp_path_factory.mktemp("demo")
    run_batch(REPO / "inputs", out, jobs=2, summary=False)
    reports = sorted(out.glob("*/*.docx"))
    assert len(reports) >= 40
    return reports


def test_every_punctuation_run_of_every_demo_report_has_the_east_asian_hint(demo_reports):
    marks = set(punctuation())
    assert marks == set("“”‘’—…·")
    checked = 0
    for report in demo_reports:
        root = etree.fromstring(zipfile.ZipFile(report).read("word/document.xml"))
        for p in root.iter(_w("p")):
            if not CJK.search("".join(t.text or "" for t in p.iter(_w("t")))):
                continue
            for r in p.iter(_w("r")):
                text = _run_text(r)
                if not marks & set(text):
                    continue
                fonts = r.find("w:rPr/w:rFonts", NS)
                assert fonts is not None and fonts.get(_w("hint")) == "eastAsia", (report.name, text)
                # LibreOffice 7 ignores the hint: the Latin font of these runs is the Chinese one.
                assert fonts.get(_w("ascii")) == fonts.get(_w("eastAsia")) == "仿宋_GB2312" or fonts.get(_w("ascii")) in (
                    "黑体", "楷体_GB2312", "方正小标宋简体"), (report.name, text, dict(fonts.attrib))  # fmt: skip
                assert set(text) <= marks, (report.name, text)  # punctuation in a run of its own
                checked += 1
    assert checked > 100  # the demo reports quote a lot: “链长制” …


def test_splitting_keeps_the_text_and_the_run_formatting():
    xml = (
        f'<w:body xmlns:w="{W}"><w:p><w:pPr><w:pStyle w:val="Heading2"/></w:pPr>'
        '<w:r><w:rPr><w:b/><w:sz w:val="32"/></w:rPr><w:t xml:space="preserve">建立“链长制” 机制……，A·B</w:t><w:tab/><w:t>“尾”</w:t></w:r>'
        '</w:p><w:p><w:r><w:t>He said “hi” — twice</w:t></w:r></w:p></w:body>'
    )
    styles = etree.fromstring(
        f'<w:styles xmlns:w="{W}"><w:style w:type="paragraph" w:default="1" w:styleId="Normal">'
        '<w:rPr><w:rFonts w:eastAsia="仿宋_GB2312"/></w:rPr></w:style>'
        '<w:style w:type="paragraph" w:styleId="Heading2"><w:basedOn w:val="Normal"/>'
        '<w:rPr><w:rFonts w:eastAsia="楷体_GB2312"/></w:rPr></w:style></w:styles>'
    )
    body = etree.fromstring(xml)
    before = ["".join(t.text or "" for t in p.iter(_w("t"))) for p in body.iter(_w("p"))]
    assert mark_punctuation(body, StyleFonts(styles)) == 6
    after = ["".join(t.text or "" for t in p.iter(_w("t"))) for p in body.iter(_w("p"))]
    assert after == before  # text exact
    first, latin = list(body.iter(_w("p")))
    runs = first.findall("w:r", NS)
    assert [_run_text(r) for r in runs] == ["建立", "“", "链长制", "”", " 机制", "……", "，A", "·", "B", "“", "尾", "”"]
    for r in runs:  # every piece keeps bold and size
        assert r.find("w:rPr/w:b", NS) is not None and r.find("w:rPr/w:sz", NS).get(_w("val")) == "32"
        fonts = r.find("w:rPr/w:rFonts", NS)
        if set(_run_text(r)) <= set("“”…·"):
            assert fonts.get(_w("hint")) == "eastAsia" and fonts.get(_w("ascii")) == "楷体_GB2312"
        else:
            assert fonts is None
    assert runs[8].find("w:tab", NS) is not None  # the tab stays where it was, before “尾”
    # A paragraph without Chinese is Latin text: its quotes stay Latin.
    assert len(latin.findall("w:r", NS)) == 1 and latin.find("w:r/w:rPr", NS) is None
