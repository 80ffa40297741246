"""Import of a Word draft into report.yaml, and the import → build → check round trip."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import docx_corpus as C
from reportsmith import importer, outline, report_input
from reportsmith.cli import main
from reportsmith.errors import InputError

ALL = [h.title for h in outline.headings()]


def _import(tmp_path: Path, spec: C.Spec, account: str | None = None) -> tuple[C.Expected, Path, list]:
    draft = tmp_path / "draft.docx"
    expected = C.build_report(draft, spec)
    text, findings = importer.import_docx(draft, account)
    out = tmp_path / "whkjcyjq" / "report.yaml"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return expected, out, findings


def _literal(paragraph: str) -> str:
    # figures are left as written: a literal "{{" in a draft is escaped for the figure filler
    return paragraph.replace("{{", "\\{{")


@pytest.mark.parametrize("spec", [C.Spec(), C.Spec(mode="autonum"), C.Spec(mode="bold", l1="一.", l2="(一)")], ids=["style", "autonum", "bold"])
def test_text_under_each_heading_with_paragraphs_kept(tmp_path, spec):
    expected, out, _ = _import(tmp_path, spec)
    report = report_input.load_report(out)  # the imported file is a valid report.yaml
    assert report.cluster == "whkjcyjq" and report.year == 2024 and str(report.date) == "2025-01-20"
    for title in ALL:
        section = report.sections[title]
        text = "".join(b.text for b in section.blocks)
        assert report_input.split_paragraphs(text) == [_literal(p) for p in expected.paragraphs[title]]


def test_unclassified_text_is_kept_with_a_warning(tmp_path):
    spec = C.Spec(extras=True, appendix=True, table_in="集群企业典型发展案例")
    expected, out, findings = _import(tmp_path, spec)
    text = out.read_text(encoding="utf-8")
    for kept in [*C.SIGNATURE, *C.APPENDIX, expected.text_box, expected.footnote, "营业收入 | 128.6亿元"]:
        assert f"# {kept}" in text
    assert "# ==== 未归类 ====" in text
    assert any(f.rule == "import.unclassified" and f.severity.value == "warning" for f in findings)
    report_input.load_report(out)


def test_account_from_option_or_title(tmp_path):
    draft = tmp_path / "d.docx"
    C.build_report(draft)
    text, findings = importer.import_docx(draft, "ycswcyjq")
    assert "cluster: ycswcyjq" in text and any(f.rule == "import.account_mismatch" for f in findings)
    C.build_report(draft, C.Spec(title_line=False))
    with pytest.raises(InputError, match="--account"):
        importer.import_docx(draft, None)
    with pytest.raises(InputError, match="不在附件1"):
        importer.import_docx(draft, "nosuch")


@settings(max_examples=80, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60), st.integers(0, 6))
def test_any_text_survives_the_yaml_round_trip(text, indent):
    block = importer.to_yaml_block("一、集群总体情况", text, indent)
    parent = "k:\n" if indent else ""
    loaded = yaml.safe_load(parent + block)
    assert (loaded["k"] if indent else loaded)["一、集群总体情况"] == text


@pytest.mark.parametrize("text", ['  前导空格\n"引号" \'单引号\'', "冒号: 值 # 不是注释", "{{ 营业收入 }} 与 {% x %}", "- 列表？\n|竖线", "尾随空格 "])
def test_tricky_text_round_trip(text):
    assert yaml.safe_load(importer.to_yaml_block("k", text)) == {"k": text}


def test_cli_never_overwrites_without_force(tmp_path, capsys):
    draft = tmp_path / "d.docx"
    C.build_report(draft)
    out = tmp_path / "report.yaml"
    out.write_text("原有内容\n", encoding="utf-8")
    assert main(["import", str(draft), "-o", str(out)]) == 2
    assert "已存在" in capsys.readouterr().err and out.read_text(encoding="utf-8") == "原有内容\n"
    assert main(["import", str(draft), "-o", str(out), "--force"]) in (0, 1)
    assert out.read_text(encoding="utf-8").startswith("# 由 reportsmith import")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_import_build_check_round_trip_keeps_the_text(tmp_path):
    build = pytest.importorskip("reportsmith.build")
    from reportsmith import docxlayout, docxread, submitted

    d = docx.Document()
    d.add_paragraph(C.TITLE)
    for h in outline.headings():
        d.add_paragraph(C.heading_line(h))
        for p in C.TEXT[h.title]:
            d.add_paragraph(p.replace("{{ 150 }}", "150"))
    draft = tmp_path / "draft.docx"
    d.save(draft)
    text, _ = importer.import_docx(draft, None)
    folder = tmp_path / "inputs" / "whkjcyjq"
    folder.mkdir(parents=True)
    (folder / "report.yaml").write_text(text + "no_highlights: [" + ", ".join(h.title for h in outline.content_headings()) + "]\n", encoding="utf-8")
    result = build.build(folder, tmp_path / "out")
    layout = docxlayout.detect(docxread.read_docx(result.docx))
    for h in outline.content_headings():
        written = [p.text.strip() for p in layout.body.get(h.title, []) if p.text.strip()]
        assert written == [p.replace("{{ 150 }}", "150") for p in C.TEXT[h.title]], h.title
    checked = submitted.check_docx(result.docx)
    original = submitted.check_docx(draft)
    assert [s.zishu for s in checked.sections] == [s.zishu for s in original.sections]
