"""Loading and validating form.yaml: every rule fires on a crafted input, none on the demo data."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportsmith.form import load as form

from reportsmith.form import spec as formspec

from reportsmith.registry import clusters as registry
from reportsmith.core.errors import InputError, Severity
from reportsmith.form.data import FormData

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "inputs"


def run(tmp_path: Path, body: str, name: str = "form.yaml"):
    path = tmp_path / name
    path.write_text("cluster: whkjcyjq\nyear: 2024\n" + body, encoding="utf-8")
    return form.check_form_file(path)


def only(findings, rule):
    hits = [f for f in findings if f.rule == rule]
    assert len(hits) == 1, [f.text() for f in findings if f.rule != "form.unfilled"]
    return hits[0]


def problems(findings):
    return [f for f in findings if f.severity is not Severity.INFO]


# --- values on their own -------------------------------------------------------------------

def test_unknown_key_names_file_line_and_closest_key(tmp_path):
    _, findings = run(tmp_path, "集群企业总数: 10\n营收: 5\n")
    f = only(findings, "form.unknown_key")
    assert (f.severity, f.line, f.key, f.file) == (Severity.ERROR, 4, "营收", str(tmp_path / "form.yaml"))
    assert f.message == "“营收”不是附件2中的指标"
    assert "是否想写“营业收入”？" in f.hint


def test_unknown_key_under_previous(tmp_path):
    _, findings = run(tmp_path, "previous:\n  集群企业数: 3\n")
    f = only(findings, "form.unknown_key")
    assert f.key == "previous.集群企业数" and f.line == 4 and "集群企业总数" in f.hint


@pytest.mark.parametrize(
    ("line", "rule", "message"),
    [
        ("集群企业总数: 三百", "form.wrong_type", "“集群企业总数”的值“三百”不是数字"),
        ("集群企业总数: 326家", "form.wrong_type", "“集群企业总数”的值“326家”不是数字"),
        ("集群企业总数: yes", "form.wrong_type", "“集群企业总数”的值是真假值“True”，不是数字"),
        ("集群企业总数: [1, 2]", "form.wrong_type", "“集群企业总数”应是一个数字，而不是列表"),
        ("集群企业总数: 12.5", "form.not_integer", "“集群企业总数”是计数（单位：家），应为整数，填写的是“12.5”"),
        ("集群企业总数: -3", "form.negative", "“集群企业总数”不能为负数（填写的是 -3）"),
        ("营业收入: -0.5", "form.negative", "“营业收入”不能为负数（填写的是 -0.5）"),
        ("集群企业总数: 2024-01-02", "form.wrong_type", "“集群企业总数”的值“2024-01-02”是日期或时间，不是数字"),
        ("营业收入: .nan", "form.wrong_type", "“营业收入”的值“nan”不是有效数字"),
        ("营业收入: １２３．４．５", "form.wrong_type", "“营业收入”的值“１２３．４．５”不是数字"),
        ("集群企业总数: 1000000001", "form.too_large", "“集群企业总数”的值 1000000001 大得不合常理（上限为 1,000,000,000 家）"),
        ("营业收入: 1000000000000.5", "form.too_large",
         "“营业收入”的值 1000000000000.5 大得不合常理（上限为 1,000,000,000,000 万元）"),
        ("净利润: -2000000000000", "form.too_large",
         "“净利润”的值 -2000000000000 大得不合常理（上限为 1,000,000,000,000 万元）"),
    ],
)
def test_bad_values_are_errors_and_left_out(tmp_path, line, rule, message):
    data, findings = run(tmp_path, line + "\n")
    f = only(findings, rule)
    assert (f.severity, f.line, f.message) == (Severity.ERROR, 3, message) and f.hint
    key = line.split(":")[0]
    assert key not in data.values
    assert not data.is_filled(key)


@pytest.mark.parametrize(
    ("line", "key", "value"),
    [
        ("集群企业总数: 326", "集群企业总数", 326),
        ("集群企业总数: '1,234'", "集群企业总数", 1234),
        ("集群企业总数: 12.0", "集群企业总数", 12),
        ("营业收入: '1,234.5'", "营业收入", Decimal("1234.5")),
        ("营业收入: '12,345,678.25'", "营业收入", Decimal("12345678.25")),
        ("营业收入: 8765", "营业收入", Decimal("8765")),
        ("营业收入: 0.1", "营业收入", Decimal("0.1")),
        ("净利润: -1520.3", "净利润", Decimal("-1520.3")),
        ("集群企业总数: １２", "集群企业总数", 12),
        ("集群企业总数: '１，２３４'", "集群企业总数", 1234),
        ("营业收入: １２３．５", "营业收入", Decimal("123.5")),
        ("净利润: －８", "净利润", Decimal("-8")),
        ("集群企业总数: 1000000000", "集群企业总数", 1000000000),
        ("上市企业: 3", "上市企业（不含“新三板“挂牌企业）", 3),
    ],
)
def test_accepted_numbers_and_aliases(tmp_path, line, key, value):
    data, findings = run(tmp_path, line + "\n")
    assert problems(findings) == []
    assert data.values[key] == value
    assert type(data.values[key]) is type(value)


def test_key_and_alias_of_one_row_together_is_an_error(tmp_path):
    data, findings = run(tmp_path, "上市企业: 3\n上市企业（不含“新三板“挂牌企业）: 4\n")
    f = only(findings, "form.duplicate_row")
    assert "填了两次" in f.message
    assert "上市企业（不含“新三板“挂牌企业）" not in data.values


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    _, findings = run(tmp_path, "营收: 1\n集群企业总数: abc\n规上企业: -1\n博士: 1.5\n集群人员总数: 10\n本科及以上: 20\n")
    rules = sorted(f.rule for f in problems(findings))
    assert rules == ["form.child_above_parent", "form.negative", "form.not_integer", "form.unknown_key", "form.wrong_type"]
    assert [f.line for f in problems(findings)][:4] == [3, 4, 5, 6]


# --- relations between values ----------------------------------------------------------------

def test_child_above_parent(tmp_path):
    _, findings = run(tmp_path, "集群企业总数: 100\n高新技术企业: 120\n")
    f = only(findings, "form.child_above_parent")
    assert f.message == "“高新技术企业”（120）大于其上级指标“集群企业总数”（100）"
    assert (f.key, f.line, f.severity) == ("高新技术企业", 4, Severity.ERROR)
    assert "不能大于" in f.hint


def test_child_equal_to_parent_is_fine(tmp_path):
    _, findings = run(tmp_path, "集群企业总数: 100\n高新技术企业: 100\n")
    assert problems(findings) == []


@pytest.mark.parametrize(
    ("body", "key", "message"),
    [
        ("集群人员总数: 1000\n本科及以上: 100\n硕士: 60\n博士: 50\n", "硕士",
         "“硕士”（60） + “博士”（50） = 110，超过“本科及以上”（100）"),
        ("集群企业总数: 100\n在孵企业数: 60\n毕业企业数: 50\n", "在孵企业数",
         "“在孵企业数”（60） + “毕业企业数”（50） = 110，超过“集群企业总数”（100）"),
        ("集群企业总数: 10\n上市企业: 6\n新三板挂牌企业: 5\n", "上市企业（不含“新三板“挂牌企业）",
         "“上市企业（不含“新三板“挂牌企业）”（6） + “挂牌“新三板”企业”（5） = 11，超过“集群企业总数”（10）"),
        ("集群企业总数: 100\n营业收入超过1亿小于10亿元的企业: 70\n营业收入超过10亿元企业: 31\n",
         "营业收入超过1亿小于10亿元的企业",
         "“营业收入超过1亿小于10亿元的企业”（70） + “营业收入超过10亿元企业”（31） = 101，超过“集群企业总数”（100）"),
    ],
)
def test_disjoint_children_above_parent(tmp_path, body, key, message):
    _, findings = run(tmp_path, body)
    f = only(findings, "form.disjoint_sum")
    assert (f.severity, f.key, f.message) == (Severity.ERROR, key, message)
    assert f.line == 3 + [line.split(":")[0] for line in body.splitlines()].index(key.split("（")[0])
    assert "互不重叠" in f.hint
    assert not [x for x in findings if x.rule == "form.child_above_parent"]


def test_disjoint_children_within_parent_are_fine(tmp_path):
    _, findings = run(tmp_path, "集群人员总数: 1000\n本科及以上: 110\n硕士: 60\n博士: 50\n")
    assert problems(findings) == []


@pytest.mark.parametrize(
    ("body", "total", "message"),
    [
        ("创新服务机构数: 2\n省级及以上众创空间: 2\n生产力促进中心: 1\n", "创新服务机构数",
         "“创新服务机构数”（2）小于所列各类之和（3：省级及以上众创空间、生产力促进中心）"),
        ("研发机构: 3\n研究院所: 1\n企业技术中心: 2\n院士工作站: 1\n", "研发机构",
         "“研发机构”（3）小于所列各类之和（4：研究院所、企业技术中心、院士工作站）"),
        ("金融服务机构: 1\n担保公司: 1\n小额贷款公司: 1\n", "金融服务机构",
         "“金融服务机构”（1）小于所列各类之和（2：担保公司、小额贷款公司）"),
    ],
)
def test_category_total_below_sum_is_a_warning(tmp_path, body, total, message):
    _, findings = run(tmp_path, body)
    f = only(findings, "form.group_total_below_sum")
    assert (f.severity, f.key, f.message, f.line) == (Severity.WARNING, total, message, 3)
    assert "同属两类" in f.hint


def test_plausibility_warnings(tmp_path):
    _, findings = run(
        tmp_path,
        "营业收入: 1000\n主导产业营业收入: 0\n研究开发费用支出合计: 600\n集群人员总数: 50\n研究开发人员合计: 51\n",
    )
    assert only(findings, "form.rd_over_half_revenue").message == "研究开发费用支出合计超过营业收入的 50%（600 / 1000）"
    assert only(findings, "form.rd_staff_above_total").message == "研究开发人员合计多于集群人员总数（51 / 50）"
    assert only(findings, "form.leading_industry_zero").message == "营业收入大于 0，但主导产业营业收入为 0"
    assert {f.severity for f in problems(findings)} == {Severity.WARNING}
    assert {f.key for f in problems(findings)} == {"研究开发费用支出合计", "研究开发人员合计", "主导产业营业收入"}


def test_plausibility_stays_silent_at_the_limits(tmp_path):
    _, findings = run(
        tmp_path,
        "营业收入: 1000\n主导产业营业收入: 1\n研究开发费用支出合计: 500\n集群人员总数: 50\n研究开发人员合计: 50\n",
    )
    assert problems(findings) == []


def test_relations_are_checked_for_last_year_too(tmp_path):
    _, findings = run(tmp_path, "previous:\n  集群企业总数: 10\n  高新技术企业: 12\n")
    f = only(findings, "form.child_above_parent")
    assert f.key == "previous.高新技术企业" and f.line == 5 and f.message.startswith("上年")


def test_missing_and_empty_rows_are_unfilled_never_zero(tmp_path):
    data, findings = run(tmp_path, "集群企业总数:\n营业收入: ''\n高新技术企业: 5\n")
    unfilled = [f for f in findings if f.rule == "form.unfilled"]
    assert len(unfilled) == 76
    assert {f.severity for f in unfilled} == {Severity.INFO}
    assert "集群企业总数" not in data.values and "营业收入" not in data.values
    f = next(f for f in unfilled if f.key == "集群企业总数")
    assert f.message == "“集群企业总数”未填" and "不按 0" in f.hint and f.line == 3
    # With its parent unfilled, a child cannot be "above" it.
    assert problems(findings) == []


# --- file level --------------------------------------------------------------------------------

def test_syntax_error_is_unreadable_with_line(tmp_path):
    path = tmp_path / "form.yaml"
    path.write_text("cluster: whkjcyjq\n集群企业总数: [1,\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        form.load_form(path)
    assert exc.value.file == str(path) and exc.value.line


def test_a_list_is_not_a_form(tmp_path):
    path = tmp_path / "form.yaml"
    path.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(InputError, match="映射"):
        form.load_form(path)


def test_cluster_unknown_missing_or_taken_from_the_folder(tmp_path):
    bad = tmp_path / "form.yaml"
    bad.write_text("cluster: whkjcyj\nyear: 2024\n", encoding="utf-8")
    f = only(form.load_form(bad)[1], "form.unknown_cluster")
    assert "whkjcyjq" in f.hint and f.line == 1
    bad.write_text("year: 2024\n", encoding="utf-8")
    assert only(form.load_form(bad)[1], "form.missing_cluster").key == "cluster"
    folder = tmp_path / "szxgcyjq"
    folder.mkdir()
    (folder / "form.yaml").write_text("year: 2024\n集群企业总数: 3\n", encoding="utf-8")
    data, findings = form.load_form(folder)
    assert data.cluster == "szxgcyjq" and findings == []


def test_form_copied_from_another_clusters_folder_is_pointed_out(tmp_path):
    folder = tmp_path / "szxgcyjq"
    folder.mkdir()
    (folder / "form.yaml").write_text("cluster: whkjcyjq\nyear: 2024\n", encoding="utf-8")
    data, findings = form.load_form(folder)
    f = only(findings, "form.cluster_mismatch")
    assert (f.severity, f.line, f.message) == (Severity.WARNING, 1, "账号“whkjcyjq”与所在文件夹“szxgcyjq”不一致")
    assert data.cluster == "whkjcyjq"


def test_year_typed_with_full_width_digits_is_read(tmp_path):
    path = tmp_path / "form.yaml"
    path.write_text("cluster: whkjcyjq\nyear: ２０２３\n", encoding="utf-8")
    data, findings = form.load_form(path)
    assert data.year == 2023 and findings == []


def test_bad_year(tmp_path):
    path = tmp_path / "form.yaml"
    path.write_text("cluster: whkjcyjq\nyear: 二〇二四\n", encoding="utf-8")
    f = only(form.load_form(path)[1], "form.bad_year")
    assert f.key == "year" and f.line == 2


# --- demo data ---------------------------------------------------------------------------------

DEMO = sorted(INPUTS.glob("*/form.yaml"))


def test_there_is_a_demo_form_for_every_cluster():
    assert sorted(p.parent.name for p in DEMO) == sorted(registry.accounts())


@pytest.mark.parametrize("path", DEMO, ids=lambda p: p.parent.name)
def test_demo_forms_are_complete_and_silent(path):
    assert "示例数据（虚构）" in path.read_text(encoding="utf-8").splitlines()[0]
    data, findings = form.check_form_file(path)
    assert findings == []
    assert data.cluster == path.parent.name and data.year == 2024
    assert set(data.values) == set(data.previous) == set(formspec.value_keys())


def test_demo_forms_grow_from_last_year_and_national_clusters_are_bigger():
    revenue, growth = {}, []
    for path in DEMO:
        data, _ = form.load_form(path)
        growth.append(data.values["营业收入"] / data.previous["营业收入"])
        assert Decimal("0.9") < growth[-1] < Decimal("1.25"), path
        revenue[path.parent.name] = data.values["营业收入"]
    assert sorted(growth)[len(growth) // 2] > Decimal("1.03")
    level = {c.account: c.level for c in registry.load_clusters()}
    national = sorted(v for k, v in revenue.items() if level[k] == "国家级")
    provincial = sorted(v for k, v in revenue.items() if level[k] == "省级")
    assert national[len(national) // 2] > 2 * provincial[len(provincial) // 2]


@pytest.mark.parametrize("account", ["whkjcyjq", "ycswcyjq", "szxgcyjq"])
def test_clusters_with_named_institution_lists_keep_them_small(account):
    data, _ = form.load_form(INPUTS / account / "form.yaml")
    for total in ("创新服务机构数", "研发机构"):
        assert 4 <= data.values[total] <= 8
        for member in formspec.group_members(total):
            assert 0 <= data.values[member.key] <= 3


def test_demo_generator_is_deterministic():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import make_demo_forms
    finally:
        sys.path.pop(0)
    # Every shipped demo form is exactly what the script makes (none edited by hand).
    for account in registry.accounts():
        assert make_demo_forms.render(account) == (INPUTS / account / "form.yaml").read_text(encoding="utf-8")


# --- YAML round trip -----------------------------------------------------------------------------

@st.composite
def form_values(draw):
    values = {}
    for row in formspec.value_rows():
        if draw(st.booleans()):
            if row.is_count:
                values[row.key] = draw(st.integers(0, 10**7))
            else:
                low = -(10**9) if row.kind == "signed_amount" else 0
                values[row.key] = draw(st.decimals(low, 10**9, places=draw(st.integers(0, 4)), allow_nan=False))
    return values


@settings(max_examples=25, deadline=None)
@given(values=form_values(), previous=form_values())
def test_yaml_round_trip(tmp_path_factory, values, previous):
    data = FormData(values=values, previous=previous, year=2024, cluster="ycswcyjq")
    path = tmp_path_factory.mktemp("rt") / "form.yaml"
    path.write_text(form.form_yaml(data), encoding="utf-8")
    back, findings = form.load_form(path)
    assert findings == []
    assert back.values == values and back.previous == previous
    assert (back.cluster, back.year) == ("ycswcyjq", 2024)
