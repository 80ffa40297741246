"""Safe opening and extraction of submitted .docx files (docxread)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

import docx_corpus as C
from reportsmith.docx import read as docxread
from reportsmith.docx._styles import format_number
from reportsmith.cli import main
from reportsmith.core.errors import InputError, UnsafeFileError
from reportsmith.checks.zishu import zishu


def _all_lines(expected: C.Expected) -> list[str]:
    lines = []
    for title, head in expected.heading_lines.items():
        lines.append(head)
        lines.extend(expected.paragraphs[title])
    return lines


@pytest.mark.parametrize("spec", [C.Spec(), C.Spec(mode="bold", l1="一.", l2="(一)"), C.Spec(mode="autonum")], ids=["style", "bold", "autonum"])
def test_main_story_is_the_known_text_in_reading_order(tmp_path, spec):
    path = tmp_path / "r.docx"
    expected = C.build_report(path, spec)
    lines = docxread.main_story_text(path).split("\n")
    assert lines == [C.TITLE, "（2024年度）", *_all_lines(expected), *C.SIGNATURE]


def test_tracked_changes_fields_boxes_notes_comments_headers(tmp_path):
    path = tmp_path / "extras.docx"
    expected = C.build_report(path, C.Spec(extras=True, table_in="集群发展环境"))
    content = docxread.read_docx(path)
    text = content.text
    first = expected.paragraphs["集群总体情况"][0]
    assert first.endswith("新增文字域结果有批注") and first in text.split("\n")
    for absent in ("删去文字", "DOCPROPERTY", "代码不计", "文本框里的字", "脚注", "批注里的字", "页眉文字", "页脚文字"):
        assert absent not in text
    assert content.text_boxes == [expected.text_box]  # read once, not again from the VML fallback
    assert content.footnotes == [expected.footnote]
    assert content.has_tracked_changes and content.has_fields
    cells = [p for p in content.paragraphs if p.in_table]
    assert [p.text for p in cells] == ["指标", "数值", "营业收入", "128.6亿元"]
    assert [p.cell for p in cells] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    # what `reportsmith count` reports is the counter applied to this text
    assert zishu(docxread.main_story_text(path)) == zishu("\n".join(p.text for p in content.paragraphs))


def test_endnotes_are_read_apart_from_the_body(tmp_path):
    d = docx.Document()
    d.add_paragraph("正文").add_run()._r.append(parse_xml(f'<w:endnoteReference {nsdecls("w")} w:id="2"/>'))
    buf = io.BytesIO()
    d.save(buf)
    endnotes = (f'<w:endnotes {nsdecls("w")}><w:endnote w:type="separator" w:id="0"><w:p><w:r><w:separator/></w:r></w:p></w:endnote>'
                '<w:endnote w:id="2"><w:p><w:r><w:t>尾注文字</w:t></w:r></w:p></w:endnote></w:endnotes>')
    path = tmp_path / "end.docx"
    path.write_bytes(C.add_parts(buf.getvalue(), {"word/endnotes.xml": endnotes}))
    content = docxread.read_docx(path)
    assert content.text == "正文" and content.endnotes == ["尾注文字"]


def test_deleted_paragraph_mark_joins_paragraphs_and_moved_text_counts_once(tmp_path):
    d = docx.Document()
    a = d.add_paragraph("前半段")
    a._p.get_or_add_pPr().append(parse_xml(f'<w:rPr {nsdecls("w")}><w:del w:id="1" w:author="x" w:date="2025-01-01T00:00:00Z"/></w:rPr>'))
    b = d.add_paragraph("后半段")
    b._p.append(parse_xml(f'<w:moveFrom {nsdecls("w")} w:id="2" w:author="x" w:date="2025-01-01T00:00:00Z"><w:r><w:t>旧位置</w:t></w:r></w:moveFrom>'))
    b._p.append(parse_xml(f'<w:moveTo {nsdecls("w")} w:id="3" w:author="x" w:date="2025-01-01T00:00:00Z"><w:r><w:t>新位置</w:t></w:r></w:moveTo>'))
    path = tmp_path / "m.docx"
    d.save(path)
    assert docxread.main_story_text(path) == "前半段后半段新位置"


def test_content_controls_and_the_iso_strict_namespace(tmp_path):
    d = docx.Document()
    d.add_paragraph("一、集群总体情况")
    block = d.add_paragraph("正文在内容控件里。")
    sdt = parse_xml(f'<w:sdt {nsdecls("w")}><w:sdtPr><w:alias w:val="正文"/></w:sdtPr><w:sdtContent/></w:sdt>')
    block._p.addprevious(sdt)
    sdt[1].append(block._p)  # a block-level control around a paragraph
    inline = d.add_paragraph("前")
    inline._p.append(parse_xml(f'<w:sdt {nsdecls("w")}><w:sdtPr/><w:sdtContent><w:r><w:t>控件内</w:t></w:r></w:sdtContent></w:sdt>'))
    path = tmp_path / "sdt.docx"
    d.save(path)
    lines = ["一、集群总体情况", "正文在内容控件里。", "前控件内"]
    assert docxread.main_story_text(path) == "\n".join(lines)
    transitional = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").replace(transitional, b"http://purl.oclc.org/ooxml/wordprocessingml/main")
    strict = tmp_path / "strict.docx"
    strict.write_bytes(C.replace_part(path.read_bytes(), "word/document.xml", xml))
    assert docxread.main_story_text(strict) == "\n".join(lines)


def test_automatic_numbering_labels_and_levels(tmp_path):
    path = tmp_path / "auto.docx"
    C.build_report(path, C.Spec(mode="autonum"))
    numbered = [p for p in docxread.read_docx(path).paragraphs if p.num_text]
    assert [p.num_text for p in numbered] == ["一、", "二、", "（一）", "（二）", "（三）", "（四）", "三、", "四、", "五、"]
    assert {p.num_format for p in numbered} == {"chineseCounting"}
    assert [p.ilvl for p in numbered][:3] == [0, 0, 1]
    assert all(p.outline_level in (0, 1) and p.bold for p in numbered)


@pytest.mark.parametrize(
    "n, fmt, shown",
    [(1, "chineseCounting", "一"), (10, "chineseCounting", "十"), (11, "chineseCounting", "十一"), (21, "chineseCounting", "二十一"),
     (3, "decimal", "3"), (3, "decimalEnclosedCircle", "③"), (2, "upperRoman", "II"), (28, "lowerLetter", "bb"),
     (2, "ideographTraditional", "乙"), (12, "decimalFullWidth", "１２"), (5, "bullet", "")],
)
def test_format_number(n, fmt, shown):
    assert format_number(n, fmt) == shown


# ---- hostile and broken files ---------------------------------------------------------

def _valid_bytes(tmp_path: Path) -> bytes:
    path = tmp_path / "ok.docx"
    C.build_report(path)
    return path.read_bytes()


HOSTILE = {
    "not_a_zip": (lambda ok: "这是一段纯文本，不是压缩包。".encode(), InputError, "不是 .docx 文件"),
    "empty_file": (lambda ok: b"", InputError, "文件是空的"),
    "truncated": (lambda ok: ok[: len(ok) // 2], InputError, "损坏或不完整"),
    "zip_bomb": (lambda ok: C.zip_bomb_declared(), UnsafeFileError, "压缩炸弹"),
    "too_many_members": (lambda ok: C.many_members(2001), UnsafeFileError, "文件过多"),
    "billion_laughs": (lambda ok: C.replace_part(ok, "word/document.xml", C.BILLION_LAUGHS), UnsafeFileError, "DOCTYPE"),
    "external_entity": (lambda ok: C.replace_part(ok, "word/document.xml", C.EXTERNAL_ENTITY), UnsafeFileError, "DOCTYPE"),
    "old_doc": (lambda ok: C.ole_file("Root Entry", "WordDocument", "1Table"), InputError, "旧版二进制格式"),
    "encrypted": (lambda ok: C.ole_file("Root Entry", "EncryptionInfo", "EncryptedPackage"), InputError, "密码"),
    "no_document_xml": (lambda ok: C.many_members(1).replace(b"word/document.xml", b"word/documenX.xml"), InputError, "没有 word/document.xml"),
    "broken_xml": (lambda ok: C.replace_part(ok, "word/document.xml", b"<w:document><w:body>"), InputError, "不是有效的 XML"),
    "rtf": (lambda ok: b"{\\rtf1\\ansi hello}", InputError, "RTF"),
    "pdf": (lambda ok: b"%PDF-1.7\n%\xe2\xe3\n1 0 obj", InputError, "PDF"),
    "web_page": (lambda ok: "\ufeff<html><body>网页另存</body></html>".encode(), InputError, "网页"),
    "odt": (lambda ok: C.odt_file(), InputError, "OpenDocument"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_files_are_refused_with_a_chinese_message(tmp_path, case):
    make, error, words = HOSTILE[case]
    path = tmp_path / f"{case}.docx"
    path.write_bytes(make(_valid_bytes(tmp_path)))
    with pytest.raises(error) as info:
        docxread.read_docx(path)
    assert words in info.value.text() and str(path) in info.value.text()


def test_zip_bomb_is_refused_before_anything_is_expanded(tmp_path, monkeypatch):
    path = tmp_path / "bomb.docx"
    path.write_bytes(C.zip_bomb_declared())

    def no_expanding(*args, **kwargs):
        raise AssertionError("a member was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_expanding)
    with pytest.raises(UnsafeFileError):
        docxread.open_docx(path)


def test_empty_document_is_refused(tmp_path):
    path = tmp_path / "blank.docx"
    docx.Document().save(path)
    with pytest.raises(InputError, match="没有正文文字"):
        docxread.read_docx(path)


def test_limits_are_configurable(tmp_path):
    path = tmp_path / "ok.docx"
    C.build_report(path)
    with pytest.raises(UnsafeFileError, match="文件过多"):
        docxread.open_docx(path, limits=docxread.Limits(max_uncompressed_bytes=10**9, max_members=5))
    with pytest.raises(UnsafeFileError, match="过大"):
        docxread.open_docx(path, limits=docxread.Limits(max_uncompressed_bytes=1000, max_members=2000))
    assert docxread.Limits.default() == docxread.Limits(200 * 1024 * 1024, 2000)


def test_an_xlsx_is_named_as_such(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "form.docx"
    wb = openpyxl.Workbook()
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    with pytest.raises(InputError, match="Excel"):
        docxread.read_docx(path)


@pytest.mark.parametrize("command", ["check", "import"])
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_cli_exit_2_without_traceback(tmp_path, capsys, case, command):
    make, _, words = HOSTILE[case]
    path = tmp_path / f"{case}.docx"
    path.write_bytes(make(_valid_bytes(tmp_path)))
    args = [str(path)] if command == "check" else [str(path), "-o", str(tmp_path / "report.yaml"), "--account", "whkjcyjq"]
    code = main([command, *args])
    captured = capsys.readouterr()
    assert code == 2
    assert words in captured.err and str(path) in captured.err and "Traceback" not in captured.err + captured.out
    assert not (tmp_path / "report.yaml").exists()


def test_cli_check_of_a_folder_with_good_and_hostile_files(tmp_path, capsys):
    C.build_report(tmp_path / "a_good.docx")
    valid = (tmp_path / "a_good.docx").read_bytes()
    for case in sorted(HOSTILE):
        (tmp_path / f"{case}.docx").write_bytes(HOSTILE[case][0](valid))
    assert main(["check", str(tmp_path)]) == 2
    printed = capsys.readouterr()
    assert "Traceback" not in printed.out + printed.err
    for case, (_, _, words) in HOSTILE.items():
        assert f"{case}.docx" in printed.out and words in printed.out, case
    assert main(["check", str(tmp_path), "--json"]) == 2
    rows = {Path(r["file"]).name: r for r in json.loads(capsys.readouterr().out)}
    assert set(rows) == {"a_good.docx", *(f"{case}.docx" for case in HOSTILE)}
    assert rows["a_good.docx"]["zishu"] > 0 and rows["a_good.docx"]["source"].endswith("a_good.docx")
    assert all(HOSTILE[c][2] in rows[f"{c}.docx"]["error"]["message"] for c in HOSTILE)
