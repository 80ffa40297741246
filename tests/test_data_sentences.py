"""Data sentences serve the writer: on / off / placed at her {{ 数据句 }} line, and a data
sentence whose figure her own text of the heading already states is left out, so the
printed report never states a figure twice and her ~3,500 字 stay 合格."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import docx
import pytest
import yaml

from reportsmith.checks.prose import stated_figures
from reportsmith.checks.submitted import check_docx
from reportsmith.checks.zishu import zishu
from reportsmith.compute.figures import figures
from reportsmith.core.errors import InputError
from reportsmith.form.load import load_form
from reportsmith.outline import headings as outline
from reportsmith.report.build import build
from reportsmith.report.pipeline import assemble, check_inputs

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "inputs" / "whkjcyjq"


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "whkjcyjq"
    shutil.copytree(DEMO, folder)
    return folder


def _edit(folder: Path, change) -> None:
    path = folder / "report.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000), encoding="utf-8")


def _section(assembled, title: str):
    return next(s for s in assembled.sections if s.heading.title == title)


def _key(data: dict, title: str) -> str:
    return next((k for k in data["sections"] if outline.strip_numbering(k) == title), outline.find_heading(title).numbered)


def test_marker_places_the_data_sentences_where_the_writer_wrote_it(tmp_path):
    folder = _copy(tmp_path)

    def place(data):
        key = _key(data, "集群总体情况")
        first, rest = data["sections"][key].split("\n\n", 1)
        data["sections"][key] = f"{first}\n\n{{{{ 数据句 }}}}\n\n{rest}"

    _edit(folder, place)
    section = _section(assemble(folder), "集群总体情况")
    assert section.marker == 1 and section.highlights
    printed = section.printed_paragraphs
    assert printed[0] == section.paragraphs[0] and printed[1] == "".join(section.highlights)
    texts = [p.text for p in docx.Document(str(build(folder, tmp_path / "out").docx)).paragraphs]
    i = texts.index("一、集群总体情况")
    assert texts[i + 1] == section.paragraphs[0] and texts[i + 2] == printed[1]
    assert not any("数据句" in t for t in texts)


def test_data_sentences_switched_off_per_heading(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder, lambda d: d.update(data_sentences={"集群创新能力建设情况": "关", "一、集群总体情况": "开"}))
    a = assemble(folder)
    assert _section(a, "集群创新能力建设情况").highlights == []
    assert _section(a, "集群总体情况").highlights


@pytest.mark.parametrize("value, problem", [
    ("{集群总体情况: 也许}", "数据句开关应为“开”或“关”"),
    ("{不存在的标题: 关}", "不在附件3提纲中"),
    ("[集群总体情况]", "应为“标题: 开/关”的映射"),
])
def test_a_wrong_switch_is_refused_with_its_line(tmp_path, value, problem):
    folder = _copy(tmp_path)
    text = (folder / "report.yaml").read_text(encoding="utf-8")
    (folder / "report.yaml").write_text(text.replace("sections:", f"data_sentences: {value}\nsections:", 1), encoding="utf-8")
    with pytest.raises(InputError) as info:
        assemble(folder)
    assert problem in info.value.text()


def test_a_marker_inside_a_sentence_is_explained(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder, lambda d: d["sections"].update({_key(d, "集群总体情况"): "开头一句。{{ 数据句 }}后面的话。"}))
    with pytest.raises(InputError) as info:
        assemble(folder)
    assert "单独占一行" in info.value.text()


def _restating(folder: Path) -> dict[str, str]:
    """Sentences a writer types from her own form: the figures the data sentences state too."""
    form, _ = load_form(folder / "form.yaml")
    f = {n: fig.display for n, fig in figures(form).items()}
    yi = f"{float(figures(form)['营业收入'].value) / 10000:.1f}亿元"  # her own rounding: 714.5亿元
    return {
        "集群总体情况": f"截至年底，集群企业总数{f['集群企业总数']}，从业人员{f['集群人员总数']}；全年实现营业收入{yi}，"
        f"工业总产值{f['工业总产值']}，净利润{f['净利润']}，上缴税费{f['实际上缴税费总额']}，出口总额{f['出口总额']}。",
        "集群创新能力建设情况": f"全年研发费用{f['研究开发费用支出合计']}，研发投入强度{f['研发投入强度']}；"
        f"拥有研发人员{f['研究开发人员合计']}；全年申请发明专利{f['当年申请发明专利']}，拥有有效发明专利{f['拥有有效发明专利']}。",
        "集群发展成效": f"目前集群拥有高新技术企业{f['高新技术企业']}，规上企业{f['规上企业']}，"
        f"科技型中小企业{f['科技型中小企业']}，上市企业{f['上市企业']}。",
    }


PAD = "集群坚持以企业为主体、市场为导向，把改革创新贯穿发展全过程，持续优化营商环境，稳步提升发展质量。"


def _writers_report(folder: Path, own_target: int = 3500) -> int:
    """Her report: the demo text, her own restated figures, and more of her prose up to ~3,500 字."""
    restate = _restating(folder)

    def change(data):
        for title, sentence in restate.items():
            key = _key(data, title)
            body = data["sections"][key]
            if isinstance(body, dict):  # written by topic: her sentence goes under the first one
                first = next(iter(body))
                body[first] = body[first].rstrip() + "\n\n" + sentence
            else:
                data["sections"][key] = body.rstrip() + "\n\n" + sentence
    _edit(folder, change)
    own = check_inputs(folder).own_zishu

    def pad(data):
        key = _key(data, "集群发展情况")
        n = max(0, (own_target - own) // zishu(PAD))
        data["sections"][key] = "".join([PAD] * n)
    _edit(folder, pad)
    return check_inputs(folder).own_zishu


def _statements(paragraphs: list[str], form) -> Counter:
    figs = figures(form)
    counts: Counter = Counter()
    for p in paragraphs:
        for sentence in p.replace("；", "。").split("。"):
            counts.update(stated_figures(sentence, form, figs))
    return counts


def test_her_3500_zi_report_is_judged_ok_and_states_no_figure_twice(tmp_path):
    folder = _copy(tmp_path)
    own = _writers_report(folder)
    assert 3400 <= own <= 3600
    result = check_inputs(folder)
    assert result.band == "ok", (result.zishu, result.own_zishu, result.data_zishu)
    a = assemble(folder)
    assert any(s.repeated for s in a.sections)  # her figures made some data sentences redundant
    built = build(folder, tmp_path / "out")
    assert check_docx(built.docx).band == "ok"
    # Read the report back: under each heading, every form figure is stated at most once.
    texts = [p.text for p in docx.Document(str(built.docx)).paragraphs]
    titles = {h.numbered for h in outline.headings()}
    starts = [i for i, t in enumerate(texts) if t in titles]
    form = a.form
    for i, j in zip(starts, starts[1:] + [len(texts)]):
        twice = {n: c for n, c in _statements(texts[i + 1 : j], form).items() if c > 1}
        assert not twice, (texts[i], twice)
