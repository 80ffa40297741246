"""templates/outline.docx: regenerated from code, laid out as layout.md (GB/T 9704-2012) says."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt

from reportsmith.docx.out import rfonts_of
from reportsmith.core.resources import default_template
from reportsmith.docx.template_builder import write_template

TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "outline.docx"


@pytest.fixture(scope="module")
def doc():
    return docx.Document(str(TEMPLATE))


def _style(doc, style_id):
    return next(s for s in doc.styles if s.style_id == style_id)


def test_committed_template_equals_a_fresh_build(tmp_path):
    fresh = write_template(tmp_path / "outline.docx")
    assert fresh.read_bytes() == TEMPLATE.read_bytes(), "templates/outline.docx is stale: run `make template`"
    assert default_template().resolve() == TEMPLATE.resolve()


def test_page_is_a4_with_gbt_9704_margins(doc):
    s = doc.sections[0]
    assert round(s.page_width.mm) == 210 and round(s.page_height.mm) == 297
    for value, mm in ((s.top_margin, 37), (s.bottom_margin, 35), (s.left_margin, 28), (s.right_margin, 26)):
        assert abs(value.mm - mm) < 0.1


def test_grid_gives_22_lines_per_page(doc):
    grid = doc.sections[0]._sectPr.find(qn("w:docGrid"))
    pitch_pt = int(grid.get(qn("w:linePitch"))) / 20
    text_height_pt = (297 - 37 - 35) / 25.4 * 72
    assert int(text_height_pt / pitch_pt) == 22


# style id → (East Asian font, size in pt, alignment) from layout.md
LAYOUT = {
    "Title": ("方正小标宋简体", 22, WD_ALIGN_PARAGRAPH.CENTER),
    "Normal": ("仿宋_GB2312", 16, WD_ALIGN_PARAGRAPH.JUSTIFY),
    "Heading1": ("黑体", 16, None),
    "Heading2": ("楷体_GB2312", 16, None),
    "AttachmentLabel": ("黑体", 16, WD_ALIGN_PARAGRAPH.LEFT),
    "Footer": ("宋体", 14, WD_ALIGN_PARAGRAPH.CENTER),
}


@pytest.mark.parametrize("style_id", sorted(LAYOUT))
def test_styles_follow_layout(doc, style_id):
    font, size, align = LAYOUT[style_id]
    style = _style(doc, style_id)
    assert rfonts_of(style.element)["eastAsia"] == font
    assert style.font.size == Pt(size)
    if align is not None:
        assert style.paragraph_format.alignment == align


def test_every_text_style_sets_east_asian_and_latin_fonts(doc):
    styles = [s for s in doc.styles.element.findall(qn("w:style")) if s.get(qn("w:type")) in ("paragraph", "character")]
    with_text = [s for s in styles if s.find(qn("w:rPr")) is not None]
    assert len(with_text) >= 12
    for s in with_text:
        fonts = rfonts_of(s)
        assert fonts.get("eastAsia") and fonts.get("ascii") == fonts.get("hAnsi") == "Times New Roman", s.get(qn("w:styleId"))
        assert not any(k.endswith("Theme") for k in fonts), s.get(qn("w:styleId"))
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    assert rfonts_of(defaults)["eastAsia"] == "仿宋_GB2312"
    assert defaults.find(f"{qn('w:rPr')}/{qn('w:lang')}").get(qn("w:eastAsia")) == "zh-CN"


def test_body_text_indent_and_fixed_line_spacing(doc):
    normal = _style(doc, "Normal")
    pf = normal.paragraph_format
    assert pf.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert 28 <= pf.line_spacing.pt <= 29
    ind = normal.element.find(f"{qn('w:pPr')}/{qn('w:ind')}")
    assert ind.get(qn("w:firstLineChars")) == "200"
    h1 = _style(doc, "Heading1")
    assert h1.font.bold is False
    assert h1.element.find(f"{qn('w:pPr')}/{qn('w:ind')}").get(qn("w:firstLineChars")) == "200"


def test_headings_are_word_headings_with_outline_levels(doc):
    for style_id, name, level in (("Heading1", "Heading 1", "0"), ("Heading2", "Heading 2", "1")):
        style = _style(doc, style_id)
        assert style.name == name
        assert style.element.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}").get(qn("w:val")) == level
    assert _style(doc, "Heading1").element.find(qn("w:aliases")).get(qn("w:val")) == "一级标题"


def test_tables_use_small_fangsong_with_heiti_header(doc):
    assert rfonts_of(_style(doc, "TableText").element)["eastAsia"] == "仿宋_GB2312"
    assert _style(doc, "TableText").font.size <= Pt(14)
    assert rfonts_of(_style(doc, "TableHeader").element)["eastAsia"] == "黑体"
    for table in doc.tables:
        assert table.rows[0].cells[0].paragraphs[0].style.style_id == "TableHeader"


def test_footer_has_a_centred_page_field_between_dashes(doc):
    footer = doc.sections[0].footer
    p = footer.paragraphs[0]
    assert p.style.style_id == "Footer"
    instr = "".join(t.text for t in p._p.iter(qn("w:instrText")))
    assert instr.strip() == "PAGE"
    assert p.text.startswith("— ") and p.text.endswith(" —")


def test_attachments_start_on_a_new_page(doc):
    label = _style(doc, "AttachmentLabel")
    assert label.paragraph_format.page_break_before is True
    assert [p.text for p in doc.paragraphs if p.style.style_id == "AttachmentLabel"] == ["附件1", "附件2"]


def test_table_rows_stay_on_one_page_and_tables_fill_the_text_block(doc):
    for table in doc.tables:
        # A row torn across a page break leaves a unit or a file name alone on the next page.
        assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # header repeated on each page
        assert abs(sum(c.width.mm for c in table.columns) - (210 - 28 - 26)) < 0.5
