"""Rendering an Assembled report into Word: read the .docx back and compare with the inputs."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _render_cases import full_assembled, make_assembled
from reportsmith.outline import headings as outline
from reportsmith.records.assembled import Checklist
from reportsmith.core.errors import InputError, TemplateError
from reportsmith.registry.clusters import load_clusters
from reportsmith.report.render import (
    CONTEXT_VARIABLES,
    Renderer,
    document_date,
    make_context,
    render_docx,
    render_findings,
    title_lines,
)

RENDERER = Renderer()


def body(path: Path) -> list[tuple[str, str]]:
    """(style id, text) of every body paragraph outside tables, in order."""
    return [(p.style.style_id, p.text) for p in docx.Document(str(path)).paragraphs]


def expected_body(a) -> list[tuple[str, str]]:
    title = "\n".join(title_lines(a.title, a.year))
    out = [("Title", title), ("Subtitle", f"依托单位：{a.cluster.units_text}" + (f"\u3000\u3000{a.date_text}" if a.date_text else ""))]
    for s in a.sections:
        out.append(("Heading1" if s.heading.level == 1 else "Heading2", s.heading.numbered))
        out += [("Normal", t) for t in s.printed_paragraphs]
        if s.placeholder:
            out.append(("Placeholder", s.placeholder))
    return out


def test_every_heading_and_paragraph_reads_back_exactly(tmp_path):
    a = full_assembled()
    out = RENDERER.render(a, tmp_path / "r.docx")
    got = body(out)
    n = len(expected_body(a))
    assert got[:n] == expected_body(a)
    assert [t for _, t in got[n:]] == ["附件1", "主要指标", "附件2", "佐证材料清单", a.checklist.count_line, ""]


def test_the_title_breaks_between_words_and_keeps_every_character(tmp_path):
    a = make_assembled(account="szxgcyjq")
    title = docx.Document(str(RENDERER.render(a, tmp_path / "r.docx"))).paragraphs[0].text
    assert title == "随州高新区香菇产业\n省级创新型产业集群2024年度总结报告"
    # Every cluster's title: nothing lost, each line fits 20 二号 characters (156 mm), no "2024|年度" cut.
    for c in load_clusters():
        full = f"{c.name}2024年度总结报告"
        lines = title_lines(full, 2024)
        assert "".join(lines) == full
        assert 2 <= len(lines) <= 3, lines
        assert lines[-1].endswith("2024年度总结报告") and not lines[-1].startswith("年度"), lines
        assert all(sum(1 if ord(ch) > 0x2E80 else 0.5 for ch in line) <= 20 for line in lines), lines
    assert title_lines("天门生物医药创新型产业集群2024年度总结报告", 2024) == ["天门生物医药创新型产业集群", "2024年度总结报告"]
    assert title_lines("短题目", 2024) == ["短题目"]


def test_file_properties_describe_the_report(tmp_path):
    a = full_assembled()
    cp = docx.Document(str(RENDERER.render(a, tmp_path / "r.docx"))).core_properties
    assert cp.title == a.title and "\n" not in cp.title
    assert cp.author == a.cluster.units_text
    assert cp.subject == a.cluster.name
    assert cp.language == "zh-CN"
    assert cp.comments == ""  # not the template's "由 scripts/make_template.py 生成"


def test_data_sentences_do_not_hide_the_placeholder_of_an_unwritten_heading(tmp_path):
    a = make_assembled(highlights={"集群创新服务建设体系": ["集群拥有创新服务机构7个。", "其中孵化器2个。"]})
    got = body(RENDERER.render(a, tmp_path / "r.docx"))
    i = got.index(("Heading2", "（三）集群创新服务建设体系"))
    assert got[i + 1] == ("Normal", "集群拥有创新服务机构7个。其中孵化器2个。")
    assert got[i + 2][0] == "Placeholder" and got[i + 2][1].startswith("【待补充：组织架构与运行机制")


def test_empty_headings_show_their_placeholder_in_red(tmp_path):
    a = make_assembled({"集群总体情况": ["只写了一段。"]})
    got = body(RENDERER.render(a, tmp_path / "r.docx"))
    placeholders = [t for s, t in got if s == "Placeholder"]
    assert len(placeholders) == len(outline.content_headings()) - 1
    assert placeholders[0].startswith("【待补充：产业链建设情况")
    style = docx.Document(str(tmp_path / "r.docx")).styles["待补充"]
    assert str(style.font.color.rgb) == "C00000"


@pytest.mark.parametrize(
    "text",
    [
        "A&B 研发投入 <R&D> \"引号\" '单引号' &amp; &lt;",
        "{{ 营业收入 }} 与 {% if x %}y{% endif %} 以及 {# 注释 #} 原样保留",
        "docxtpl 的内部记号 {_{ }_} {_% %_} 也原样保留",
        "制表符\t在段内，换行\n在段内，\n\n两个换行",
        "表情 😀👍🏽 和扩展B区汉字 𠀀𪚥 以及 \u3000全角空格 和  两个空格 ",
        "   前后空格   ",
        "</w:t></w:r><w:r><w:t>注入",
    ],
)
def test_writer_text_passes_through_literally(tmp_path, text):
    a = make_assembled({"集群总体情况": [text]})
    got = body(RENDERER.render(a, tmp_path / "r.docx"))
    assert ("Normal", text) in got
    assert not render_findings(a)


def test_carriage_returns_become_line_breaks(tmp_path):
    a = make_assembled({"集群总体情况": ["Windows 换行\r\n第二行\r第三行"]})
    got = body(RENDERER.render(a, tmp_path / "r.docx"))
    assert ("Normal", "Windows 换行\n第二行\n第三行") in got


def test_forbidden_characters_are_removed_with_a_warning_naming_the_section(tmp_path):
    a = make_assembled({"集群发展成效": ["分页\x0c符与\x0b垂直制表符\x00和\ud800代理"]})
    got = body(RENDERER.render(a, tmp_path / "r.docx"))
    assert ("Normal", "分页符与垂直制表符和代理") in got
    (finding,) = render_findings(a)
    assert finding.key == "三、集群发展成效"
    assert finding.severity.value == "warning"
    assert "U+000C" in finding.message and "U+000B" in finding.message and "U+0000" in finding.message
    assert finding.file.endswith("report.yaml")


def test_appendix_tables_hold_the_rows(tmp_path):
    a = full_assembled()
    d = docx.Document(str(RENDERER.render(a, tmp_path / "r.docx")))
    indicators, checklist = d.tables
    rows = [[c.text for c in r.cells] for r in indicators.rows]
    assert rows[0] == ["指标", "单位", "2024年", "上年", "同比"]
    assert rows[1] == ["集群企业总数", "家", "326", "300", "同比增长8.7%"]
    assert rows[2] == ["\u3000其中：高新技术企业", "家", "120", "", ""]
    assert rows[3][0] == "以下为根据统计报表计算的派生指标"  # one merged row before the first derived figure
    assert [r[0] for r in rows[4:]] == ["研发投入强度", "高新技术企业占比"]
    crow = [[c.text for c in r.cells] for r in checklist.rows]
    assert crow[0] == ["序号", "类别", "名称", "级别", "文号", "佐证材料", "状态"]
    assert crow[1][0] == "创新服务机构：省级及以上科技企业孵化器"  # grouped by the form row it counts toward
    assert crow[2] == ["1", "省级及以上科技企业孵化器", "光谷A&B孵化器", "省级", "鄂科技发〔2022〕18号", "evidence/孵化器.pdf", "已附"]
    assert crow[3][0] == "研发机构" and crow[4][0] == "（无）"
    assert crow[6][5] == "evidence/a.pdf\nevidence/b.pdf"
    assert crow[-1] == ["3", "专项政策", "《若干措施》", "", "", "", "缺失"]


def test_without_form_and_checklist_the_appendices_say_so(tmp_path):
    a = make_assembled({}, checklist=Checklist())
    d = docx.Document(str(RENDERER.render(a, tmp_path / "r.docx")))
    indicators, checklist = d.tables
    assert [c.text for c in indicators.rows[-1].cells][0] == "未提供统计报表（form.yaml），暂无指标数据。"
    assert checklist.rows[-1].cells[0].text == "未提供佐证材料清单（evidence.yaml），本表为空。"
    assert "清单为空" in [p.text for p in d.paragraphs][-2]


def test_two_renders_are_byte_identical_and_carry_the_report_date(tmp_path):
    a = full_assembled()
    first = RENDERER.render(a, tmp_path / "a.docx").read_bytes()
    second = Renderer().render(a, tmp_path / "b.docx").read_bytes()
    assert first == second
    d = docx.Document(str(tmp_path / "a.docx"))
    cp = d.core_properties
    assert {t.replace(tzinfo=None) for t in (cp.created, cp.modified, cp.last_printed)} == {datetime(2025, 1, 15)}
    assert d.core_properties.title == a.title
    with zipfile.ZipFile(tmp_path / "a.docx") as z:
        assert {i.date_time for i in z.infolist()} == {(2025, 1, 15, 0, 0, 0)}


def test_without_a_date_the_file_is_dated_the_last_day_of_the_year():
    assert document_date(make_assembled(date_text="")) == datetime(2024, 12, 31)
    assert document_date(make_assembled(date_text="2025年2月3日")) == datetime(2025, 2, 3)


def test_template_variables_equal_the_context(tmp_path):
    from docxtpl import DocxTemplate

    assert RENDERER.variables() == CONTEXT_VARIABLES
    assert DocxTemplate(str(RENDERER.template)).get_undeclared_template_variables() == CONTEXT_VARIABLES
    assert set(make_context(full_assembled())[0]) == CONTEXT_VARIABLES


def _custom_template(tmp_path: Path, *paragraphs: str) -> Path:
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    path = tmp_path / "custom.docx"
    d.save(str(path))
    return path


def test_a_custom_template_renders(tmp_path):
    tpl = _custom_template(tmp_path, "{{ title }}", "{%p for s in sections %}", "{{ s.heading }}", "{%p endfor %}")
    out = render_docx(full_assembled(), tmp_path / "r.docx", template=tpl)
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert texts[0].replace("\n", "") == full_assembled().title  # broken between words, see above
    assert texts[1:] == [h.numbered for h in outline.headings()]


def test_template_syntax_error_names_part_and_paragraph(tmp_path):
    tpl = _custom_template(tmp_path, "{{ title }}", "第二段", "{%p for s in sections %}", "{{ s.heading }}")
    with pytest.raises(TemplateError) as err:
        Renderer(tpl)
    text = err.value.text()
    assert "custom.docx" in text and "word/document.xml" in text and "模板语法错误" in text
    # An unclosed block is detected at the end of the template: the last paragraph is named.
    assert "第 4 段（“{{ s.heading }}”）" in text and "'for'" in text


def test_unknown_variable_is_reported_with_part_and_paragraph_before_rendering(tmp_path):
    tpl = _custom_template(tmp_path, "{{ title }}", "正文", "依托单位：{{ unit }}")
    with pytest.raises(TemplateError) as err:
        Renderer(tpl)
    text = err.value.text()
    assert "unit" in text and "units" in err.value.hint
    assert "word/document.xml" in text and "第 3 段（“{{ unit }}”）" in text


def test_missing_attribute_at_render_time_is_a_template_error_with_line(tmp_path):
    tpl = _custom_template(tmp_path, "{{ title }}", "{%p for s in sections %}", "{{ s.heding }}", "{%p endfor %}")
    with pytest.raises(TemplateError) as err:
        Renderer(tpl).render(full_assembled(), tmp_path / "r.docx")
    assert "heding" in err.value.text() and "第 3 段（“{{ s.heding }}”）" in err.value.text()
    assert not (tmp_path / "r.docx").exists()


def test_a_tag_split_across_runs_with_different_formatting(tmp_path):
    d = docx.Document()
    p = d.add_paragraph()
    p.add_run("{{ ti")
    p.add_run("tle }}").bold = True
    q = d.add_paragraph()
    q.add_run("{{ units ")
    q.add_run("}")  # the closing braces split across runs, and one of them missing
    path = tmp_path / "split.docx"
    d.save(str(path))
    with pytest.raises(TemplateError) as err:
        Renderer(path)
    assert "word/document.xml" in err.value.text()


def test_a_file_that_is_not_a_docx_is_an_input_error(tmp_path):
    bad = tmp_path / "bad.docx"
    bad.write_text("not a zip")
    with pytest.raises(InputError):
        Renderer(bad)
    with pytest.raises(InputError):
        Renderer(tmp_path / "missing.docx")


# Text a writer might paste: anything, XML-forbidden characters included.
_texts = st.lists(
    st.one_of(
        st.characters(),
        st.sampled_from(["&", "<", ">", '"', "'", "{{ ", " }}", "{% ", " %}", "{_{", "\t", "\n", "\r", "😀", "𠀀", "\x0b", "\x0c", "\x00", "\ud800"]),
    ),
    max_size=30,
).map("".join)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(paragraphs=st.lists(_texts, min_size=1, max_size=3))
def test_random_text_round_trips(tmp_path, paragraphs):
    from reportsmith.docx.out import xml_safe

    a = make_assembled({"集群发展环境": paragraphs})
    got = body(RENDERER.render(a, tmp_path / "r.docx"))
    start = got.index(("Heading2", "（四）集群发展环境")) + 1
    expected = [xml_safe(p)[0].replace("\r\n", "\n").replace("\r", "\n") for p in paragraphs]
    assert [t for _, t in got[start : start + len(paragraphs)]] == expected
    assert got[start + len(paragraphs)][0] == "Heading1"
    assert bool(render_findings(a)) == any(xml_safe(p)[1] for p in paragraphs)


def test_render_report_gives_the_file_and_the_warnings_from_one_call(tmp_path):
    a = make_assembled({"集群发展成效": ["分页\x0c符"]})
    path, findings = RENDERER.render_report(a, tmp_path / "a.docx")
    assert findings == render_findings(a) and findings[0].key == "三、集群发展成效"
    assert path.read_bytes() == RENDERER.render(a, tmp_path / "b.docx").read_bytes()


def _header_template(tmp_path: Path) -> Path:
    """A template with a header, a conditional failure in the body and a column loop in a table."""
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "{{ units }}"
    for p in ("{{ title }}", '{%p if "坏" in date_text %}', "{{ title.nope }}", "{%p endif %}", "{{ date_text }}"):
        d.add_paragraph(p)
    table = d.add_table(rows=1, cols=3)
    for cell, text in zip(table.rows[0].cells, ("{%tc for s in sections %}", "{{ s.heading }}", "{%tc endfor %}")):
        cell.text = text
    path = tmp_path / "header.docx"
    d.save(str(path))
    return path


def test_a_reused_renderer_writes_what_a_fresh_one_writes_even_after_a_failure(tmp_path):
    tpl = _header_template(tmp_path)
    rend = Renderer(tpl)
    rend.render(full_assembled(), tmp_path / "first.docx")
    with pytest.raises(TemplateError):
        rend.render(make_assembled(date_text="坏日期"), tmp_path / "bad.docx")
    other = make_assembled({"集群总体情况": ["另一份报告"]}, account="hsmjcyjq", date_text="2025年3月1日")
    reused = rend.render(other, tmp_path / "reused.docx").read_bytes()
    assert reused == Renderer(tpl).render(other, tmp_path / "fresh.docx").read_bytes()
    d = docx.Document(str(tmp_path / "reused.docx"))
    assert d.sections[0].header.paragraphs[0].text == other.cluster.units_text
    assert [p.text for p in d.paragraphs][-1] == "2025年3月1日" and d.core_properties.title == other.title
    # docxtpl widens the table grid to the cells the column loop made: one column per heading.
    assert len(d.tables[0].columns) == len(other.sections) == len(d.tables[0].rows[0].cells)
