"""Data sentences: rendered from the form, left out when a needed figure is missing."""

import re
from decimal import Decimal
from pathlib import Path

import pytest

from reportsmith.form import spec as formspec

from reportsmith.compute import highlights

from reportsmith.outline import headings as outline

from reportsmith.checks import prose
from reportsmith.form.load import load_form
from reportsmith.form.data import FormData

D = Decimal
DEMO_FORMS = sorted(Path(__file__).resolve().parents[1].glob("inputs/*/form.yaml"))
# a figure of zero in a sentence: "0家", "0个", "0.0%", "0万元" (not the 0 of "10家" or "1.05亿元")
ZERO_FIGURE = re.compile(r"(?<![\d.,])0(?:\.0+)?(?:家|个|项|件|人|万元|亿元|%)")


def full_form() -> FormData:
    """Every row filled with distinct plausible numbers, and last year's values."""
    values = {}
    for i, row in enumerate(formspec.value_rows()):
        values[row.key] = 5 + i if row.is_count else D(1000 * (i + 1)) + D("0.5")
    values.update({"集群企业总数": 400, "高新技术企业": 100, "集群人员总数": 20000, "营业收入": D(500000),
                   "研究开发费用支出合计": D(15000), "净利润": D(40000)})  # fmt: skip
    previous = {k: (v - 2 if isinstance(v, int) else v * D("0.9")) for k, v in values.items()}
    return FormData(values, previous=previous)


def all_sentences(form: FormData) -> list[str]:
    return [s for lines in highlights.section_sentences(form).values() for s in lines]


def test_headings_are_the_four_of_the_issue_and_exist_in_the_outline():
    assert highlights.headings() == ["集群总体情况", "集群创新能力建设情况", "集群创新服务建设体系", "集群发展成效"]
    assert all(outline.find_heading(h) for h in highlights.headings())


def test_sentences_from_a_full_form():
    got = highlights.section_sentences(full_form())
    overall = got["集群总体情况"]
    assert overall[0] == "2024年，集群共有企业400家，新增2家。"
    assert "全年实现营业收入50.00亿元，同比增长11.1%" in overall[2]
    assert any("实现净利润4.00亿元" in s and "营业收入利润率8.0%" in s for s in overall)
    assert any("研发投入强度3.0%" in s for s in got["集群创新能力建设情况"])
    assert any(s.startswith("集群拥有创新服务机构") for s in got["集群创新服务建设体系"])
    assert any(s.startswith("拥有金融服务机构") and "担保公司" in s for s in got["集群创新服务建设体系"])
    results = got["集群发展成效"]
    assert results[0] == "集群拥有高新技术企业100家，新增2家，占集群企业总数的25.0%。"
    assert any("上市企业" in s for s in results) and any("规模以上企业" in s for s in results)


def test_an_empty_form_gives_no_sentence_at_all():
    assert highlights.section_sentences(FormData({})) == {h: [] for h in highlights.headings()}


def test_a_sentence_needing_a_missing_figure_is_left_out():
    form = full_form()
    values = {k: v for k, v in form.values.items() if k != "营业收入"}
    got = all_sentences(FormData(values, previous=form.previous))
    assert not any("营业收入" in s and s.startswith("全年实现") for s in got)
    assert not any("研发投入强度" in s for s in got)  # derived from 营业收入: optional part gone
    assert any(s.startswith("集群企业研究开发费用支出") for s in got)  # the sentence itself stays


@pytest.mark.parametrize("row", [r.key for r in formspec.value_rows()])
def test_removing_any_single_row_never_leaves_a_blank(row):
    form = full_form()
    values = {k: v for k, v in form.values.items() if k != row}
    for s in all_sentences(FormData(values, previous=form.previous)):
        assert "不可计算" not in s and "None" not in s and "【" not in s and "，。" not in s and "{" not in s


def test_negative_profit_says_loss_and_drops_the_margin():
    form = FormData({"净利润": D(-1500), "营业收入": D(50000)}, previous={"净利润": D(-1350)})
    overall = highlights.section_sentences(form)["集群总体情况"]
    assert "净利润为-1,500万元（亏损），比上年减少150万元。" in overall
    assert not any("利润率" in s for s in overall)


