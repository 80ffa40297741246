"""pipeline.assemble: figures filled, data sentences, placeholders, appendix and checklist."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from reportsmith.outline import headings as outline
from reportsmith.core.errors import InputError, Severity
from reportsmith.report.pipeline import assemble, date_text

ROOT = Path(__file__).resolve().parents[1]

FORM = """\
cluster: whkjcyjq
year: 2024
营业收入: 123456
集群企业总数: 326
高新技术企业: 120
"""

REPORT = """\
cluster: whkjcyjq
year: 2024
date: 2025-01-05
sections:
  一、集群总体情况: |
    全年营业收入{{ 营业收入 | 亿元 }}，企业{{ 集群企业总数 }}。

    R&D <投入> & “引号” \\{{ 原样 }} {% raw %} 😀
  集群发展成效:
    企业上市: |
      新增上市企业2家。
"""


def _folder(tmp_path: Path, report: str = REPORT, form: str | None = FORM) -> Path:
    folder = tmp_path / "whkjcyjq"
    folder.mkdir()
    (folder / "report.yaml").write_text(report, encoding="utf-8")
    if form is not None:
        (folder / "form.yaml").write_text(form, encoding="utf-8")
    return folder


def _section(assembled, title: str):
    return next(s for s in assembled.sections if s.heading.title == title)


def test_assemble_fills_figures_and_keeps_text_literal(tmp_path: Path) -> None:
    a = assemble(_folder(tmp_path))
    assert a.title == "武汉东湖高新区地球空间信息及应用服务创新型产业集群2024年度总结报告"
    assert a.date_text == "2025年1月5日"
    first = _section(a, "集群总体情况")
    assert first.paragraphs == ["全年营业收入12.35亿元，企业326家。", "R&D <投入> & “引号” {{ 原样 }} {% raw %} 😀"]
    assert first.placeholder is None
    assert [s.heading.title for s in a.sections] == [h.title for h in outline.headings()]


def test_data_sentences_and_no_highlights(tmp_path: Path) -> None:
    a = assemble(_folder(tmp_path))
    # The writer's own text states 营业收入 12.35亿元: that data sentence is left out.
    first = _section(a, "集群总体情况")
    assert any("326家" in s for s in first.highlights)
    assert not any("12.35亿元" in s for s in first.highlights)
    assert any("12.35亿元" in s for s in first.repeated)
    folder = tmp_path / "off"
    folder.mkdir()
    b = assemble(_folder(folder, REPORT.replace("sections:", "no_highlights: [一、集群总体情况]\nsections:")))
    assert _section(b, "集群总体情况").highlights == []


def test_placeholders_name_the_topics_of_empty_headings(tmp_path: Path) -> None:
    a = assemble(_folder(tmp_path))
    struct = _section(a, "集群产业结构发展情况")
    assert struct.paragraphs == []
    assert struct.placeholder == (
        "【待补充：产业链建设情况、主导产业与上中下游关联产业协同发展情况、产业链的补链延链强链、产业链龙头企业和骨干企业的引领带动情况】"
    )
    assert _section(a, "集群发展情况").placeholder is None  # the container holds only its sub-headings
    assert _section(a, "集群发展成效").keyed_topics == frozenset({"企业上市"})


def test_appendix_checklist_and_findings(tmp_path: Path) -> None:
    a = assemble(_folder(tmp_path))
    assert a.form is not None and a.form.values["营业收入"] == 123456
    labels = [r.label for r in a.appendix_rows]
    assert any("营业收入" in label for label in labels)
    assert a.checklist is not None  # no evidence.yaml: an empty checklist with a note
    assert any(f.rule == "evidence.absent" for f in a.checklist.findings)
    # Rows left empty and figures that cannot be computed are notes, not problems.
    assert a.findings and all(f.severity == Severity.INFO for f in a.findings)


def test_without_form_no_sentences_no_appendix(tmp_path: Path) -> None:
    report = REPORT.replace("{{ 营业收入 | 亿元 }}", "12亿元").replace("{{ 集群企业总数 }}", "326家")
    a = assemble(_folder(tmp_path, report, form=None))
    assert a.form is None and a.appendix_rows == []
    assert all(s.highlights == [] for s in a.sections)


def test_year_mismatch_between_report_and_form(tmp_path: Path) -> None:
    a = assemble(_folder(tmp_path, form=FORM.replace("year: 2024", "year: 2023")))
    assert [f.rule for f in a.findings if f.severity == Severity.ERROR] == ["inputs.year_mismatch"]


def test_every_unknown_figure_is_reported_at_once(tmp_path: Path) -> None:
    report = REPORT.replace("{{ 营业收入 | 亿元 }}", "{{ 营收 }}").replace("新增上市企业2家。", "{{ 上市公司 }}")
    with pytest.raises(InputError) as info:
        assemble(_folder(tmp_path, report))
    err = info.value
    assert len(err.details) == 2
    assert "营收" in err.details[0] and "第 5 行" in err.details[0]
    assert "上市公司" in err.details[1]


def test_missing_report_yaml(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="没有 report.yaml"):
        assemble(tmp_path)


def test_date_text() -> None:
    assert date_text(dt.date(2025, 12, 31)) == "2025年12月31日"
    assert date_text(None) == ""


@pytest.mark.parametrize("account", ["whkjcyjq", "ycswcyjq", "szxgcyjq"])
def test_demo_folders_assemble(account: str) -> None:
    a = assemble(ROOT / "inputs" / account)
    assert all(s.paragraphs for s in a.sections if not s.heading.is_container)
    assert all("{{" not in p for s in a.sections for p in s.paragraphs)
    assert a.checklist is not None and a.checklist.items


def test_a_placeholder_under_data_sentences_names_only_the_topics_still_to_write(tmp_path):
    import shutil

    from reportsmith.checks.coverage import topic_coverage
    from reportsmith.report.pipeline import assemble

    repo = Path(__file__).resolve().parents[1]
    folder = tmp_path / "hgswcyjq"
    folder.mkdir()
    shutil.copy(repo / "inputs" / "hgswcyjq" / "form.yaml", folder / "form.yaml")
    (folder / "report.yaml").write_text("cluster: hgswcyjq\nyear: 2024\nsections: {}\n", encoding="utf-8")
    section = next(s for s in assemble(folder).sections if s.heading.title == "集群创新能力建设情况")
    assert section.highlights and not section.paragraphs
    covered = {t.topic for t in topic_coverage(section, section.heading) if t.covered}
    assert covered, "the demo form's data sentences cover some topics"
    named = section.placeholder.removeprefix("【待补充：").removesuffix("】").split("、")
    assert named == [t.name for t in section.heading.topics if t.name not in covered]
