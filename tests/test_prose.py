"""Hand-written figures in the prose against the form: seeded mismatches caught, the rest silent."""

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from reportsmith.core.errors import Severity
from reportsmith.form.data import FormData
from reportsmith.checks.prose import check_prose

D = Decimal

FORM = FormData(
    {
        "集群企业总数": 326,
        "高新技术企业": 85,
        "规上企业": 120,
        "营业收入": D(123456),
        "主导产业营业收入": D(98765),
        "净利润": D(-1500),
        "研究开发费用支出合计": D(3700),
        "集群人员总数": 23456,
        "拥有有效发明专利": 500,
        "出口总额": D(8765),
    },
    previous={"营业收入": D(110000)},
)


def findings_for(text: str, form: FormData = FORM):
    return check_prose({"集群总体情况": text}, form, file="inputs/x/report.yaml")


@pytest.mark.parametrize(
    ("text", "written", "form_value"),
    [
        ("2024年，集群企业总数达300家。", "300家", "326家"),
        ("集群营业收入13亿元，发展良好。", "13亿元", "12.35亿元"),
        ("实现营业收入12.2亿元。", "12.2亿元", "12.35亿元"),
        ("营业收入123,400万元。", "123,400万元", "12.35亿元"),
        ("其中高新技术企业86家。", "86家", "85家"),
        ("拥有90家高新技术企业。", "90家", "85家"),
        ("主导产业营业收入10.5亿元。", "10.5亿元", "9.88亿元"),
        ("研发投入强度达到3.5%。", "3.5%", "3.0%"),
        ("从业人员3万人。", "3万人", "23,456人"),
        ("净利润1,500万元。", "1,500万元", "-1,500万元"),  # a loss written as a profit
        ("高新技术企业占比30%。", "30%", "26.1%"),
        ("集群企业总数达到３００家。", "300家", "326家"),  # full-width digits
        ("营业收入 13 亿元。", "13 亿元", "12.35亿元"),  # typed with spaces
        ("集群企业总数　300　家。", "300 家", "326家"),  # full-width spaces
        ("集群企业326家，其中高新技术企业90家。", "90家", "85家"),
    ],
)
def test_seeded_mismatches_are_caught(text, written, form_value):
    found = findings_for(text)
    assert len(found) == 1, [f.text() for f in found]
    f = found[0]
    assert f.severity is Severity.WARNING
    assert f.rule == "prose.figure_mismatch"
    assert f.key == "集群总体情况"
    assert f.file == "inputs/x/report.yaml"
    assert (f.measured, f.limit) == (written, form_value)
    assert form_value in f.message and text.rstrip("。") in f.message


def test_amount_mismatch_shows_both_units():
    (f,) = findings_for("营业收入13亿元。")
    assert "12.35亿元（123,456万元）" in f.message
    assert "{{ 营业收入 }}" in f.hint


@pytest.mark.parametrize(
    "text",
    [
        "集群企业总数达326家。",
        "营业收入12.3亿元。",  # 12.3456 rounded to one decimal
        "营业收入12.35亿元。",
        "营业收入12.4亿元。",  # the shown 12.35 rounded again
        "营业收入12亿元。",
        "营业收入123,456万元，主导产业营业收入9.88亿元。",
        "营业收入123456万元。",
        "其中高新技术企业85家，规模以上企业120家。",
        "拥有85家高新技术企业。",
        "从业人员2.3万人。",  # truncated
        "从业人员2.35万人。",  # rounded
        "净利润亏损1,500万元。",
        "净利润-1500万元。",
        "研发投入强度3.0%，研发投入强度3%。",
        "实现出口额8,765万元。",
    ],
)
def test_correctly_rounded_figures_are_silent(text):
    assert findings_for(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "营业收入同比增长12.3%。",  # what the shown 12.35亿元 and 11.00亿元 give
        "高新技术企业新增15家。",  # no last year's value in this form: a change cannot be judged
        "新增15家高新技术企业。",
        "2023年营业收入11亿元。",  # another year
        "上年集群企业总数为300家。",  # last year's value, not filled in this form
        "力争营业收入突破200亿元。",
        "营业收入超过10亿元的企业8家，营业收入1亿至10亿元的企业50家。",
        "集群企业总数300余家。",  # 326 lies in 300–400
        "项目总投资18亿元，带动30家企业。",  # not next to a concept
        "规上工业总产值50亿元。",  # a different indicator
        "每年安排专项资金不低于1.5亿元。",
        "营业收入，\n其中300家企业参与。",
        "集群企业总数由300家增加到326家。",  # a starting value (last year's, not filled here)
        "新认定高新技术企业20家。",  # this year's newly certified only
        "带动集群企业30家参与。",
        "组织集群企业50家参加展会。",
        "培育集群企业专精特新小巨人12家。",
        "园区入驻企业50家。",  # a park's firms are not the cluster's
    ],
)
def test_numbers_that_are_not_form_figures_are_silent(text):
    assert findings_for(text) == []


