"""Charts: Chinese labels in an installed CJK font, same inputs → same PNG bytes, figures that match the roll-up."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from reportsmith.batch import charts
from reportsmith.batch.rollup import compute_rollup
from reportsmith.core.errors import InputError
from reportsmith.form.load import check_form_file
from reportsmith.outline.headings import headings
from reportsmith.registry.clusters import load_clusters

REPO = Path(__file__).resolve().parents[1]


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    out, i = [], 8
    while i < len(png):
        (n,) = struct.unpack(">I", png[i : i + 4])
        kind, data = png[i + 4 : i + 8], png[i + 8 : i + 8 + n]
        out.append((kind, data))
        i += 12 + n
    return out


def _size(png: bytes) -> tuple[int, int]:
    ihdr = dict(_chunks(png))[b"IHDR"]
    return struct.unpack(">II", ihdr[:8])


@pytest.fixture(scope="module")
def forms():
    out = []
    for c in load_clusters():
        path = REPO / "inputs" / c.account / "form.yaml"
        if path.is_file():
            form, _ = check_form_file(path)
            out.append((c.level, form))
    return out


@dataclass
class _Topic:  # a coverage record with the three outcomes (another check may report 'negated')
    heading: str
    topic: str
    outcome: str


@dataclass
class _Check:
    zishu: int
    band: str
    topics: list


def _points():
    keys = [(h.title, t.name) for h in headings() for t in h.topics]
    clusters = load_clusters()[:6]
    pairs = []
    for n, c in enumerate(clusters):
        if n == 5:
            pairs.append((c, None))  # not submitted
            continue
        outcomes = ["covered", "negated", "missing"]
        topics = [_Topic(h, t, outcomes[(i + n) % 3]) for i, (h, t) in enumerate(keys)]
        pairs.append((c, _Check(3000 + 200 * n, ["ok", "warn", "fail"][n % 3], topics)))
    return charts.points_from_checks(pairs)


def test_a_cjk_font_is_installed_and_chosen():
    assert charts.cjk_font() in charts.load_data("charts.yaml")["fonts"]


def test_without_a_cjk_font_the_error_says_what_to_install():
    with pytest.raises(InputError) as err:
        charts.cjk_font(candidates=["没有这种字体"])
    assert "fonts-noto-cjk" in err.value.hint and "没有这种字体" in err.value.hint


def test_negated_topics_are_kept_apart_from_missing_ones():
    points = _points()
    assert {o for p in points[:5] for o in p.topics.values()} == {"covered", "negated", "missing"}
    assert points[5].topics == {} and points[5].zishu is None


@pytest.mark.parametrize("draw", ["zishu_chart", "coverage_chart"])
def test_same_inputs_give_the_same_png_bytes_without_a_timestamp(draw, tmp_path):
    a = getattr(charts, draw)(_points(), tmp_path / "a.png")
    b = getattr(charts, draw)(_points(), tmp_path / "b.png")
    assert a == b == (tmp_path / "a.png").read_bytes()
    kinds = {k for k, _ in _chunks(a)}
    assert b"tIME" not in kinds
    texts = b"".join(d for k, d in _chunks(a) if k in (b"tEXt", b"iTXt", b"zTXt"))
    assert b"Software" not in texts and b"matplotlib" not in texts.lower()
    width, height = _size(a)
    dpi = charts.load_data("charts.yaml")["dpi"]
    assert abs(width - 156 / 25.4 * dpi) <= 2  # the width of the A4 text block
    assert height > width * 0.3


def test_province_indicators_equal_the_roll_up(forms):
    figures = {f.label: f for f in charts.province_indicators(forms)}
    assert list(figures) == ["营业收入", "研发投入强度", "高新技术企业", "有效发明专利"]
    rollup = compute_rollup(forms)
    rows = {r.row.key: r for r in rollup.rows if r.row.key}
    for label, key in (("营业收入", "营业收入"), ("高新技术企业", "高新技术企业"), ("有效发明专利", "拥有有效发明专利")):
        for scope in ("国家级", "省级"):
            assert figures[label].current[scope] == Decimal(rows[key].sums[scope])
    rd = figures["研发投入强度"].current["国家级"]
    national = rows["研究开发费用支出合计"].sums["国家级"] / rows["营业收入"].sums["国家级"]
    assert abs(rd - Decimal(national)) < Decimal("1e-9")
    assert figures["营业收入"].change["国家级"].startswith("同比")
    assert "个百分点" in figures["研发投入强度"].change["省级"] or figures["研发投入强度"].change["省级"] == "与上年持平"


def test_indicator_charts_draw_province_and_cluster(forms, tmp_path):
    png = charts.province_indicator_chart(charts.province_indicators(forms), tmp_path / "p.png", year=2024)
    assert png == (tmp_path / "p.png").read_bytes()
    one = charts.cluster_indicators(forms[0][1])
    assert one[0].change["本集群"].startswith("同比")
    a = charts.cluster_indicator_chart(one, year=2024)
    assert a == charts.cluster_indicator_chart(one, year=2024)
    assert zlib.crc32(a) != zlib.crc32(png)


def test_build_chart_puts_the_indicator_chart_after_the_table_of_appendix_1(tmp_path):
    import docx
    from docx.oxml.ns import qn

    from reportsmith.report.build import build

    plain = build(REPO / "inputs" / "whkjcyjq", tmp_path / "plain").docx
    with_chart = build(REPO / "inputs" / "whkjcyjq", tmp_path / "chart", chart=True).docx
    again = build(REPO / "inputs" / "whkjcyjq", tmp_path / "again", chart=True).docx
    assert with_chart.read_bytes() == again.read_bytes()
    a, b = docx.Document(str(plain)), docx.Document(str(with_chart))
    assert len(b.inline_shapes) == len(a.inline_shapes) + 1
    texts_a, texts_b = [p.text for p in a.paragraphs], [p.text for p in b.paragraphs]
    extra = [t for t in texts_b if t not in texts_a]
    assert extra == ["图　主要指标本年与上年对比"]
    body = list(b.element.body)
    label = next(i for i, el in enumerate(body) if el.tag == qn("w:p") and "".join(t.text for t in el.iter(qn("w:t"))) == "附件1")
    table = next(i for i in range(label, len(body)) if body[i].tag == qn("w:tbl"))
    assert body[table + 1].find(f".//{qn('w:drawing')}") is not None


def test_batch_chart_rebuilds_reports_when_switched_on(tmp_path):
    from reportsmith.batch.run import run_batch

    out = tmp_path / "out"
    first = run_batch(REPO / "inputs", out, only=["whkjcyjq"], jobs=1, summary=False)
    assert first.clusters[0].rebuilt
    charted = run_batch(REPO / "inputs", out, only=["whkjcyjq"], jobs=1, summary=False, chart=True)
    assert charted.clusters[0].rebuilt
    import docx

    assert len(docx.Document(str(out / charted.clusters[0].output)).inline_shapes) == 1
    again = run_batch(REPO / "inputs", out, only=["whkjcyjq"], jobs=1, summary=False, chart=True)
    assert not again.clusters[0].rebuilt
