"""Derived figures on hand-computed values, 不可计算 with reasons, year-on-year, appendix rows."""

from decimal import Decimal

import pytest

from reportsmith.compute import indicators
from reportsmith.core.errors import Severity
from reportsmith.form.data import FormData

D = Decimal

# A round-numbered form so that every figure can be checked by hand.
VALUES = {
    "集群企业总数": 400,
    "高新技术企业": 100,
    "规上企业": 150,
    "集群人员总数": 20000,
    "本科及以上": 8000,
    "研究开发人员合计": 3000,
    "营业收入": D(500000),
    "主导产业营业收入": D(400000),
    "出口总额": D(50000),
    "净利润": D(40000),
    "研究开发费用支出合计": D(15000),
    "拥有有效发明专利": 900,
    "省级及以上科技企业孵化器": 4,
    "国家级科技企业孵化器": 1,
}

# name → (value as computed by hand, display)
EXPECTED = {
    "研发投入强度": (D("0.03"), "3.0%"),  # 15,000 / 500,000
    "高新技术企业占比": (D("0.25"), "25.0%"),  # 100 / 400
    "规上企业占比": (D("0.375"), "37.5%"),  # 150 / 400
    "本科及以上人员占比": (D("0.4"), "40.0%"),  # 8,000 / 20,000
    "研发人员占比": (D("0.15"), "15.0%"),  # 3,000 / 20,000
    "主导产业营业收入占比": (D("0.8"), "80.0%"),  # 400,000 / 500,000
    "出口占营业收入比重": (D("0.1"), "10.0%"),  # 50,000 / 500,000
    "营业收入利润率": (D("0.08"), "8.0%"),  # 40,000 / 500,000
    "人均营业收入": (D("25"), "25.00万元/人"),  # 500,000 万元 / 20,000 人
    "每万名从业人员有效发明专利拥有量": (D("450"), "450.0件"),  # 900 / 20,000 × 10,000
    "国家级孵化器占比": (D("0.25"), "25.0%"),  # 1 / 4
}


def by_name(form: FormData) -> dict[str, indicators.Indicator]:
    return {i.name: i for i in indicators.compute(form)}


def test_the_eleven_figures_of_the_issue_are_defined():
    assert set(EXPECTED) <= {s.name for s in indicators.specs()}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_derived_figure_on_hand_computed_values(name):
    ind = by_name(FormData(VALUES))[name]
    value, display = EXPECTED[name]
    assert ind.value == value
    assert ind.display == display
    assert ind.reason is None


# An uneven form: quotients worked out by hand (bc, scale=8) and rounded half-up by hand.
UNEVEN = {
    "集群企业总数": 326, "高新技术企业": 85, "规上企业": 120, "集群人员总数": 23456, "本科及以上": 9999,
    "研究开发人员合计": 2345, "营业收入": D(123456), "主导产业营业收入": D(98765), "出口总额": D(8765),
    "净利润": D(-1500), "研究开发费用支出合计": D(3700), "拥有有效发明专利": 500,
    "省级及以上科技企业孵化器": 3, "国家级科技企业孵化器": 1,
}  # fmt: skip
UNEVEN_DISPLAY = {
    "研发投入强度": "3.0%",  # 3,700 / 123,456 = 0.02997019
    "高新技术企业占比": "26.1%",  # 85 / 326 = 0.26073619
    "规上企业占比": "36.8%",  # 120 / 326 = 0.36809815
    "本科及以上人员占比": "42.6%",  # 9,999 / 23,456 = 0.42628751
    "研发人员占比": "10.0%",  # 2,345 / 23,456 = 0.09997442
    "主导产业营业收入占比": "80.0%",  # 98,765 / 123,456 = 0.80000162
    "出口占营业收入比重": "7.1%",  # 8,765 / 123,456 = 0.07099695
    "营业收入利润率": "-1.2%",  # -1,500 / 123,456 = -0.01215007
    "人均营业收入": "5.26万元/人",  # 123,456 / 23,456 = 5.26330150
    "每万名从业人员有效发明专利拥有量": "213.2件",  # 500 × 10,000 / 23,456 = 213.16507503
    "国家级孵化器占比": "33.3%",  # 1 / 3
}