def test_unfilled_figures_are_not_compared():
    assert findings_for("工业总产值50亿元。") == []  # 工业总产值 未填


def test_each_mismatch_in_each_section_is_reported():
    texts = {"集群总体情况": "集群企业总数达300家。营业收入13亿元。", "集群发展成效": "高新技术企业90家。"}
    found = check_prose(texts, FORM)
    assert [(f.key, f.measured) for f in found] == [
        ("集群总体情况", "300家"), ("集群总体情况", "13亿元"), ("集群发展成效", "90家")
    ]  # fmt: skip


DEMOS = Path(__file__).resolve().parents[1] / "inputs"


@pytest.mark.parametrize("account", ["whkjcyjq", "ycswcyjq", "szxgcyjq"])
def test_the_demo_reports_are_silent(account):
    from reportsmith.report.pipeline import check_inputs

    findings = check_inputs(DEMOS / account).findings
    assert [f.message for f in findings if f.rule == "prose.figure_mismatch"] == []


def test_a_mismatch_seeded_into_a_demo_report_is_found(tmp_path):
    from reportsmith.report.pipeline import check_inputs

    folder = tmp_path / "whkjcyjq"
    shutil.copytree(DEMOS / "whkjcyjq", folder)
    report = folder / "report.yaml"
    text = report.read_text(encoding="utf-8")
    assert "吸纳从业人员{{ 集群人员总数 }}" in text
    report.write_text(text.replace("吸纳从业人员{{ 集群人员总数 }}", "吸纳从业人员6.5万人"), encoding="utf-8")
    (f,) = [f for f in check_inputs(folder).findings if f.rule == "prose.figure_mismatch"]
    assert (f.key, f.measured, f.limit) == ("集群发展成效", "6.5万人", "64,068人")
    assert f.file.endswith("report.yaml")


# The cluster: 186家 (上年170), 高企 74 (61), 规上 74 (68), 从业人员 16,420 (15,300),
# 营业收入 126.85亿元 (110.50亿元, +14.8%), 营业收入利润率 6.7% (6.4%).
WITH_PREVIOUS = FormData(
    {"集群企业总数": 186, "高新技术企业": 74, "规上企业": 74, "集群人员总数": 16420,
     "营业收入": D(1268500), "净利润": D(85000), "研究开发费用支出合计": D(65962)},
    previous={"集群企业总数": 170, "高新技术企业": 61, "规上企业": 68, "集群人员总数": 15300,
              "营业收入": D(1105000), "净利润": D(70700), "研究开发费用支出合计": D(50000)},
)  # fmt: skip


