"""Heading detection and the check of submitted .docx files (docxlayout, submitted)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import docx
import pytest

import docx_corpus as C
from reportsmith.checks import headings as docxlayout
from reportsmith.docx import read as docxread
from reportsmith.outline import headings as outline
from reportsmith.checks import submitted
from reportsmith.core.errors import InputError, ReportsmithError, UnsafeFileError
from reportsmith.checks.zishu import zishu

ALL = [h.title for h in outline.headings()]

VARIANTS = {
    "heading_style_一、": C.Spec(),
    "typed_一.": C.Spec(l1="一.", l2="(一)", mode="plain"),
    "typed_一 、_fullwidth_brackets": C.Spec(l1="一 、", l2="（一）", mode="plain"),
    "halfwidth_brackets_bold_only": C.Spec(l1="一．", l2="(一)", mode="bold"),
    "word_automatic_numbering": C.Spec(mode="autonum"),
    "no_title_no_signature": C.Spec(title_line=False, signature=False),
}


def _expected_zishu(expected: C.Expected, title: str) -> int:
    return zishu(expected.heading_lines[title]) + sum(zishu(p) for p in expected.paragraphs[title])


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_heading_variant_is_found_and_counted(tmp_path, name):
    path = tmp_path / f"{name}.docx"
    expected = C.build_report(path, VARIANTS[name])
    layout = docxlayout.detect(docxread.read_docx(path))
    assert [f.heading.title for f in layout.found] == ALL
    assert all(f.similarity == 1.0 for f in layout.found)
    for title in ALL:
        assert [p.text for p in layout.body[title]] == expected.paragraphs[title]
    result = submitted.check_docx(path)
    for s in result.sections:
        assert s.zishu == _expected_zishu(expected, s.heading), s.heading
    assert result.zishu == sum(_expected_zishu(expected, t) for t in ALL)
    assert result.total_zishu == zishu(docxread.main_story_text(path))
    assert result.source == str(path)
    assert result.cluster == ("whkjcyjq" if VARIANTS[name].title_line else None)
    rules = {f.rule for f in result.findings}
    assert not rules & {"section.missing", "docx.heading_order", "docx.heading_uncertain"}
    assert ("docx.auto_numbering" in rules) == (name == "word_automatic_numbering")


def test_automatic_numbers_are_not_counted_as_text(tmp_path):
    path = tmp_path / "auto.docx"
    C.build_report(path, C.Spec(mode="autonum"))
    result = submitted.check_docx(path)
    first = next(s for s in result.sections if s.heading == "集群总体情况")
    assert first.zishu == zishu("集群总体情况") + sum(zishu(p) for p in C.TEXT["集群总体情况"])
    found = result.extra["headings_found"][0]
    assert found["auto_number"] and found["number"] == "一、" and found["text"] == "集群总体情况"


def test_reworded_headings_say_what_was_matched_and_how_sure(tmp_path):
    path = tmp_path / "reworded.docx"
    rename = {"集群发展成效": "集群发展主要成效", "集群创新服务建设体系": "集群创新服务体系建设"}
    C.build_report(path, C.Spec(rename=rename))
    result = submitted.check_docx(path)
    found = {f["heading"]: f for f in result.extra["headings_found"]}
    assert found["集群发展成效"]["text"] == "三、集群发展主要成效"
    assert found["集群发展成效"]["similarity"] == pytest.approx(0.86, abs=0.01)
    by_rule = {(f.rule, f.key): f for f in result.findings}
    assert ("docx.heading_reworded", "三、集群发展成效") in by_rule
    uncertain = by_rule[("docx.heading_uncertain", "（三）集群创新服务建设体系")]
    assert "0.80" in uncertain.message and "集群创新服务体系建设" in uncertain.message


def test_missing_and_out_of_order_headings(tmp_path):
    path = tmp_path / "order.docx"
    order = ["集群总体情况", "集群发展成效", "集群发展情况", "集群产业结构发展情况", "集群创新能力建设情况",
             "集群创新服务建设体系", "存在问题与下一步工作考虑", "集群企业典型发展案例"]
    C.build_report(path, C.Spec(order=order))
    result = submitted.check_docx(path)
    keys = {(f.rule, f.key) for f in result.findings}
    assert ("section.missing", "集群发展环境") in keys
    assert ("docx.heading_order", "二、集群发展情况") in keys
    assert result.exit_code == 1


def test_run_in_bold_heading_and_reworded_heading_in_the_place_of_the_next(tmp_path):
    d = docx.Document()
    d.add_paragraph(C.TITLE)
    p = d.add_paragraph()
    p.add_run("一、集群总体情况。").bold = True
    p.add_run("集群总体发展情况良好。")
    d.add_paragraph("二、集群发展概况")  # reworded container, where 二 is expected
    d.add_paragraph("（一）产业链条建设")  # far from the outline's wording but numbered where （一） is expected
    d.add_paragraph("产业链建设持续推进。")
    d.add_paragraph("四、存在问题")
    d.add_paragraph("（一）产业结构不优")  # a sub-point under 四: not a heading of 二
    path = tmp_path / "runin.docx"
    d.save(path)
    layout = docxlayout.detect(docxread.read_docx(path))
    titles = [f.heading.title for f in layout.found]
    assert titles[:3] == ["集群总体情况", "集群发展情况", "集群产业结构发展情况"]
    assert [p.text for p in layout.body["集群总体情况"]] == ["集群总体发展情况良好。"]
    assert layout.found[0].text == "一、集群总体情况。"
    assert "（一）产业结构不优" in [p.text for ps in layout.body.values() for p in ps]


ODD_HEADING_LINES = {
    "full-width space": ["一、\u3000集群总体情况", "二、\u3000集群发展情况"],
    "trailing colon": ["一、集群总体情况：", "二、集群发展情况:"],
    "tab after the number": ["一、\t集群总体情况", "二、\t集群发展情况"],
    "arabic sub-numbers": ["二、集群发展情况", "1.集群产业结构发展情况", "（2）集群创新能力建设情况"],
    "dun after brackets, mixed brackets": ["二、集群发展情况", "（一）、集群产业结构发展情况", "（二)集群创新能力建设情况"],
    "spaces inside the title": ["一、集 群 总 体 情 况", "二、集群发展情况"],
}


@pytest.mark.parametrize("name", sorted(ODD_HEADING_LINES))
def test_odd_heading_lines_are_found(tmp_path, name):
    d = docx.Document()
    lines = ODD_HEADING_LINES[name]
    for line in lines:
        d.add_paragraph(line)
        d.add_paragraph("这一段是标题下的正文，写了一些情况。")
    path = tmp_path / "odd.docx"
    d.save(path)
    layout = docxlayout.detect(docxread.read_docx(path))
    assert [f.text for f in layout.found] == lines
    assert all(f.similarity == 1.0 for f in layout.found)
    assert all([p.text for p in layout.body[f.heading.title]] == ["这一段是标题下的正文，写了一些情况。"] for f in layout.found)


def test_heading_followed_by_a_manual_line_break_and_its_text(tmp_path):
    d = docx.Document()
    p = d.add_paragraph("一、集群总体情况")
    p.add_run().add_break()  # Shift+Enter: heading and text share one paragraph
    body = "集群总体发展情况良好，2024年实现营业收入128.6亿元，同比增长12.3%，企业总数达到326家。"
    p.add_run(body)
    d.add_paragraph("二、集群发展情况")
    path = tmp_path / "br.docx"
    d.save(path)
    result = submitted.check_docx(path)
    first = next(s for s in result.sections if s.heading == "集群总体情况")
    assert first.zishu == zishu("一、集群总体情况") + zishu(body)
    assert result.extra["headings_found"][0]["text"] == "一、集群总体情况"


def test_a_long_report_is_checked_without_hanging(tmp_path):
    import time

    d = docx.Document()
    for h in outline.headings():
        d.add_paragraph(C.heading_line(h))
        for _ in range(300):
            d.add_paragraph("集群总体发展情况良好，实现营业收入128.6亿元，同比增长12.3%。" * 3)
    path = tmp_path / "long.docx"
    d.save(path)
    start = time.perf_counter()
    result = submitted.check_docx(path)
    # ~3,000 paragraphs, 100,000 字: a guard against a runaway scan, not a speed measure
    # (benchmarks/bench_batch.py measures checking received reports).
    assert time.perf_counter() - start < 60
    assert [s.heading for s in result.sections] == ALL


def test_a_repeated_heading_is_reported_and_its_text_kept_under_the_first(tmp_path):
    d = docx.Document()
    for line in ("一、集群总体情况", "第一段。", "一、集群总体情况", "第二段。", "二、集群发展情况"):
        d.add_paragraph(line)
    path = tmp_path / "dup.docx"
    d.save(path)
    result = submitted.check_docx(path)
    (dup,) = [f for f in result.findings if f.rule == "docx.heading_duplicate"]
    assert "第 3 段" in dup.message
    first = next(s for s in result.sections if s.heading == "集群总体情况")
    assert first.zishu == zishu("一、集群总体情况") + zishu("第一段。") + zishu("一、集群总体情况") + zishu("第二段。")


def test_left_out_parts_are_reported_and_not_in_the_body(tmp_path):
    path = tmp_path / "extras.docx"
    expected = C.build_report(path, C.Spec(extras=True, appendix=True, table_in="集群企业典型发展案例"))
    result = submitted.check_docx(path)
    kinds = {lo["kind"]: lo for lo in result.extra["left_out"]}
    assert set(kinds) == {"题目", "落款", "附件", "文末表格", "文本框", "脚注/尾注"}
    assert kinds["附件"]["zishu"] == zishu("\n".join(C.APPENDIX))
    assert kinds["落款"]["zishu"] == zishu("\n".join(C.SIGNATURE))
    last = next(s for s in result.sections if s.heading == "集群企业典型发展案例")
    assert last.zishu == zishu(expected.heading_lines["集群企业典型发展案例"]) + sum(zishu(p) for p in C.TEXT["集群企业典型发展案例"])
    note = next(f for f in result.findings if f.rule == "docx.left_out")
    assert "附件 2 段" in note.message and "文本框" in note.message
    assert any(f.rule == "docx.tracked_changes" for f in result.findings)
    data = json.loads(json.dumps(result.to_json(), ensure_ascii=False, default=str))
    assert data["source"] == str(path) and data["left_out"] and data["headings_found"]


def test_text_before_the_first_heading_is_reported(tmp_path):
    d = docx.Document()
    d.add_paragraph(C.TITLE)
    d.add_paragraph("根据省科技厅通知要求，现将我集群年度工作总结如下。这一段并非标题下的正文。")
    d.add_paragraph("一、集群总体情况")
    d.add_paragraph("正文。")
    path = tmp_path / "pre.docx"
    d.save(path)
    result = submitted.check_docx(path)
    assert any(f.rule == "docx.text_before_headings" for f in result.findings)
    assert [lo["kind"] for lo in result.extra["left_out"]] == ["题目", "标题前的文字"]


def test_folder_check_goes_on_after_a_bad_file(tmp_path):
    C.build_report(tmp_path / "a_good.docx")
    (tmp_path / "b_bomb.docx").write_bytes(C.zip_bomb_declared())
    (tmp_path / "c_old.doc").write_bytes(C.ole_file("Root Entry", "WordDocument"))
    C.build_report(tmp_path / "d_good.docx", C.Spec(mode="bold"))
    (tmp_path / "~$a_good.docx").write_bytes(b"lock")
    (tmp_path / "notes.txt").write_text("x")
    results = submitted.check_folder(tmp_path)
    assert [p.name for p, _ in results] == ["a_good.docx", "b_bomb.docx", "c_old.doc", "d_good.docx"]
    kinds = [type(r) for _, r in results]
    assert kinds[0] is kinds[3] is type(submitted.check_docx(tmp_path / "a_good.docx"))
    assert isinstance(results[1][1], UnsafeFileError) and isinstance(results[2][1], InputError)


# ---- documents written by LibreOffice -------------------------------------------------

_HTML = """<html><head><meta charset="utf-8"></head><body>
<p>武汉东湖高新区地球空间信息及应用服务创新型产业集群2024年度总结报告</p>
<h1>一、集群总体情况</h1><p>集群总体发展情况良好，营业收入增长。</p>
<h1>二、集群发展情况</h1>
<h2>(一)集群产业结构发展情况</h2><p>产业链建设持续推进。</p>
<p><b>（二）集群创新能力建设情况</b></p><p>研发投入持续增加。</p>
<table><tr><td>研发人员</td><td>1,234人</td></tr></table>
<p><b>三、集群发展成效</b></p><p>成效明显。</p>
<p>附件：主要指标</p>
</body></html>"""


@pytest.fixture(scope="module")
def libreoffice_docs(tmp_path_factory):
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("soffice (LibreOffice) not installed")
    work = tmp_path_factory.mktemp("lo")
    expected = C.build_report(work / "auto.docx", C.Spec(mode="autonum", extras=True))
    (work / "draft.html").write_text(_HTML, encoding="utf-8")
    env = {**os.environ, "HOME": str(work)}
    run = [soffice, "--headless", "--norestore", "--nologo"]
    subprocess.run(run + ["--convert-to", "odt", "--outdir", str(work / "odt"), str(work / "auto.docx")], env=env, check=True, capture_output=True, timeout=180)
    subprocess.run(run + ["--convert-to", "docx:MS Word 2007 XML", "--outdir", str(work / "out"), str(work / "odt" / "auto.odt"), str(work / "draft.html")],
                   env=env, check=True, capture_output=True, timeout=180)
    subprocess.run(run + ["--convert-to", "doc:MS Word 97", "--outdir", str(work / "out"), str(work / "auto.docx")], env=env, check=True, capture_output=True, timeout=180)
    return work / "out", expected


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_docx_from_odt_keeps_automatic_numbering_and_text(libreoffice_docs):
    out, expected = libreoffice_docs
    path = out / "auto.docx"
    content = docxread.read_docx(path)
    layout = docxlayout.detect(content)
    assert [f.heading.title for f in layout.found] == ALL
    assert all(f.auto_number for f in layout.found)
    assert [f.number for f in layout.found][:3] == ["一、", "二、", "（一）"]
    for title in ALL:
        assert [p.text for p in layout.body[title]] == expected.paragraphs[title]
    # (the corpus' minimal text-box XML is not kept by LibreOffice; the footnote is)
    assert content.footnotes == [expected.footnote] and "文本框里的字" not in content.text
    result = submitted.check_docx(path)
    assert result.zishu == sum(_expected_zishu(expected, t) for t in ALL)


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_docx_from_html_and_binary_doc(libreoffice_docs):
    out, _ = libreoffice_docs
    layout = docxlayout.detect(docxread.read_docx(out / "draft.docx"))
    assert [f.heading.title for f in layout.found] == ["集群总体情况", "集群发展情况", "集群产业结构发展情况", "集群创新能力建设情况", "集群发展成效"]
    assert [p.text for p in layout.body["集群创新能力建设情况"]] == ["研发投入持续增加。", "研发人员", "1,234人"]
    assert [p.text for p in layout.appendix] == ["附件：主要指标"]
    with pytest.raises(ReportsmithError, match="旧版二进制格式"):
        submitted.check_docx(out / "auto.doc")
