"""批注: `check REPORT.docx --annotate` writes every finding as a Word comment at its paragraph.

Read back three ways: python-docx (comments part and anchors), our own reader (the text of
every paragraph is unchanged) and LibreOffice (converts the file and keeps every comment).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from docx_corpus import Spec, build_report
from reportsmith.checks.annotate import COMMENT_AUTHOR, annotate_docx, comment_text
from reportsmith.checks.submitted import check_docx
from reportsmith.cli import main
from reportsmith.docx.comments import read_comments
from reportsmith.docx.read import read_docx
from reportsmith.report.build import build

REPO = Path(__file__).resolve().parents[1]
COMMENT_PARTS = {"word/document.xml", "word/comments.xml", "word/_rels/document.xml.rels", "[Content_Types].xml"}


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory) -> Path:
    """A demo draft (far too short: length, coverage and empty-section findings)."""
    out = tmp_path_factory.mktemp("demo")
    return build(REPO / "inputs" / "whdzcyjq", out).docx


def _runs(path: Path) -> list[list[tuple[str, str]]]:
    """Every paragraph's runs that carry text, as (text, run properties XML)."""
    from lxml import etree

    out = []
    for p in docx.Document(str(path)).paragraphs:
        runs = []
        for r in p.runs:
            if r.text:
                rpr = r._r.find(qn("w:rPr"))
                runs.append((r.text, etree.tostring(rpr) if rpr is not None else b""))
        out.append(runs)
    return out


def _assert_untouched(src: Path, out: Path) -> None:
    assert [p.text for p in read_docx(src).paragraphs] == [p.text for p in read_docx(out).paragraphs]
    assert [p.text for p in docx.Document(str(src)).paragraphs] == [p.text for p in docx.Document(str(out)).paragraphs]
    assert _runs(src) == _runs(out)
    a, b = zipfile.ZipFile(src), zipfile.ZipFile(out)
    for name in a.namelist():
        if name not in COMMENT_PARTS:
            assert a.read(name) == b.read(name), name


def test_every_finding_of_a_demo_report_becomes_a_comment_at_its_paragraph(demo_report, tmp_path):
    out = tmp_path / "批注.docx"
    done = annotate_docx(demo_report, out)
    findings = done.result.findings
    assert {f.rule for f in findings} >= {"length.fail", "docx.left_out"}
    comments = read_comments(out)
    assert sorted(text for _, _, text in comments) == sorted(comment_text(f) for f in findings)
    assert {author for _, author, _ in comments} == {COMMENT_AUTHOR}
    paragraphs = read_docx(out).paragraphs
    by_text = {}
    for index, _, text in comments:
        by_text.setdefault(text, []).append(paragraphs[index].text)
    # The length finding sits on the report's title.
    length = next(f for f in findings if f.rule.startswith("length."))
    assert by_text[comment_text(length)][0] == paragraphs[0].text
    _assert_untouched(demo_report, out)


def test_a_finding_about_a_heading_sits_on_that_heading(tmp_path):
    src = tmp_path / "收到.docx"
    build_report(src, Spec())
    out = tmp_path / "批注.docx"
    done = annotate_docx(src, out)
    paragraphs = read_docx(out).paragraphs
    topics = [f for f in done.result.findings if f.rule == "topic.missing"]
    assert topics
    placed = {text: index for index, _, text in read_comments(out)}
    for f in topics:
        assert paragraphs[placed[comment_text(f)]].text.endswith(f.key)
    layout = [f for f in done.result.findings if f.rule.startswith("layout.heading_")]
    assert layout and all(paragraphs[placed[comment_text(f)]].text.endswith(f.key.lstrip("一二三四五、（）")) for f in layout)


def test_python_docx_reads_the_comments_and_their_anchors(demo_report, tmp_path):
    out = tmp_path / "批注.docx"
    done = annotate_docx(demo_report, out)
    document = docx.Document(str(out))
    comments = {c.comment_id: c for c in document.comments}
    assert len(comments) == len(done.result.findings)
    anchored = {}
    for p in document.paragraphs:
        for start in p._p.iter(qn("w:commentRangeStart")):
            anchored[int(start.get(qn("w:id")))] = p.text
    assert set(anchored) == set(comments)
    for cid, comment in comments.items():
        assert comment.author == COMMENT_AUTHOR
        assert comment.text.startswith(("错误：", "警告：", "提示："))


