"""docxout: XML-safe text and deterministic bytes."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from reportsmith.docx.out import east_asian_font, normalize_zip, save_deterministic, set_fonts, xml_safe


def test_xml_safe_keeps_every_allowed_character():
    text = "A&B<>\"'\t\n\r 😀 𠀀 \u3000 \ufffd \ue000 {{ x }}"
    assert xml_safe(text) == (text, [])


def test_xml_safe_removes_forbidden_characters_and_names_them():
    clean, removed = xml_safe("分\x0c页\x0b符\x00\x00\ud800\ufffe\uffff\x1f")
    assert clean == "分页符"
    assert removed == ["U+000C", "U+000B", "U+0000", "U+D800", "U+FFFE", "U+FFFF", "U+001F"]


def test_save_is_deterministic_and_uses_the_given_date(tmp_path):
    when = datetime(2025, 1, 20)

    def save(name):
        d = docx.Document()
        d.add_paragraph("正文")
        return save_deterministic(d, tmp_path / name, when).read_bytes()

    first, second = save("a.docx"), save("b.docx")
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert z.namelist()[0] == "[Content_Types].xml"
        assert {i.date_time for i in z.infolist()} == {(2025, 1, 20, 0, 0, 0)}
    cp = docx.Document(str(tmp_path / "a.docx")).core_properties
    assert cp.created.replace(tzinfo=None) == when and cp.modified.replace(tzinfo=None) == when
    assert [p.name for p in tmp_path.iterdir()] and not list(tmp_path.glob("*.part"))


def test_zip_dates_before_1980_are_clamped():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "x")
    out = normalize_zip(buf.getvalue(), datetime(1970, 1, 1))
    with zipfile.ZipFile(io.BytesIO(out)) as z:
        assert z.infolist()[0].date_time == (1980, 1, 1, 0, 0, 0)


def test_set_fonts_replaces_theme_fonts():
    d = docx.Document()
    style = d.styles["Heading 1"]
    rpr = style.element.get_or_add_rPr()
    rfonts = OxmlElement("w:rFonts")
    rfonts.set(qn("w:asciiTheme"), "majorHAnsi")
    rfonts.set(qn("w:eastAsiaTheme"), "majorEastAsia")
    for old in rpr.findall(qn("w:rFonts")):
        rpr.remove(old)
    rpr.insert(0, rfonts)
    set_fonts(rpr, "黑体")
    assert east_asian_font(style) == "黑体"
    attrs = {k.split("}")[1]: v for k, v in rpr.find(qn("w:rFonts")).attrib.items()}
    assert attrs == {"ascii": "Times New Roman", "hAnsi": "Times New Roman", "cs": "Times New Roman", "eastAsia": "黑体"}


def test_one_pass_save_equals_save_then_rezip(tmp_path):
    from reportsmith.docx.out import set_core_properties

    when = datetime(2024, 12, 31)
    d = docx.Document()
    d.add_paragraph("正文 A&B")
    d.sections[0].footer.paragraphs[0].text = "页脚"
    set_core_properties(d, when, title="标题")
    buf = io.BytesIO()
    d.save(buf)
    reuse = {p.partname.membername: p.blob for p in d.part.package.parts if p.partname.membername == "word/styles.xml"}
    assert reuse
    got = save_deterministic(d, tmp_path / "a.docx", when, title="标题", reuse=reuse)
    assert got.read_bytes() == normalize_zip(buf.getvalue(), when)