@pytest.mark.parametrize("name", sorted(UNEVEN_DISPLAY))
def test_each_derived_figure_on_an_uneven_form(name):
    assert by_name(FormData(UNEVEN))[name].display == UNEVEN_DISPLAY[name]


def test_rounding_of_a_derived_figure_is_half_up():
    # exact halves at the shown decimal: banker's rounding would give 6.2% and 0.12
    assert by_name(FormData({"高新技术企业": 1, "集群企业总数": 16}))["高新技术企业占比"].display == "6.3%"
    assert by_name(FormData({"营业收入": D(1), "集群人员总数": 8}))["人均营业收入"].display == "0.13万元/人"
    form = FormData({"研究开发费用支出合计": D(125), "营业收入": D(10000)})  # 1.25 %
    assert by_name(form)["研发投入强度"].display == "1.3%"


def test_missing_input_is_not_computable_with_the_reason_never_zero():
    form = FormData({k: v for k, v in VALUES.items() if k != "营业收入"})
    ind = by_name(form)["研发投入强度"]
    assert ind.value is None
    assert ind.display == "不可计算"
    assert ind.reason == "“营业收入”未填"
    both = by_name(FormData({}))["人均营业收入"]
    assert both.reason == "“营业收入”、“集群人员总数”未填"


def test_zero_denominator_is_not_computable():
    form = FormData({**VALUES, "集群人员总数": 0})
    ind = by_name(form)["研发人员占比"]
    assert ind.display == "不可计算"
    assert "“集群人员总数”为 0" in ind.reason


def test_an_empty_form_raises_nothing_and_computes_nothing():
    inds = indicators.compute(FormData({}))
    assert len(inds) == len(indicators.specs())
    assert all(i.display == "不可计算" and i.reason for i in inds)


def test_show_if_hides_the_incubator_share_without_incubators():
    none = by_name(FormData({**VALUES, "省级及以上科技企业孵化器": 0, "国家级科技企业孵化器": 0}))
    assert none["国家级孵化器占比"].shown is False
    unknown = by_name(FormData({k: v for k, v in VALUES.items() if k != "省级及以上科技企业孵化器"}))
    assert unknown["国家级孵化器占比"].shown is True  # 未填: listed so the gap is reported


def test_not_computable_findings_are_info_and_name_the_reason():
    form = FormData({k: v for k, v in VALUES.items() if k != "出口总额"}, source="inputs/x/form.yaml")
    findings = indicators.not_computable_findings(form)
    assert [f.key for f in findings] == ["出口占营业收入比重"]
    f = findings[0]
    assert f.severity is Severity.INFO
    assert f.file == "inputs/x/form.yaml"
    assert "不可计算" in f.message and "“出口总额”未填" in f.message
    assert indicators.not_computable_findings(FormData(VALUES)) == []


def test_year_on_year_change_of_ratio_and_other_figures():
    prev = {**VALUES, "研究开发费用支出合计": D(14000), "营业收入": D(400000)}  # 3.5 % last year
    form = FormData(VALUES, previous=prev)
    figs = by_name(form)
    assert figs["研发投入强度"].previous == D("0.035")
    assert figs["研发投入强度"].change == "下降0.5个百分点"
    assert figs["人均营业收入"].change == "同比增长25.0%"  # 25 vs 20 万元/人
    assert figs["高新技术企业占比"].change == "与上年持平"
    assert by_name(FormData(VALUES))["研发投入强度"].change == ""


