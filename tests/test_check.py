"""Coverage and length checks on crafted inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from crafted_reports import FILLER, report_yaml, sections, write_folder
from reportsmith.outline import headings as outline
from reportsmith.records.assembled import AssembledSection
from reportsmith.checks.sections import check_sections, section_zishu
from reportsmith.report.pipeline import check_inputs
from reportsmith.core.errors import Severity

ALL_TOPICS = [(h.title, t.name) for h in outline.content_headings() for t in h.topics]


def _rules(result) -> list[str]:
    return [f.rule for f in result.findings]


def test_complete_report_of_3500_has_no_problem() -> None:
    result = check_sections(sections(total=3500), source="r.yaml", cluster="whkjcyjq")
    assert result.zishu == 3500
    assert result.band == "ok"
    assert result.findings == []
    assert result.coverage == 1.0
    assert all(t.how == f"cue:{t.topic}" for t in result.topics)


@pytest.mark.parametrize(("heading", "topic"), ALL_TOPICS, ids=[t for _, t in ALL_TOPICS])
def test_each_missing_topic_is_found(heading: str, topic: str) -> None:
    result = check_sections(sections(drop=frozenset({topic}), total=3500), source="r.yaml", cluster=None)
    missing = [(t.heading, t.topic) for t in result.missing_topics]
    assert missing == [(heading, topic)]
    (finding,) = [f for f in result.findings if f.rule == "topic.missing"]
    assert finding.severity == Severity.WARNING
    assert topic in finding.message and finding.key == heading
    assert result.exit_code == 1


@pytest.mark.parametrize("heading", outline.content_headings(), ids=lambda h: h.title)
def test_each_empty_heading_is_found(heading: outline.Heading) -> None:
    result = check_sections(sections(empty=frozenset({heading.title}), total=3500), source="r.yaml", cluster=None)
    empty = [f for f in result.findings if f.rule == "section.empty"]
    assert [f.key for f in empty] == [heading.title]
    assert empty[0].severity == Severity.ERROR
    assert heading.numbered in empty[0].message
    # Its topics are missing too, and only those.
    assert {t.topic for t in result.missing_topics} == {t.name for t in heading.topics}
    assert [s.present for s in result.sections if s.heading == heading.title] == [False]


@pytest.mark.parametrize(
    ("total", "band", "rule", "severity"),
    [(3000, "warn", "length.warn", Severity.WARNING), (3400, "ok", None, None), (4300, "fail", "length.fail", Severity.ERROR)],
)
def test_length_bands(total: int, band: str, rule: str | None, severity: Severity | None) -> None:
    result = check_sections(sections(total=total), source="r.yaml", cluster=None)
    assert result.zishu == total
    assert result.band == band
    length = [f for f in result.findings if f.rule.startswith("length.")]
    if rule is None:
        assert length == []
        assert result.exit_code == 0
    else:
        assert [(f.rule, f.severity, f.measured, f.limit) for f in length] == [(rule, severity, total, 3500)]
        assert result.exit_code == 1


def test_section_length_counts_title_paragraphs_and_highlights_not_placeholder() -> None:
    h = outline.find_heading("集群总体情况")
    s = AssembledSection(heading=h, paragraphs=["营业收入达到1234.56亿元，同比增长12.3%。"], highlights=["全年实现营业收入12.35亿元。"])
    assert section_zishu(s) == 8 + 16 + 12
    empty = AssembledSection(heading=h, placeholder="【待补充：集群总体发展情况、各项主要指标完成情况】")
    assert section_zishu(empty) == 8


def test_highlight_sentences_cover_topics_and_make_a_heading_present() -> None:
    h = outline.find_heading("集群总体情况")
    secs = sections(empty=frozenset({h.title}), total=3500)
    secs[0] = AssembledSection(heading=h, highlights=["全年实现营业收入12.35亿元。"])
    result = check_sections(secs, source="r.yaml", cluster=None)
    cov = {t.topic: t for t in result.topics if t.heading == h.title}
    assert cov["各项主要指标完成情况"].how == "cue:营业收入"
    assert not cov["集群总体发展情况"].covered
    assert "section.empty" not in _rules(result)


def test_keyed_topics_are_covered_without_cue_words() -> None:
    h = outline.find_heading("集群创新能力建设情况")
    secs = sections(total=3500)
    idx = next(i for i, s in enumerate(secs) if s.heading == h)
    secs[idx] = AssembledSection(heading=h, paragraphs=[FILLER * 20], keyed_topics=frozenset({"研发投入"}))
    cov = {t.topic: t for t in check_sections(secs, source="x", cluster=None).topics if t.heading == h.title}
    assert cov["研发投入"].how == "keyed"
    assert not cov["创新人才"].covered


def _how(paragraphs: list[str], topic: str = "研发投入", heading: str = "集群创新能力建设情况") -> str | None:
    h = outline.find_heading(heading)
    result = check_sections([AssembledSection(heading=h, paragraphs=paragraphs)], source="x", cluster=None)
    return next(t for t in result.topics if t.topic == topic).how


@pytest.mark.parametrize(
    "text",
    [
        "企业r&d投入持续增加。",  # lower case
        "企业Ｒ＆Ｄ投入持续增加。",  # full-width letters and ampersand, as a Chinese IME types them
        "企业ｒ＆ｄ投入持续增加。",
        "企业 R&D 投入持续增加。",
    ],
)
def test_latin_cue_matches_whatever_the_case_and_width(text: str) -> None:
    assert _how([text]) == "cue:R&D"


def test_cue_inside_a_longer_word_and_across_a_wrapped_line() -> None:
    assert _how(["集群研发投入强度达到4.5%。"]) == "cue:研发投入"  # the topic name inside 研发投入强度
    assert _how(["集群研发\n投入稳步增长。"]) == "cue:研发投入"  # a line wrapped inside the word
    assert _how(["集群研发　投入稳步增长。"]) == "cue:研发投入"  # a full-width space typed inside it
    # Half-width ＋ in the writer's text still finds the full-width cue of the outline.
    assert _how(["推行“链长+链主+链创”机制。"], "“链长＋链主＋链创”三链融合机制", "集群企业典型发展案例") is not None


def test_cue_is_not_found_across_paragraphs_or_inside_a_latin_word() -> None:
    assert _how(["集群加大研发", "投入运营新园区。"]) is None
    assert _how(["新建GPR&DX实验线。"]) is None
    assert _how(["完成三项tripod测试。"], "企业上市", "集群发展成效") is None
    assert _how(["两家企业完成IPO。"], "企业上市", "集群发展成效") == "cue:IPO"


def test_each_heading_is_judged_against_its_budget() -> None:
    secs = sections(total=3500)
    over = next(s for s in secs if s.heading.title == "集群总体情况")  # holds the filler: far over budget
    result = check_sections(secs, source="x", cluster=None)
    by_title = {s.heading: s for s in result.sections}
    assert by_title[over.heading.title].balance == "over"
    assert by_title["集群发展成效"].balance == "under"
    assert by_title["集群发展情况"].balance is None  # the container has no budget
    rule = outline.length_rule()
    h = outline.find_heading("集群发展成效")
    assert rule.balance(h.budget, h.budget, True) == "ok"
    assert rule.balance(round(h.budget * (1 + rule.heading_tolerance)), h.budget, True) == "ok"
    assert rule.balance(round(h.budget * (1 + rule.heading_tolerance)) + 1, h.budget, True) == "over"
    assert rule.balance(0, h.budget, False) == "empty"


def test_length_finding_names_the_headings_to_cut() -> None:
    result = check_sections(sections(total=4300), source="x", cluster=None)
    (finding,) = [f for f in result.findings if f.rule == "length.fail"]
    assert "压缩正文约 800 字" in finding.hint
    assert "“一、集群总体情况”" in finding.hint  # the heading holding the padding


def test_missing_headings_are_reported() -> None:
    secs = [s for s in sections(total=3500) if s.heading.title != "集群发展成效"]
    result = check_sections(secs, source="x.docx", cluster=None, total_zishu=3700)
    missing = [f for f in result.findings if f.rule == "section.missing"]
    assert [(f.key, f.severity) for f in missing] == [("集群发展成效", Severity.ERROR)]
    assert result.total_zishu == 3700


def test_empty_report_reports_only_missing_topics() -> None:
    secs = [AssembledSection(heading=h) for h in outline.headings()]
    result = check_sections(secs, source="r.yaml", cluster=None)
    problems = [f for f in result.findings if f.is_problem]
    assert {f.rule for f in problems} == {"topic.missing"}
    assert len(problems) == len(ALL_TOPICS)


def test_check_inputs_on_crafted_folder(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, report_yaml(total=3000, drop=frozenset({"企业上市"})))
    result = check_inputs(folder)
    assert result.zishu == 3000 and result.band == "warn"
    assert [t.topic for t in result.missing_topics] == ["企业上市"]
    topic_finding = next(f for f in result.findings if f.rule == "topic.missing")
    # The finding points at the heading's line in report.yaml.
    lines = (folder / "report.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[topic_finding.line - 1].strip().startswith("三、集群发展成效")
    assert result.cluster == "whkjcyjq"


@pytest.mark.parametrize("account", ["whkjcyjq", "ycswcyjq", "szxgcyjq"])
def test_demo_inputs_cover_every_topic(account: str) -> None:
    folder = Path(__file__).resolve().parents[1] / "inputs" / account
    result = check_inputs(folder)
    assert result.coverage == 1.0
    assert result.band in ("ok", "warn")
    assert not [f for f in result.findings if f.severity == Severity.ERROR]


def test_text_left_under_unclassified_is_reported(tmp_path: Path) -> None:
    text = report_yaml(total=3500, extra="未归类:\n  落款: |\n    武汉东湖新技术开发区管委会")
    result = check_inputs(write_folder(tmp_path, text))
    (finding,) = [f for f in result.findings if f.key == "未归类"]
    assert finding.severity == Severity.WARNING and finding.line == 3
    assert result.exit_code == 1
