"""Layout conformance of a received .docx against data/layout.yaml: warnings naming found and expected."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from docx_corpus import Spec, build_report
from reportsmith.checks.submitted import check_docx
from reportsmith.core.errors import Severity
from reportsmith.report.build import build

REPO = Path(__file__).resolve().parents[1]


def _layout(path: Path) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in check_docx(path).findings:
        if f.rule.startswith("layout."):
            out.setdefault(f.rule, []).append(f)
    return out


def test_a_report_built_from_the_template_conforms(tmp_path):
    report = build(REPO / "inputs" / "whkjcyjq", tmp_path).docx
    assert _layout(report) == {}


def test_a_default_word_file_gets_one_warning_per_difference(tmp_path):
    path = tmp_path / "收到.docx"
    build_report(path, Spec())
    found = _layout(path)
    assert set(found) == {
        "layout.paper", "layout.margins", "layout.body_font", "layout.body_size", "layout.line_spacing",
        "layout.title_font", "layout.title_size", "layout.heading_font", "layout.heading_size", "layout.page_number",
    }
    assert all(f.severity == Severity.WARNING for fs in found.values() for f in fs)
    (paper,) = found["layout.paper"]
    assert "215.9 × 279.4 mm" in paper.message and "A4" in paper.message and "210 × 297 mm" in paper.message
    (margins,) = found["layout.margins"]
    assert "上 25.4 mm" in margins.message and "上 37 mm" in margins.message and "左 28 mm" in margins.hint
    (body,) = found["layout.body_font"]
    assert "正文字体为“宋体”" in body.message and "应为“仿宋_GB2312”" in body.message
    (size,) = found["layout.body_size"]
    assert "小四（12 磅）" in size.message and "三号（16 磅）" in size.message
    (line,) = found["layout.line_spacing"]
    assert "倍行距" in line.message and "固定值" in line.message
    assert {f.key for f in found["layout.heading_font"]} == {"一、集群总体情况", "（一）集群产业结构发展情况"}
    assert "“黑体”" in found["layout.heading_font"][0].message
    assert "没有页脚" in found["layout.page_number"][0].message


def test_a_file_set_up_as_required_by_hand_conforms(tmp_path):
    """A4, the margins, 仿宋 (another name of 仿宋_GB2312) 三号 at a fixed 28 pt, headings in 黑体/楷体, a PAGE field."""
    path = tmp_path / "收到.docx"
    build_report(path, Spec(title_line=True))
    document = docx.Document(str(path))
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)

    def font(style, east_asia: str, size: float) -> None:
        style.font.size = Pt(size)
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.insert(0, fonts)
        for attr in list(fonts.attrib):
            if attr.endswith("Theme"):
                del fonts.attrib[attr]
        fonts.set(qn("w:eastAsia"), east_asia)

    font(document.styles["Normal"], "仿宋", 16)
    document.styles["Normal"].paragraph_format.line_spacing = Pt(28)
    font(document.styles["Heading 1"], "黑体", 16)
    font(document.styles["Heading 2"], "楷体_GB2312", 16)
    for p in document.paragraphs[:1]:
        for r in p.runs:
            r.font.size = Pt(22)
            r._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "方正小标宋简体")
    footer = section.footer.paragraphs[0]
    run = footer.add_run()
    for kind in ("begin", "end"):
        if kind == "end":
            instr = run._r.makeelement(qn("w:instrText"), {})
            instr.text = " PAGE "
            run._r.append(instr)
        fld = run._r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind})
        run._r.append(fld)
    document.save(str(path))
    assert _layout(path) == {}


@pytest.mark.parametrize("size_pt, ok", [(15.5, False), (16.2, True)])
def test_size_tolerance_comes_from_the_data(tmp_path, size_pt, ok):
    path = tmp_path / "收到.docx"
    build_report(path, Spec())
    document = docx.Document(str(path))
    document.styles["Normal"].font.size = Pt(size_pt)
    document.save(str(path))
    assert ("layout.body_size" not in _layout(path)) == ok
