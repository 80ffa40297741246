"""公文 wording checks: the figures on the held-aside corpus, the demo reports, planted errors,
switching a rule off in report.yaml, and received Word files."""

from __future__ import annotations

import functools
import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from reportsmith.checks.wording import TextSection, check_wording, families, rules, wording_hits
from reportsmith.cli import main
from reportsmith.registry.clusters import get_cluster
from reportsmith.report.pipeline import check_inputs

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "corpus" / "wording"
COMPLETE_DEMOS = ("whkjcyjq", "ycswcyjq", "szxgcyjq")


@functools.lru_cache(maxsize=1)
def _eval_module():
    """benchmarks/eval_wording.py, the one scorer (the benchmark prints what this test asserts)."""
    spec = importlib.util.spec_from_file_location("eval_wording", REPO / "benchmarks" / "eval_wording.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@functools.lru_cache(maxsize=2)
def _scores(part: str):
    return _eval_module().evaluate(part)


def _items(part: str) -> list[dict]:
    return yaml.safe_load((CORPUS / f"{part}.yaml").read_text(encoding="utf-8"))["items"]


def test_the_corpus_is_large_enough_and_a_third_is_held_aside():
    tune, held, fresh = _items("tune"), _items("held_aside"), _items("fresh")
    total = len(tune) + len(held) + len(fresh)
    assert total >= 300
    assert len(held) / total >= 0.25 and (len(held) + len(fresh)) / total >= 0.30  # never tuned on
    for part in (tune, held, fresh):
        assert any(i["expect"] for i in part) and any(not i["expect"] for i in part)
    held_families = {e["family"] for i in held for e in i["expect"]}
    assert held_families == set(families()), "every rule family has labelled errors held aside"


@pytest.mark.parametrize("family", list(families()))
@pytest.mark.parametrize("part", ["held_aside", "fresh"])
def test_precision_and_recall_per_family_on_the_parts_never_tuned_on(part, family):
    score = _scores(part)[family]
    assert score.expected >= (8 if part == "held_aside" else 3)
    assert score.precision >= 0.95, score.false_alarms
    assert score.recall >= 0.85, score.misses


def test_every_rule_names_a_known_family_and_check():
    for r in rules():
        assert r.family in families()
        assert r.message and r.suggestion
        assert r.check == "pattern" or r.pattern is None


def _wording(result) -> list:
    return [f for f in result.findings if f.rule.startswith("wording.")]


def test_the_demo_reports_have_no_wording_problems():
    found = {}
    for folder in sorted((REPO / "inputs").iterdir()):
        if (folder / "report.yaml").is_file():
            problems = _wording(check_inputs(folder))
            if problems:
                found[folder.name] = [f.text() for f in problems]
    assert found == {}


def _plant(text: str, old: str, new: str) -> str:
    """Replace the first ``old`` after the sections start."""
    head, body = text.split("\nsections:", 1)
    assert old in body, old
    return head + "\nsections:" + body.replace(old, new, 1)


@pytest.mark.parametrize("account", COMPLETE_DEMOS)
def test_one_planted_error_of_each_family_is_found(tmp_path, account):
    folder = tmp_path / account
    shutil.copytree(REPO / "inputs" / account, folder)
    report = folder / "report.yaml"
    text = report.read_text(encoding="utf-8")
    cluster = get_cluster(account)
    near_name = cluster.name.replace("创新型产业集群", "产业集群")
    assert near_name != cluster.name
    planted = {
        "punct": ("。\n", ".\n", "."),
        "paired": ("“", "", "”"),
        "repeat": ("的", "的的", "的的"),
        "number": ("2024年", "24年", "24年"),
        "spacing": ("，集群", "，集 群", " "),
        "date_unit": ("。\n", f"。项目于2024.6.18开工建设，{near_name}总体发展良好。\n", "2024.6.18"),
    }
    for old, new, _ in planted.values():
        text = _plant(text, old, new)
    report.write_text(text, encoding="utf-8")
    planted["name"] = ("", "", near_name)

    problems = _wording(check_inputs(folder))
    for family, (_, _, words) in planted.items():
        hits = [f for f in problems if f.rule.split(".")[1] == family and words in (f.measured or "")]
        assert hits, f"{account}: planted {family} error “{words}” not found in {[f.text() for f in problems]}"
        assert all(f.file == str(report) and f.line and f.key for f in hits)
    name_hit = next(f for f in problems if f.rule == "wording.name.cluster")
    assert name_hit.limit == cluster.name and cluster.name in name_hit.hint


def test_a_finding_names_the_heading_quotes_the_words_and_gives_the_correction():
    [finding] = check_wording({"集群总体情况": ["2024年,集群实现营业收入125.60亿元。"]})
    assert finding.key == "集群总体情况"
    assert "“2024年,集群实现营业收入”中的“,”" in finding.message
    assert finding.hint == "改为“，”"
    assert (finding.measured, finding.limit) == (",", "，")
    assert finding.severity.value == "warning"


def test_number_style_follows_the_data_sentences():
    section = TextSection("集群总体情况", ["集群吸纳高校毕业生就业2860人。"], ["集群从业人员16,420人，同比增长3.2%。"])
    [hit] = wording_hits([section])
    assert (hit.family, hit.text, hit.fix) == ("number", "2860", "2,860")
    # Without data sentences, one consistent style is fine.
    assert wording_hits({"集群总体情况": ["集群吸纳高校毕业生就业2860人，新增就业岗位3200个。"]}) == []


def _demo_copy(tmp_path: Path, extra: str) -> Path:
    folder = tmp_path / "whkjcyjq"
    shutil.copytree(REPO / "inputs" / "whkjcyjq", folder)
    report = folder / "report.yaml"
    text = report.read_text(encoding="utf-8").replace("date: 2025-01-20\n", "date: 2025-01-20\n" + extra, 1)
    text = _plant(text, "总体发展态势稳中有进。", "总体发展态势稳中有进,集群的的营业收入突破300亿。")
    report.write_text(text, encoding="utf-8")
    return folder


def test_a_writer_switches_a_rule_off_with_a_reason(tmp_path, capsys):
    folder = _demo_copy(tmp_path, "关闭检查:\n  repeat.char: 引用原文\n  date_unit: 按来文口径\n")
    code = main(["check", str(folder), "--json"])
    data = json.loads(capsys.readouterr().out)
    rules_found = {p["rule"] for p in data["problems"] if p["rule"].startswith("wording.")}
    assert rules_found == {"wording.punct.halfwidth"}
    assert code == 1
    off = {d["rule"]: d for d in data["wording_disabled"]}
    assert off["repeat.char"]["reason"] == "引用原文"
    assert "date_unit.money_unit" in off["date_unit"]["rules"]

    main(["check", str(folder)])
    out = capsys.readouterr().out
    assert "已关闭的文字检查" in out and "repeat.char：引用原文" in out


def test_an_unknown_rule_id_or_a_missing_reason_is_reported(tmp_path, capsys):
    folder = _demo_copy(tmp_path, "关闭检查:\n  repeat.chars: 笔误\n  punct.halfwidth:\n")
    main(["check", str(folder), "--json"])
    data = json.loads(capsys.readouterr().out)
    by_rule = {p["rule"]: p for p in data["problems"]}
    assert "repeat.char" in by_rule["wording.unknown_rule"]["hint"]
    assert by_rule["wording.unknown_rule"]["line"] == 6
    assert by_rule["wording.disabled"]["severity"] == "warning"
    assert "wording.punct.halfwidth" not in by_rule


def test_a_received_docx_is_checked_too(tmp_path, capsys):
    from docx import Document

    from reportsmith.outline.headings import headings

    doc = Document()
    doc.add_paragraph(f"{get_cluster('whkjcyjq').name}2024年度总结报告")
    for h in headings():
        doc.add_paragraph(h.numbered)
        doc.add_paragraph(f"　　{h.title}方面，集群坚持创新驱动,总体发展态势稳中有进。")
    path = tmp_path / "报送.docx"
    doc.save(path)
    main(["check", str(path), "--json"])
    data = json.loads(capsys.readouterr().out)
    wording = [p for p in data["problems"] if p["rule"].startswith("wording.")]
    assert {p["rule"] for p in wording} >= {"wording.spacing.indent", "wording.punct.halfwidth"}
    indent = next(p for p in wording if p["rule"] == "wording.spacing.indent")
    assert indent["measured"] == "　　" and "首行缩进" in indent["hint"]


def test_annotate_puts_a_wording_comment_on_its_own_paragraph(tmp_path):
    from docx import Document

    from reportsmith.checks.annotate import annotate_docx
    from reportsmith.docx.read import read_docx
    from reportsmith.outline.headings import headings

    doc = Document()
    doc.add_paragraph(f"{get_cluster('whkjcyjq').name}2024年度总结报告")
    for h in headings():
        doc.add_paragraph(h.numbered)
        doc.add_paragraph(f"{h.title}方面，集群坚持创新驱动。")
        doc.add_paragraph(f"{h.title}方面，集群的的总体发展态势稳中有进。" if h.title == "集群发展环境" else "集群发展良好。")
    path = tmp_path / "报送.docx"
    doc.save(path)
    done = annotate_docx(path, tmp_path / "批注.docx")
    paragraphs = read_docx(path).paragraphs
    [(finding, index)] = [(f, i) for f, i in done.anchors if f.rule == "wording.repeat.char"]
    assert paragraphs[index].text == "集群发展环境方面，集群的的总体发展态势稳中有进。"