def test_without_previous_values_no_change_is_stated():
    got = all_sentences(FormData({"集群企业总数": 326, "营业收入": D(123456)}))
    assert got == ["2024年，集群共有企业326家。", "全年实现营业收入12.35亿元。"]


def test_zero_national_incubators_give_no_share_sentence():
    form = FormData({"省级及以上科技企业孵化器": 3, "国家级科技企业孵化器": 0})
    assert not any("国家级科技企业孵化器" in s for s in all_sentences(form))
    form = FormData({"省级及以上科技企业孵化器": 4, "国家级科技企业孵化器": 1})
    assert "省级及以上科技企业孵化器中，国家级科技企业孵化器1个，占25.0%。" in all_sentences(form)


def test_generated_sentences_agree_with_the_prose_check():
    # The data sentences must never trigger the prose-vs-form warning.
    form = full_form()
    texts = {h: "".join(lines) for h, lines in highlights.section_sentences(form).items()}
    assert all(texts.values())
    assert prose.check_prose(texts, form) == []


@pytest.mark.parametrize("row", [r.key for r in formspec.value_rows()])
def test_a_zero_value_never_becomes_a_zero_boast(row):
    form = full_form()
    for s in all_sentences(FormData({**form.values, row: 0}, previous=form.previous)):
        assert not ZERO_FIGURE.search(s), s


def test_zero_listed_firms_fall_back_to_the_other_figure():
    form = FormData({"上市企业（不含“新三板“挂牌企业）": 0, "挂牌“新三板”企业": 2, "营业收入超过10亿元企业": 0,
                     "营业收入超过1亿小于10亿元的企业": 9, "当年获得省级及以上科技奖励": 0})  # fmt: skip
    assert highlights.section_sentences(form)["集群发展成效"] == [
        "集群拥有“新三板”挂牌企业2家。",
        "集群中营业收入1亿至10亿元的企业9家。",
    ]
    assert all_sentences(FormData({"当年获得省级及以上科技奖励": 0, "当年获得的风险投资额": D(0)})) == []


def test_listed_and_quoted_firms_in_one_sentence():
    form = FormData({"上市企业（不含“新三板“挂牌企业）": 5, "挂牌“新三板”企业": 2}, previous={"上市企业（不含“新三板“挂牌企业）": 5})
    assert all_sentences(form) == ["集群拥有上市企业5家，与上年持平，另有“新三板”挂牌企业2家。"]


def test_a_decrease_names_last_year():
    form = FormData({"高新技术企业": 28}, previous={"高新技术企业": 29})
    assert all_sentences(form) == ["集群拥有高新技术企业28家，比上年减少1家。"]


def test_only_national_incubators():
    form = FormData({"省级及以上科技企业孵化器": 2, "国家级科技企业孵化器": 2})
    assert "省级及以上科技企业孵化器均为国家级科技企业孵化器。" in all_sentences(form)


def test_patents_granted_without_applications_get_their_own_sentence():
    form = FormData({"当年授权发明专利": 12}, previous={"当年授权发明专利": 10})
    assert all_sentences(form) == ["当年授权发明专利12件，同比增长20.0%。"]


def test_a_misspelt_name_in_a_template_is_refused(monkeypatch):
    broken = {"sections": {"集群总体情况": [{"needs": [], "text": "{{ 列举('营业收人') }}"}]}}
    monkeypatch.setattr(highlights, "load_data", lambda name: broken)
    highlights.snippets.cache_clear()
    try:
        with pytest.raises(ValueError, match="营业收人"):
            highlights.snippets()
    finally:
        monkeypatch.undo()
        highlights.snippets.cache_clear()


def test_the_48_demo_forms_give_sentences_the_prose_check_accepts():
    assert len(DEMO_FORMS) == 48
    for path in DEMO_FORMS:
        form, _ = load_form(path)
        sentences = highlights.section_sentences(form)
        assert all(sentences.values()), path
        for line in (s for lines in sentences.values() for s in lines):
            assert not ZERO_FIGURE.search(line) and "，，" not in line and "，。" not in line, (path, line)
        texts = {h: "".join(lines) for h, lines in sentences.items()}
        assert prose.check_prose(texts, form) == [], path
