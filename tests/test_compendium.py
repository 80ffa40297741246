"""汇编: every demo report in one volume, contents with real page numbers; export of everything as a zip."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from reportsmith.batch.compendium import build_compendium, compendium_order
from reportsmith.batch.export import export_all, read_manifest
from reportsmith.cli import main
from reportsmith.core.errors import InputError
from reportsmith.registry.clusters import load_clusters

REPO = Path(__file__).resolve().parents[1]
INPUTS = REPO / "inputs"


def _norm(text: str) -> str:
    return "".join(text.split())


def _titles(path: Path) -> list[str]:
    document = docx.Document(str(path))
    return ["".join(t.text or "" for t in p._p.iter(qn("w:t"))) for p in document.paragraphs if p.style.style_id == "Title"]


def _contents(path: Path) -> list[tuple[str, str]]:
    """(title, page) of every contents entry: the TOC field's result paragraphs."""
    out = []
    for p in docx.Document(str(path)).paragraphs:
        if p.style.style_id != "TOC1":
            continue
        link = p._p.find(qn("w:hyperlink"))
        texts = [t.text or "" for t in link.iter(qn("w:t"))]
        out.append(("".join(texts[:-1]), texts[-1]))
    return out


def _submitted() -> list[str]:
    """Accounts of the demo clusters with a report, 国家级 first, in 附件1 order."""
    ordered = sorted(load_clusters(), key=compendium_order)
    return [c.account for c in ordered if (INPUTS / c.account / "report.yaml").is_file()]


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice and pdftotext are needed to lay the compendium out")
    out = tmp_path_factory.mktemp("compendium") / "汇编.docx"
    return build_compendium(INPUTS, out, pdf=True)


@pytest.mark.slow
@pytest.mark.libreoffice
def test_every_title_stands_once_in_order_and_the_contents_list_them(full):
    titles = _titles(full.path)
    assert full.accounts == _submitted() and len(titles) == len(full.accounts) == 47
    assert titles == full.titles and len(set(titles)) == len(titles)
    names = [c.name for c in sorted(load_clusters(), key=compendium_order) if c.account in full.accounts]
    assert all(_norm(name) in _norm(t) for name, t in zip(names, titles))
    contents = _contents(full.path)
    assert [_norm(t) for t, _ in contents] == [_norm(t) for t in titles]
    assert [int(p) for _, p in contents] == full.pages
    assert [c.account for c, _ in full.left_out] == ["qjgdcyjq"]  # the one demo cluster without a report


@pytest.mark.slow
@pytest.mark.libreoffice
def test_each_contents_page_number_is_the_page_of_its_title_in_the_pdf(full, tmp_path):
    pdf = full.pdf
    assert pdf is not None and pdf.is_file()
    pages = [int(p) for _, p in _contents(full.path)]
    assert pages == sorted(pages) and pages[0] >= 2
    for title, page in zip(full.titles, pages):
        text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert _norm(title) in _norm(text), (title, page)
        before = subprocess.run(["pdftotext", "-f", str(page - 1), "-l", str(page - 1), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert _norm(title) not in _norm(before) or page - 1 <= 3  # only the contents page(s) name it earlier
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "汇编" in first and "— 1 —" not in first  # the cover carries no page number
    last = subprocess.run(["pdftotext", "-f", str(pages[-1] + 1), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for heading in ("全省汇总", "各集群报告检查情况", "全省统计报表合计", "图1", "图2", "图3"):
        assert heading in _norm(last)


@pytest.mark.slow
@pytest.mark.libreoffice
def test_the_reports_keep_their_styles_and_pictures_carry_over(full):
    document = docx.Document(str(full.path))
    used = {p.style.style_id for p in document.paragraphs}
    assert {"Title", "Subtitle", "Heading1", "Heading2", "Normal", "AttachmentLabel", "TOC1", "CoverTitle"} <= used
    assert len(document.inline_shapes) == 3  # the three province charts
    sect = document.element.body.find(qn("w:sectPr"))
    assert sect.find(qn("w:titlePg")) is not None and len(document.sections) == 1


def test_without_layout_the_page_numbers_are_left_to_word(tmp_path):
    out = tmp_path / "汇编.docx"
    accounts = ["whkjcyjq", "ycswcyjq"]
    result = build_compendium(INPUTS, out, only=accounts, layout=False)
    assert result.pages is None and [p for _, p in _contents(out)] == ["0", "0"]
    assert docx.Document(str(out)).settings.element.find(qn("w:updateFields")) is not None
    assert [f.rule for f in result.findings] == ["compendium.pages_left"]
    again = build_compendium(INPUTS, tmp_path / "again.docx", only=accounts, layout=False)
    assert out.read_bytes() == again.path.read_bytes()
    assert result.accounts == ["whkjcyjq", "ycswcyjq"]  # 国家级 before 省级


def test_only_approved_reads_the_review_file(tmp_path, capsys):
    inputs = tmp_path / "inputs"
    for account in ("whkjcyjq", "ycswcyjq", "xyqccyjq"):
        shutil.copytree(INPUTS / account, inputs / account)
    with pytest.raises(InputError) as err:
        build_compendium(inputs, tmp_path / "汇编.docx", only_approved=True, layout=False)
    assert "review.yaml" in str(err.value.file)
    (inputs / "review.yaml").write_text("whkjcyjq: 已通过\nycswcyjq: 退回修改\n", encoding="utf-8")
    result = build_compendium(inputs, tmp_path / "汇编.docx", only_approved=True, layout=False)
    assert result.accounts == ["whkjcyjq"]
    assert any("未通过审核" in why for _, why in result.left_out)
    assert main(["compendium", str(inputs), "-o", str(tmp_path / "x.docx"), "--only-approved"]) == 1
    text = capsys.readouterr().out
    assert "已生成汇编" in text and "未收录 ycswcyjq" in text


@pytest.mark.slow
def test_export_all_packs_everything_with_a_manifest_of_sha256(tmp_path):
    zip_path = tmp_path / "全部材料.zip"
    result = export_all(INPUTS, zip_path, compendium=False)
    manifest = read_manifest(zip_path)
    with zipfile.ZipFile(zip_path) as zf:
        names = set(zf.namelist())
        assert names == {e["path"] for e in manifest["files"]} | {"manifest.json"}
        for e in manifest["files"]:
            data = zf.read(e["path"])
            assert hashlib.sha256(data).hexdigest() == e["sha256"] and len(data) == e["bytes"]
    assert {"summary.csv", "summary.xlsx", "汇总.xlsx", "index.html", "图表/图1_字数.png", "图表/图2_提纲覆盖.png", "图表/图3_主要指标.png"} <= names
    assert sum(1 for n in names if n.endswith("总结报告.docx")) == 47
    assert any("/佐证材料/" in n for n in names)
    assert not any(part.startswith(".") for n in names for part in n.split("/"))
    assert result.batch_exit == 1  # demo drafts have problems by design
    assert json.loads(json.dumps(manifest))["year"] == 2024
