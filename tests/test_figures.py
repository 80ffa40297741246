"""Figure expressions in writer text: filling, filters, errors, escapes and the sandbox."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportsmith import figures
from reportsmith.errors import InputError
from reportsmith.figures import FigureError, fill_text
from reportsmith.formdata import FormData

D = Decimal

FORM = FormData(
    {
        "营业收入": D(123456),
        "研究开发费用支出合计": D(3700),
        "集群企业总数": 326,
        "上市企业（不含“新三板“挂牌企业）": 4,
        "净利润": D(-1234),
        "集群人员总数": 20000,
    },
    previous={"营业收入": D(110000), "集群企业总数": 300, "研究开发费用支出合计": D(3000)},
)


def fill(text: str, form: FormData | None = FORM) -> str:
    return fill_text(text, form, section="集群总体情况", file="inputs/x/report.yaml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{ 营业收入 | 亿元 }}", "12.35亿元"),
        ("{{营业收入|万元}}", "123,456万元"),
        ("{{ 营业收入 }}", "12.35亿元"),
        ("{{ 研究开发费用支出合计 }}", "3,700万元"),
        ("{{ 集群企业总数 }}", "326家"),
        ("{{ 上市企业 }}", "4家"),  # alias
        ("{{ 净利润 }}", "-1,234万元"),
        ("{{ 研发投入强度 }}", "3.0%"),
        ("{{ 人均营业收入 }}", "6.17万元/人"),
        ("{{ 营业收入 | 同比 }}", "同比增长12.2%"),
        ("{{ 研发投入强度 | 同比 }}", "提高0.3个百分点"),
        ("{{ 集群企业总数 | 新增 }}", "新增26家"),
        ("{{ 集群企业总数 | 上年 }}", "300家"),
        ("{{ 营业收入 | 上年 }}", "11.00亿元"),
    ],
)
def test_figure_expressions_are_filled(text, expected):
    assert fill(text) == expected


def test_text_around_figures_passes_through_exactly():
    text = "集群 & <合作> “龙头”😀：营业收入{{ 营业收入 | 亿元 }}，占比{{ 研发投入强度 }}。\n第二行 ' \" 𠀀"
    assert fill(text) == "集群 & <合作> “龙头”😀：营业收入12.35亿元，占比3.0%。\n第二行 ' \" 𠀀"


@pytest.mark.parametrize(
    "text",
    ["{{ }}", "{% if x %}y{% endif %}", "{{ 1+1 }}", "{{ 营业收入 | 亿元 | 同比 }}", "只有开头 {{ 营业收入", "}} 反向",
     "{{ '营业收入' }}", "{# 注释 #}"],
)  # fmt: skip
def test_anything_that_is_not_a_figure_expression_stays_literal(text):
    assert fill(text) == text


def test_backslash_escapes_literal_braces():
    assert fill(r"代码写作 \{{ 营业收入 }} 即可") == "代码写作 {{ 营业收入 }} 即可"
    assert fill(r"\{{ 营收 }}") == "{{ 营收 }}"  # escaped: no error for an unknown name


def test_unknown_name_fails_with_section_name_and_did_you_mean():
    with pytest.raises(FigureError) as info:
        fill("营业收入达到{{ 营收 }}")
    err = info.value
    assert isinstance(err, InputError)
    assert err.key == "集群总体情况"
    assert err.file == "inputs/x/report.yaml"
    assert "营收" in err.message and "集群总体情况" in err.message
    assert "是否想写“营业收入”" in err.hint
    assert err.exit_code == 2


def test_unknown_filter_and_misused_filter_are_errors():
    with pytest.raises(FigureError, match="未知的过滤器“亿”"):
        fill("{{ 营业收入 | 亿 }}")
    with pytest.raises(FigureError, match="只能用于万元金额"):
        fill("{{ 集群企业总数 | 亿元 }}")
    with pytest.raises(FigureError, match="只能用于家、个、人等计数指标"):
        fill("{{ 营业收入 | 新增 }}")


def test_missing_figures_become_visible_placeholders_never_zero():
    form = FormData({"营业收入": D(1000)})
    assert fill("{{ 净利润 }}", form) == "【待补充：净利润（统计报表未填）】"
    assert fill("{{ 研发投入强度 }}", form) == "【待补充：研发投入强度（不可计算：“研究开发费用支出合计”未填）】"
    assert fill("{{ 营业收入 | 同比 }}", form) == "【待补充：营业收入同比（统计报表未填上年数据 previous）】"


def test_without_a_form_expressions_fail_and_plain_text_passes():
    assert fill("没有数字表达式 {{ }}", None) == "没有数字表达式 {{ }}"
    with pytest.raises(FigureError, match="没有统计报表"):
        fill("{{ 营业收入 }}", None)


ATTACKS = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ 营业收入.__class__ }}",
    "{{ 营业收入.value.__class__ }}",
    "{{ 营业收入 | attr('__class__') }}",
    "{{ lipsum.__globals__ }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{% for c in ().__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ self._TemplateReference__context }}",
    "{{ config.items() }}",
    "{{ request }}",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_python_internals_are_never_reached(attack):
    try:
        result = fill(attack)
    except FigureError:
        return
    assert result == attack  # left literal, not evaluated
    assert "class" not in result.replace(attack, "")


@pytest.mark.parametrize("name", ["__class__", "self", "lipsum", "cycler", "range", "namespace"])
def test_bare_python_or_jinja_names_are_unknown_figures(name):
    with pytest.raises(FigureError, match="未知的指标"):
        fill("{{ %s }}" % name)


def test_the_sandbox_itself_refuses_internals():
    from jinja2.exceptions import SecurityError, UndefinedError

    env = figures._sandbox()
    assert env.globals == {}
    with pytest.raises((SecurityError, UndefinedError)):
        env.from_string("{{ ''.__class__.__mro__ }}").render()
    with pytest.raises(Exception):
        env.from_string("{{ v.value.__class__ }}").render(v=figures.figures(FORM)["营业收入"])


@settings(max_examples=80, deadline=None)
@given(st.text().filter(lambda t: "{{" not in t))
def test_text_without_an_opening_brace_pair_is_unchanged(text):
    assert fill(text) == text


def test_every_name_a_writer_may_use_resolves():
    figs = figures.figures(FORM)
    assert set(figures.figure_names()) <= set(figs)
    assert "研发投入强度" in figs and "上市企业" in figs


def test_report_yaml_with_a_figure_renders_the_right_string(tmp_path):
    from reportsmith.report_input import load_report

    path = tmp_path / "report.yaml"
    path.write_text(
        "cluster: whkjcyjq\nyear: 2024\nsections:\n  一、集群总体情况: |\n"
        "    2024年集群实现营业收入{{ 营业收入 | 亿元 }}，研发投入强度{{ 研发投入强度 }}。\n",
        encoding="utf-8",
    )
    report = load_report(path)
    section = report.sections["集群总体情况"]
    filled = [fill_text(b.text, FORM, section="集群总体情况", file=str(path)) for b in section.blocks]
    assert "2024年集群实现营业收入12.35亿元，研发投入强度3.0%。" in "".join(filled)
    path.write_text(path.read_text(encoding="utf-8").replace("{{ 营业收入 | 亿元 }}", "{{ 营收 }}"), encoding="utf-8")
    with pytest.raises(FigureError, match="营收"):
        for b in load_report(path).sections["集群总体情况"].blocks:
            fill_text(b.text, FORM, section="集群总体情况", file=str(path))