@pytest.mark.parametrize(
    ("text", "written", "form_says"),
    [
        ("集群企业总数达300家，较上年有所增加。", "300家", "186家"),  # a level beside a change
        ("营业收入同比增长20%。", "20%", "同比增长14.8%"),
        ("高新技术企业新增20家。", "20家", "新增13家"),
        ("集群企业总数186家，较上年增加20家。", "20家", "新增16家"),
        ("营业收入首次突破200亿元。", "200亿元", "126.85亿元"),
        ("集群从业人员超过2万人。", "2万人", "16,420人"),
        ("营业收入利润率提高0.2个百分点。", "0.2个百分点", "提高0.3个百分点"),
        ("全年新增高新技术企业13家、规上企业9家。", "9家", "新增6家"),  # the verb distributes
        ("集群企业200余家。", "200余家", "186家"),
        ("集群企业总数由150家增加到186家。", "150家", "170家"),
        ("营业收入较上年增长24.8%，达到126.85亿元。", "24.8%", "同比增长14.8%"),
    ],
)
def test_stated_changes_and_bounds_are_checked_against_last_year(text, written, form_says):
    found = check_prose({"集群总体情况": text}, WITH_PREVIOUS)
    assert len(found) == 1, [f.text() for f in found]
    assert found[0].measured == written and form_says in found[0].message


def test_a_wrong_direction_is_caught():
    (f,) = check_prose({"集群总体情况": "营业收入较上年有所下降。"}, WITH_PREVIOUS)
    assert "同比增长14.8%" in f.message and "有所下降" in f.message


@pytest.mark.parametrize(
    "text",
    [
        "全年新增高新技术企业13家、规上企业6家。",  # two 新增 statements, not 规上企业 6 vs 74
        "某公司2024年营业收入达到2.3亿元。",  # a single firm is not the cluster
        "龙头企业华工科技营业收入达到120亿元，同比增长25%。",
        "某项目总投资18亿元，达产后可实现营业收入30亿元。",
        "全省高新技术企业超过2.5万家。",
        "集群企业总数达186家，较上年增加16家，增长9.4%。",
        "集群从业人员超过1.6万人，同比增长7.3%。",
        "营业收入首次突破百亿元大关，达126.85亿元。",
        "营业收入利润率由6.4%提高到6.7%，提高0.3个百分点。",
        "研发投入强度达到5.2%，较上年提高0.7个百分点。",
        "集群企业近190家，逾180家，180余家，不足200家。",
        "高新技术企业74家，占比39.8%。",
    ],
)
def test_true_statements_about_changes_are_silent(text):
    assert check_prose({"集群总体情况": text}, WITH_PREVIOUS) == []


def test_a_long_run_on_sentence_is_checked_in_linear_work():
    """One sentence with thousands of figures: every one is judged, each message quotes a bounded part."""
    text = "营业收入13亿元、" * 3000 + "。"
    found = check_prose({"集群总体情况": text}, WITH_PREVIOUS)
    assert len(found) == 3000
    assert max(len(f.message) for f in found) < 300


@pytest.mark.parametrize(
    "text",
    [
        "规上企业营业收入100亿元。",  # the revenue of part of the firms
        "高新技术企业研发人员1200人。",
        "研发投入强度5.2%，高于全省平均水平（2.1%）。",  # an aside keeps its own subject
        "1-11月，集群营业收入120亿元。",  # part of the year
        "上半年集群营业收入60亿元。",
        "去年以来，集群营业收入126.85亿元。",  # a period, not last year's value
    ],
)
def test_parts_asides_and_periods_are_not_compared_with_the_totals(text):
    assert check_prose({"集群总体情况": text}, WITH_PREVIOUS) == []


def test_the_cluster_firms_revenue_is_the_cluster_total():
    (f,) = check_prose({"集群总体情况": "集群企业营业收入100亿元。"}, WITH_PREVIOUS)
    assert f.measured == "100亿元"


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("营业收入突破千亿元。", "千亿元"),
        ("从业人员超过两万人。", "两万人"),
        ("集群企业三百余家。", "三百余家"),
        ("集群企业总数超过千家。", "千家"),
    ],
)
def test_round_numbers_written_in_chinese_are_checked(text, written):
    (f,) = check_prose({"集群总体情况": text}, WITH_PREVIOUS)
    assert f.measured == written


@pytest.mark.parametrize("text", ["营业收入首次突破百亿元大关。", "集群企业逾百家。", "集群企业一百五十家。", "十四五期间集群企业翻番。"])
def test_true_or_unparsed_chinese_numbers_are_silent(text):
    assert check_prose({"集群总体情况": text}, WITH_PREVIOUS) == []
