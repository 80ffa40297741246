"""reportsmith init: a scaffold that loads, never overwrites, and checks as "every topic missing"."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportsmith.form import spec as formspec

from reportsmith.outline import headings as outline
from reportsmith.report.pipeline import check_inputs
from reportsmith.cli import main
from reportsmith.form.load import load_form
from reportsmith.compute.highlights import headings as highlight_headings
from reportsmith.outline.report_input import DATA_MARKER, load_report
from reportsmith.report.scaffold import scaffold

ROOT = Path(__file__).resolve().parents[1]


def test_scaffold_writes_three_loadable_files(tmp_path: Path) -> None:
    result = scaffold("ycswcyjq", tmp_path, schema_dir=tmp_path / "schemas")
    folder = tmp_path / "ycswcyjq"
    assert result.written == sorted(folder / n for n in ("evidence.yaml", "form.yaml", "report.yaml"))
    report_text = (folder / "report.yaml").read_text(encoding="utf-8")
    assert report_text.splitlines()[0] == "# yaml-language-server: $schema=../schemas/report.schema.json"
    for h in outline.headings():
        assert f"  {h.numbered}:" in report_text
        for t in h.topics:
            assert f"#   - {t.name}（约" in report_text
    r = load_report(folder / "report.yaml")
    # Untouched: no writer text, only the {{ 数据句 }} line under the headings with data sentences.
    assert r.cluster == "ycswcyjq" and all(b.text.strip() == DATA_MARKER for s in r.sections.values() for b in s.blocks)
    assert {t for t, s in r.sections.items() if s.has_marker} == set(highlight_headings())
    data, findings = load_form(folder / "form.yaml")
    assert data.values == {} and data.cluster == "ycswcyjq"
    assert not [f for f in findings if f.is_problem]
    form_text = (folder / "form.yaml").read_text(encoding="utf-8")
    for row in formspec.value_rows():
        assert f"\n{row.key}:" in form_text


def test_fresh_scaffold_reports_every_topic_missing_and_nothing_else(tmp_path: Path) -> None:
    scaffold("whkjcyjq", tmp_path)
    result = check_inputs(tmp_path / "whkjcyjq")
    problems = [f for f in result.findings if f.is_problem]
    all_topics = {(h.title, t.name) for h in outline.content_headings() for t in h.topics}
    assert {f.rule for f in problems} == {"topic.missing"}
    assert {(t.heading, t.topic) for t in result.missing_topics} == all_topics
    assert len(problems) == len(all_topics)
    # The note about the empty body agrees with the 字数 shown in the table (the heading lines count).
    note = next(f for f in result.findings if f.rule == "length.empty")
    assert result.zishu > 0 and note.measured == result.zishu and f"{result.zishu} 字" in note.message


def test_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "whkjcyjq"
    folder.mkdir()
    (folder / "report.yaml").write_text("mine\n", encoding="utf-8")
    assert main(["init", "whkjcyjq", "-o", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"已存在，未覆盖：{folder / 'report.yaml'}" in out
    assert f"已创建：{folder / 'form.yaml'}" in out
    assert (folder / "report.yaml").read_text(encoding="utf-8") == "mine\n"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert main(["init", "whkjcyjq", "-o", str(tmp_path)]) == 0
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_xlsx_form(tmp_path: Path) -> None:
    import openpyxl

    result = scaffold("szxgcyjq", tmp_path, xlsx=True)
    folder = tmp_path / "szxgcyjq"
    assert folder / "form.xlsx" in result.written and not (folder / "form.yaml").exists()
    wb = openpyxl.load_workbook(folder / "form.xlsx")
    assert wb.active.max_row > 80
    data, findings = load_form(folder / "form.xlsx")
    assert data.values == {}
    # The check reads the Excel form when there is no form.yaml.
    result = check_inputs(folder)
    assert {f.rule for f in result.findings if f.is_problem} == {"topic.missing"}


def test_unknown_account(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["init", "whkjcyj", "-o", str(tmp_path)]) == 2
    assert "是否想写“whkjcyjq”" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_scaffold_is_deterministic(tmp_path: Path) -> None:
    scaffold("whkjcyjq", tmp_path / "a")
    scaffold("whkjcyjq", tmp_path / "b")
    for name in ("report.yaml", "form.yaml", "evidence.yaml"):
        assert (tmp_path / "a/whkjcyjq" / name).read_bytes() == (tmp_path / "b/whkjcyjq" / name).read_bytes()


def test_unwritable_output_exits_2_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "inputs"
    blocker.write_text("a file where the folder should be\n", encoding="utf-8")
    assert main(["init", "whkjcyjq", "-o", str(blocker)]) == 2
    err = capsys.readouterr().err
    assert "无法创建填报文件" in err and str(blocker) in err
    assert main(["schema", "-o", str(blocker)]) == 2
    assert "无法写入 Schema 文件" in capsys.readouterr().err
    assert blocker.read_text(encoding="utf-8") == "a file where the folder should be\n"


def test_every_command_the_scaffold_mentions_exists(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import re

    scaffold("whkjcyjq", tmp_path)
    text = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "whkjcyjq").iterdir())
    mentioned = set(re.findall(r"reportsmith ([a-z]+(?: [a-z]+)?)", text))
    assert "form validate" in mentioned and any(m.startswith("check") for m in mentioned)
    for command in mentioned:
        assert main([*command.split(), "--help"]) == 0, command
    capsys.readouterr()


def test_init_beside_a_filled_form_shows_its_data_sentences_as_ready_text(tmp_path):
    """The writer sees the sentences her form gives, under the {{ 数据句 }} line she can keep."""
    import shutil

    from reportsmith.compute.highlights import section_sentences
    from reportsmith.form.load import load_form
    from reportsmith.report.pipeline import assemble

    folder = tmp_path / "whkjcyjq"
    folder.mkdir()
    shutil.copy(ROOT / "inputs" / "whkjcyjq" / "form.yaml", folder / "form.yaml")
    scaffold("whkjcyjq", tmp_path)
    text = (folder / "report.yaml").read_text(encoding="utf-8")
    sentences = section_sentences(load_form(folder / "form.yaml")[0])
    for title in highlight_headings():
        for sentence in sentences[title]:
            assert f"  #   {sentence}\n" in text
    # Kept as scaffolded, the report prints exactly those sentences at the marker.
    a = assemble(folder)
    assert {s.heading.title: s.highlights for s in a.sections if s.highlights} == {t: v for t, v in sentences.items() if v}
