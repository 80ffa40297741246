"""Import of a Word draft into report.yaml, and the import → build → check round trip."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import docx_corpus as C
from reportsmith.report import importer
from reportsmith.outline import headings as outline
from reportsmith.outline import report_input
from reportsmith.cli import main
from reportsmith.core.errors import InputError

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


def test_unclassified_text_is_kept_under_its_key_with_a_warning(tmp_path):
    spec = C.Spec(extras=True, appendix=True, table_in="集群企业典型发展案例")
    expected, out, findings = _import(tmp_path, spec)
    report = report_input.load_report(out)
    assert report.unclassified == {
        "落款": "\n\n".join(C.SIGNATURE),
        "附件": "\n\n".join(C.APPENDIX),
        "文末表格": "指标 | 数值\n\n营业收入 | 128.6亿元",
        "文本框 1": expected.text_box,
        "脚注 1": expected.footnote,
    }
    warning = next(f for f in findings if f.rule == "import.unclassified")
    assert warning.severity.value == "warning" and "落款、附件、文末表格、文本框 1、脚注 1" in warning.message
    # the title is generated on build; the draft's own title lines stay visible as comments
    assert f"# 初稿题目：{C.TITLE}\n# 初稿题目：（2024年度）\n" in out.read_text(encoding="utf-8")
    # the check reminds the writer, counting paragraphs, until the text is moved or deleted
    (note,) = report_input.unclassified_findings(report)
    assert note.rule == "report.unclassified" and note.severity.value == "warning"
    assert note.measured == 2 + 2 + 2 + 1 + 1 and "8 段" in note.message
    assert note.line == out.read_text(encoding="utf-8").split("\n").index("未归类:") + 1


def test_a_draft_without_headings_keeps_all_its_text(tmp_path):
    d = docx.Document()
    d.add_paragraph(C.TITLE)
    d.add_paragraph("今年集群发展良好。")
    d.add_paragraph("明年继续努力。")
    draft = tmp_path / "d.docx"
    d.save(draft)
    text, findings = importer.import_docx(draft, None)
    out = tmp_path / "report.yaml"
    out.write_text(text, encoding="utf-8")
    assert report_input.load_report(out).unclassified == {"标题前的文字": "今年集群发展良好。\n\n明年继续努力。"}
    assert {"import.no_headings", "import.unclassified"} <= {f.rule for f in findings}


@pytest.mark.parametrize(
    "body, line, problem",
    [("未归类: 一段文字\n", 3, "应为“标签: 文字”的映射（现在是一段文字）"), ("未归类:\n  落款: 12\n", 4, "“落款”的内容应为文字（现在是数字）"),
     ("unclassified: {}\n", 3, "可用的键：cluster、year、date、no_highlights、data_sentences、sections、未归类")],
)
def test_wrong_unclassified_entries_are_refused_with_their_line(tmp_path, body, line, problem):
    path = tmp_path / "report.yaml"
    path.write_text("cluster: whkjcyjq\nyear: 2024\n" + body, encoding="utf-8")
    with pytest.raises(InputError) as info:
        report_input.load_report(path)
    assert problem in info.value.text() and info.value.line == line


def test_moved_or_emptied_unclassified_entries_give_no_warning(tmp_path):
    path = tmp_path / "report.yaml"
    path.write_text("cluster: whkjcyjq\nyear: 2024\n未归类:\n  落款:\n  附件: \"  \"\n", encoding="utf-8")
    report = report_input.load_report(path)
    assert report.unclassified == {} and report_input.unclassified_findings(report) == []


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
    assert main(["import", str(draft), "-o", str(out), "--force"]) == 1  # the signature went to 未归类
    assert out.read_text(encoding="utf-8").startswith("# 由 reportsmith import")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_cli_exit_code_0_when_clean_1_when_text_needs_moving(tmp_path, capsys):
    clean, signed = tmp_path / "clean.docx", tmp_path / "signed.docx"
    C.build_report(clean, C.Spec(title_line=False, signature=False))
    C.build_report(signed, C.Spec(title_line=False))
    assert main(["import", str(clean), "-o", str(tmp_path / "a" / "report.yaml"), "--account", "whkjcyjq"]) == 0
    assert main(["import", str(signed), "-o", str(tmp_path / "b" / "report.yaml"), "--account", "whkjcyjq"]) == 1
    printed = capsys.readouterr().out
    assert "- 警告：" in printed and "落款" in printed and "未归类" in printed
    assert (tmp_path / "b" / "report.yaml").is_file()


@pytest.mark.parametrize("target, words", [("d.docx", "应为 .yaml 文件"), ("d.docx/report.yaml", "无法写入 report.yaml")])
def test_cli_refuses_an_output_it_cannot_or_must_not_write(tmp_path, capsys, target, words):
    draft = tmp_path / "d.docx"
    C.build_report(draft)
    before = draft.read_bytes()
    assert main(["import", str(draft), "-o", str(tmp_path / target), "--force"]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err and draft.read_bytes() == before


def test_import_build_check_round_trip_keeps_the_text(tmp_path):
    from reportsmith.report import build
    from reportsmith.report import pipeline as check
    from reportsmith.checks import headings as docxlayout
    from reportsmith.docx import read as docxread
    from reportsmith.checks import submitted
    draft = tmp_path / "draft.docx"
    expected = C.build_report(draft, C.Spec(appendix=True))  # title, signature, appendix, a literal "{{ 150 }}"
    text, _ = importer.import_docx(draft, None)
    folder = tmp_path / "inputs" / "whkjcyjq"
    folder.mkdir(parents=True)
    no_data_sentences = "no_highlights: [" + ", ".join(h.title for h in outline.content_headings()) + "]\n"
    (folder / "report.yaml").write_text(text + no_data_sentences, encoding="utf-8")
    result = build.build(folder, tmp_path / "out")
    layout = docxlayout.detect(docxread.read_docx(result.docx))
    for h in outline.content_headings():
        written = [p.text.strip() for p in layout.body.get(h.title, []) if p.text.strip()]
        assert written == expected.paragraphs[h.title], h.title
    assert "附件" in report_input.load_report(folder / "report.yaml").unclassified
    assert C.APPENDIX[0] not in docxread.main_story_text(result.docx)  # 未归类 is kept, not printed
    assert "report.unclassified" in {f.rule for f in check.check_inputs(folder).findings}
    checked, original = submitted.check_docx(result.docx), submitted.check_docx(draft)
    assert [(s.heading, s.zishu) for s in checked.sections] == [(s.heading, s.zishu) for s in original.sections]
