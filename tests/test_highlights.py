"""Data sentences: rendered from the form, left out when a needed figure is missing."""

from decimal import Decimal

import pytest

from reportsmith import formspec, highlights, outline, prose
from reportsmith.formdata import FormData

D = Decimal


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