def test_appendix_rows_filled_rows_in_form_order_then_derived():
    prev = {"集群企业总数": 380, "营业收入": D(450000)}
    values = {**VALUES, "创新服务机构数": 6}
    rows = indicators.appendix_rows(FormData(values, previous=prev))
    plain = [r for r in rows if not r.derived]
    derived = [r for r in rows if r.derived]
    assert rows == plain + derived
    assert len(plain) == len(values)
    assert [r.label for r in plain[:3]] == ["集群企业总数", "其中：高新技术企业", "规上企业"]
    first = plain[0]
    assert (first.unit, first.value, first.previous, first.indent) == ("家", "400", "380", 0)
    assert first.change == "同比增长5.3%，新增20家"
    assert plain[1].indent == 1
    revenue = next(r for r in plain if r.label == "营业收入")
    assert (revenue.unit, revenue.value, revenue.previous, revenue.change) == ("万元", "500,000", "450,000", "同比增长11.1%")
    assert any(r.label == "创新服务机构数" for r in plain)  # "（一）…(附名单)" stripped
    assert [r.label for r in derived] == [s.name for s in indicators.specs()]
    rd = derived[0]
    assert (rd.unit, rd.value) == ("%", "3.0")


def test_appendix_rows_mark_not_computable_figures_with_reason():
    rows = indicators.appendix_rows(FormData({"营业收入": D(1000)}))
    assert [r.label for r in rows if not r.derived] == ["营业收入"]
    rd = next(r for r in rows if r.label == "研发投入强度")
    assert rd.value == "不可计算（“研究开发费用支出合计”未填）"
    assert "0" not in rd.value


@pytest.mark.parametrize(
    "formula", ["营业收入 /", "营业收入 / (集群人员总数", "营收 / 营业收入", "营业收入 营业收入", "营业收入 > 0", "__import__('os')"]
)
def test_malformed_formulas_are_refused(formula):
    with pytest.raises(ValueError):
        indicators.parse_formula(formula)


def test_a_condition_is_one_comparison():
    cond = indicators.parse_formula("省级及以上科技企业孵化器 > 0", condition=True)
    assert cond.evaluate({"省级及以上科技企业孵化器": 3}) == (D(1), None)
    assert cond.evaluate({"省级及以上科技企业孵化器": 0}) == (D(0), None)
    assert cond.evaluate({}) == (None, "“省级及以上科技企业孵化器”未填")


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("营业收入 - 净利润 / 出口总额", (D(8), None)),  # 10 - 4 / 2: division first
        ("(营业收入 - 净利润) / 出口总额", (D(3), None)),  # (10 - 4) / 2
        ("营业收入 / 出口总额 * 10", (D(50), None)),  # left to right: (10 / 2) × 10
        ("净利润 / (出口总额 - 2)", (None, "分母为 0")),
        ("净利润 / 研究开发费用支出合计", (None, "“研究开发费用支出合计”为 0，不能作分母")),
        ("净利润 / 集群人员总数 + 营业收入", (None, "“集群人员总数”未填")),
    ],
)
def test_formula_precedence_and_reasons(formula, expected):
    values = {"营业收入": D(10), "净利润": D(4), "出口总额": D(2), "研究开发费用支出合计": D(0)}
    assert indicators.parse_formula(formula).evaluate(values) == expected


def test_formula_names_rows_as_written_once_each():
    assert indicators.parse_formula("出口总额 / 营业收入 + 出口总额").names == ["出口总额", "营业收入"]


def test_a_previous_year_figure_that_cannot_be_computed_says_so_in_the_appendix():
    from reportsmith.form.data import FormData
    from reportsmith.compute.indicators import appendix_rows

    form = FormData(
        values={"省级及以上科技企业孵化器": 2, "国家级科技企业孵化器": 1},
        previous={"省级及以上科技企业孵化器": 0, "国家级科技企业孵化器": 0},
    )
    row = next(r for r in appendix_rows(form) if r.label == "国家级孵化器占比")
    assert row.value == "50.0" and row.previous == "不可计算"
    assert next(r for r in appendix_rows(FormData(values=form.values)) if r.label == "国家级孵化器占比").previous == ""
