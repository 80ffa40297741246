"""Coverage with three outcomes — covered, only negated, missing — as a reviewer reads a report."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from crafted_reports import report_yaml, sections, write_folder
from reportsmith.checks.coverage import judge_topics
from reportsmith.checks.sections import check_sections
from reportsmith.cli import main
from reportsmith.core.errors import Severity
from reportsmith.outline import headings as outline
from reportsmith.records.assembled import AssembledSection

ROOT = Path(__file__).resolve().parent.parent


def _judge(text: str | list[str], topic: str):
    heading = next(h for h in outline.headings() if h.topic(topic))
    paragraphs = [text] if isinstance(text, str) else text
    return next(t for t in judge_topics(paragraphs, heading) if t.topic == topic)


def _eval_module():
    spec = importlib.util.spec_from_file_location("eval_coverage", ROOT / "benchmarks" / "eval_coverage.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("eval_coverage", module)
    spec.loader.exec_module(module)
    return module


def test_held_aside_corpus_meets_the_targets() -> None:
    ev = _eval_module()
    items = ev.load_items(ev.PARTS["heldout"])
    total = len(items) + len(ev.load_items(ev.PARTS["tune"]))
    assert total >= 400 and len(items) >= 0.3 * total
    scores = ev.evaluate(ev.PARTS["heldout"])
    assert scores.found >= 0.95, f"covered topics found {scores.found:.1%}"
    assert scores.flagged >= 0.90, f"missing-or-negated topics flagged {scores.flagged:.1%}"


def test_every_corpus_topic_is_an_outline_topic() -> None:
    ev = _eval_module()
    names = {t.name for h in outline.headings() for t in h.topics}
    for path in ev.PARTS.values():
        assert {i.topic for i in ev.load_items(path)} <= names


@pytest.mark.parametrize(
    ("sentence", "topic"),
    [
        ("“链长＋链主＋链创”三链融合机制尚未建立。", "“链长＋链主＋链创”三链融合机制"),
        ("人才引育方面暂无专门机制。", "人才引育机制情况"),
        ("本年度暂无重大科技成果。", "重大科技成果"),
        ("集群内目前还没有上市企业。", "企业上市"),
        ("集群龙头企业的带动作用尚不明显，缺乏营收过十亿元的大企业。", "龙头企业的引领带动情况"),
        ("企业上市方面，目前还没有企业进入辅导期。", "企业上市"),  # a lead-in, then the negation
    ],
)
def test_a_negated_mention_is_negated_and_quoted(sentence: str, topic: str) -> None:
    t = _judge(sentence, topic)
    assert (t.outcome, t.covered, t.negated) == ("negated", False, True)
    assert t.sentence == sentence


def test_one_plain_statement_outweighs_a_negated_one() -> None:
    t = _judge(["集群暂无主板上市企业。", "2024年，集群1家企业在新三板挂牌。"], "企业上市")
    assert t.outcome == "covered"
    assert t.sentence == "2024年，集群1家企业在新三板挂牌。"


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("头部企业发挥示范作用，带动了一批中小企业进入配套体系。", "产业链龙头企业和骨干企业的引领带动情况"),
        ("下一步具体抓好四件事：招大引强、技改扩能、平台建设和人才引育。", "重点任务和主要举措"),
        ("总的考虑是，以龙头企业为牵引，推动集群向价值链高端攀升。", "工作思路"),
        ("新区坚持园区即社区的理念，人才公寓、学校和医院与厂房同步建设。", "产城融合发展"),
        ("集群推动老行业用激光工艺改造生产线，机械加工企业良品率明显提高。", "传统产业转型升级"),
        ("集群企业研发支出占营收比重达到4.2%。", "研发投入"),
        ("研发投入强度偏低，仅为1.2%。", "研发投入"),  # a weak negation beside a figure is a measurement
        ("以湖北某某科技有限公司为例，公司三年内营收翻番。", "相关典型案例"),  # 有限公司 is no negation
    ],
)
def test_paraphrase_is_covered(text: str, topic: str) -> None:
    t = _judge(text, topic)
    assert t.outcome == "covered", t
    assert t.sentence == text


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("集群新研发的产品上市后销售情况良好。", "企业上市"),
        ("园区新建标准厂房12万平方米。", "创新成果产出情况"),
        ("集群企业建有博士后科研工作站3家。", "创新人才"),
        ("集群存在的主要问题是目标市场过于单一。", "工作目标"),
    ],
)
def test_a_cue_word_about_something_else_is_missing(text: str, topic: str) -> None:
    assert _judge(text, topic).outcome == "missing"


def test_problems_written_with_negation_words_are_covered_but_no_problems_is_negated() -> None:
    covered = _judge("集群高端人才不足，关键核心技术尚未突破，主要原因是研发投入偏少。", "存在的主要问题和原因")
    assert covered.outcome == "covered"
    none = _judge("集群运行总体平稳，没有明显问题。", "存在的主要问题和原因")
    assert none.outcome == "negated"


def test_opening_overview_paragraph_covers_the_overview_topic() -> None:
    opening = "荆州智能装备集群以农机装备和石油装备为主导，集聚企业120余家，近年来规模稳步扩大，综合实力位居全省同类集群前列。"
    t = _judge([opening, "全年集群实现营业收入86亿元。"], "集群总体发展情况")
    assert (t.outcome, t.how) == ("covered", "overview")
    # An opening that announces the indicators is no overview, nor is a short line.
    assert _judge(["从主要指标看，集群实现营业收入86亿元，同比增长9.6%，利润6.1亿元。"], "集群总体发展情况").outcome == "missing"
    assert _judge(["集群运行平稳。"], "集群总体发展情况").outcome == "missing"


def test_data_sentences_are_never_the_opening_overview() -> None:
    h = outline.find_heading("集群总体情况")
    section = AssembledSection(heading=h, highlights=["2024年，集群共有企业186家，实现营业收入126.85亿元，同比增长14.8%，利润总额9.2亿元。"])
    result = check_sections([section], source="x", cluster=None)
    cov = {t.topic: t for t in result.topics if t.heading == h.title}
    assert not cov["集群总体发展情况"].covered


def test_keyed_topic_whose_text_only_negates_is_negated() -> None:
    h = outline.find_heading("集群发展成效")
    section = AssembledSection(heading=h, paragraphs=["集群暂无上市企业。"], keyed_topics=frozenset({"企业上市"}))
    t = next(t for t in check_sections([section], source="x", cluster=None).topics if t.topic == "企业上市")
    assert t.outcome == "negated"


def test_negated_topic_is_a_warning_quoting_the_sentence() -> None:
    secs = sections(total=3500)
    idx = next(i for i, s in enumerate(secs) if s.heading.title == "集群发展成效")
    secs[idx].paragraphs = [p.replace("重大科技成果", "重大科技进展") for p in secs[idx].paragraphs] + ["本年度暂无重大科技成果。"]
    result = check_sections(secs, source="r.yaml", cluster=None)
    assert [t.topic for t in result.negated_topics] == ["重大科技成果"]
    assert [t.topic for t in result.missing_topics] == ["重大科技成果"]
    (finding,) = [f for f in result.findings if f.rule == "topic.negated"]
    assert finding.severity == Severity.WARNING
    assert "“重大科技成果”只有否定表述：“本年度暂无重大科技成果。”" in finding.message
    assert result.exit_code == 1
    assert not [f for f in result.findings if f.rule == "topic.missing"]


def test_cli_text_and_json_show_the_negated_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = report_yaml(total=3500).replace("人才引育机制情况", "队伍建设情况")
    text = text.replace("  （四）集群发展环境: |\n", "  （四）集群发展环境: |\n    人才引育方面暂无专门机制。\n", 1)
    folder = write_folder(tmp_path, text)
    assert main(["check", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "仅有否定表述" in out and "人才引育方面暂无专门机制。" in out
    assert main(["check", str(folder), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    (t,) = [t for t in data["topics"] if t["topic"] == "人才引育机制情况"]
    assert (t["covered"], t["outcome"], t["sentence"]) == (False, "negated", "人才引育方面暂无专门机制。")
    assert all(t["outcome"] in {"covered", "negated", "missing"} for t in data["topics"])


def test_summary_marks_a_negated_topic() -> None:
    from reportsmith.batch._work import ClusterResult
    from reportsmith.batch.summary import missing_topics_text
    from reportsmith.registry.clusters import load_clusters

    cluster = load_clusters()[0]
    res = ClusterResult(
        key=cluster.account, cluster=cluster, status="x",
        missing_topics=(("集群发展成效", "企业上市"), ("集群发展成效", "重大科技成果")),
        negated_topics=(("集群发展成效", "重大科技成果"),),
    )
    assert missing_topics_text(res) == "集群发展成效：企业上市、重大科技成果（仅否定）"
    assert res.to_json()["missing_topics"][1] == {"heading": "集群发展成效", "topic": "重大科技成果", "outcome": "negated"}