def test_annotating_twice_gives_the_same_bytes(demo_report, tmp_path):
    annotate_docx(demo_report, tmp_path / "a.docx")
    annotate_docx(demo_report, tmp_path / "b.docx")
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()


@pytest.mark.parametrize("spec", [Spec(mode="autonum", extras=True), Spec(mode="bold", appendix=True, omit=frozenset({"集群发展环境"}))],
                         ids=["wps-numbering-with-comment", "bold-headings-missing-one"])
def test_received_files_keep_their_text_and_their_own_comments(spec, tmp_path):
    src = tmp_path / "收到.docx"
    build_report(src, spec)
    out = tmp_path / "批注.docx"
    done = annotate_docx(src, out)
    comments = read_comments(out)
    mine = [c for c in comments if c[1] == COMMENT_AUTHOR]
    assert len(mine) == len(done.result.findings)
    if spec.extras:  # the writer's own comment is still there, with its id
        assert any(author == "审核人" for _, author, _ in comments)
        assert len(docx.Document(str(out)).comments) == len(mine) + 1
    if spec.omit:  # the missing heading's finding sits on the heading written before it
        f = next(f for f in done.result.findings if f.rule == "section.missing")
        (index,) = [i for i, _, text in mine if text == comment_text(f)]
        assert "集群创新服务建设体系" in read_docx(out).paragraphs[index].text
    _assert_untouched(src, out)


def _soffice() -> str:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    return soffice


def _convert(soffice: str, path: Path, fmt: str, tmp_path: Path) -> Path:
    subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", fmt, "--outdir", str(tmp_path / fmt), str(path)],
        capture_output=True, check=True, timeout=180,
    )
    return tmp_path / fmt / f"{path.stem}.{fmt.split(':')[0]}"


@pytest.mark.slow
@pytest.mark.libreoffice
def test_libreoffice_reads_every_comment_of_a_libreoffice_saved_file(tmp_path):
    soffice = _soffice()
    src = tmp_path / "word.docx"
    build_report(src, Spec())
    saved = _convert(soffice, src, "docx:MS Word 2007 XML", tmp_path)  # a file LibreOffice wrote
    out = tmp_path / "批注.docx"
    done = annotate_docx(saved, out)
    assert len(done.result.findings) >= 3
    _assert_untouched(saved, out)
    odt = _convert(soffice, out, "odt", tmp_path)
    content = zipfile.ZipFile(odt).read("content.xml").decode("utf-8")
    assert content.count("<office:annotation ") == len(done.result.findings)
    text = html.unescape(re.sub("<[^>]+>", "", content))  # messages may quote “R&D”
    for f in done.result.findings:
        assert f"{f.severity.label}：{f.message[:10]}" in text
    pdf = _convert(soffice, out, "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_cli_writes_the_annotated_copy(demo_report, tmp_path, capsys):
    src = tmp_path / "报告.docx"
    shutil.copy(demo_report, src)
    assert main(["check", str(src), "--annotate", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    out = tmp_path / "报告_批注.docx"
    assert data["annotated"] == str(out) and data["comments"] == len(data["problems"])
    assert len(read_comments(out)) == data["comments"]
    assert check_docx(src).zishu == check_docx(out).zishu


def test_cli_refuses_what_it_cannot_annotate(tmp_path, capsys):
    src = tmp_path / "报告.docx"
    build_report(src)
    assert main(["check", str(REPO / "inputs" / "whkjcyjq"), "--annotate"]) == 2
    assert "--annotate 只能用于一个 .docx 文件" in capsys.readouterr().err
    assert main(["check", str(src), "--annotate", "-o", str(src)]) == 2
    assert "不能覆盖原文件" in capsys.readouterr().err
    assert main(["check", str(src), "-o", str(tmp_path / "x.docx")]) == 2
    assert "-o 只与 --annotate 一起使用" in capsys.readouterr().err
    assert not (tmp_path / "x.docx").exists()
