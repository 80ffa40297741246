"""Figure expressions in writer text: filling, filters, errors, escapes and the sandbox."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportsmith.compute import figures
from reportsmith.core.errors import InputError
from reportsmith.compute.figures import FigureError, fill_text
from reportsmith.form.data import FormData

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
    "{{ 营业收入 | attr('x') }}",
    "{{ 营业收入 | map(attribute='__class__') }}",
    "{{ 营业收入 | 亿元 | attr('__globals__') }}",
    "{{ 营业收入['__class__'] }}",
    "{{ (营业收入).__class__.__base__ }}",
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


@pytest.mark.parametrize("name", ["__class__", "self", "lipsum", "cycler", "range", "namespace"])
def test_bare_python_or_jinja_names_are_unknown_figures(name):
    with pytest.raises(FigureError, match="未知的指标"):
        fill("{{ %s }}" % name)


def test_the_sandbox_itself_refuses_internals():
    # Second wall: even if writer text reached the environment, internals stay out of reach.
    from jinja2.exceptions import SecurityError

    env = figures.sandbox()
    assert env.globals == {} and env.tests == {}
    assert set(env.filters) == set(figures.FILTERS) | {"_default"}
    revenue = figures.figures(FORM)["营业收入"]
    with pytest.raises(SecurityError):
        env.from_string("{{ ''.__class__.__mro__ }}").render()
    with pytest.raises(SecurityError):
        env.from_string("{{ v.value.__class__.__subclasses__() }}").render(v=revenue)
    with pytest.raises(SecurityError):
        env.from_string("{{ v.__init__.__globals__ }}").render(v=revenue)


def test_full_width_filter_bar_and_spaces_are_accepted():
    assert fill("{{　营业收入 ｜ 亿元　}}") == "12.35亿元"


def test_very_long_and_deeply_nested_input_is_handled_fast():
    import time

    start = time.perf_counter()
    assert fill("{{" * 400_000) == "{{" * 400_000
    nested = "{{ " + "(" * 10_000 + "营业收入" + ")" * 10_000 + " }}"
    assert fill(nested) == nested
    assert time.perf_counter() - start < 10  # a guard against a hang: a quadratic scan took over 10 s at a quarter of this size


def test_an_overlong_unknown_name_is_quoted_short():
    with pytest.raises(FigureError) as info:
        fill("{{ " + "甲" * 10_000 + " }}")
    assert len(info.value.message) < 200


@settings(max_examples=80, deadline=None)
@given(st.text().filter(lambda t: "{{" not in t))
def test_text_without_an_opening_brace_pair_is_unchanged(text):
    assert fill(text) == text


def test_every_name_a_writer_may_use_resolves():
    figs = figures.figures(FORM)
    assert set(figures.figure_names()) <= set(figs)
    assert "研发投入强度" in figs and "上市企业" in figs


REPORT_YAML = """\
cluster: whkjcyjq
year: 2024
sections:
  一、集群总体情况: |
    2024年集群实现营业收入{{ 营业收入 | 亿元 }}，研发投入强度{{ 研发投入强度 }}。
"""


def test_report_yaml_with_a_figure_builds_the_right_string(tmp_path, capsys):
    import docx

    from reportsmith.cli import main

    folder = tmp_path / "whkjcyjq"
    folder.mkdir()
    (folder / "form.yaml").write_text("cluster: whkjcyjq\nyear: 2024\n营业收入: 123456\n研究开发费用支出合计: 3700\n",
                                      encoding="utf-8")  # fmt: skip
    (folder / "report.yaml").write_text(REPORT_YAML, encoding="utf-8")
    assert main(["build", str(folder), "--out", str(tmp_path / "out")]) in (0, 1)
    (path,) = (tmp_path / "out").rglob("*.docx")
    body = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "2024年集群实现营业收入12.35亿元，研发投入强度3.0%。" in body
    assert "{{" not in body


def test_report_yaml_with_an_unknown_name_fails_with_a_did_you_mean(tmp_path, capsys):
    from reportsmith.cli import main

    folder = tmp_path / "whkjcyjq"
    folder.mkdir()
    (folder / "form.yaml").write_text("cluster: whkjcyjq\nyear: 2024\n营业收入: 123456\n", encoding="utf-8")
    (folder / "report.yaml").write_text(REPORT_YAML.replace("{{ 营业收入 | 亿元 }}", "{{ 营收 }}"), encoding="utf-8")
    capsys.readouterr()
    assert main(["check", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "report.yaml" in err and "集群总体情况" in err and "“营收”" in err and "是否想写“营业收入”" in err
