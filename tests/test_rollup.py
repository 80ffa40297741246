"""The province roll-up: hand sums on a small case, 未填 not counted, derived figures on the sums."""

from __future__ import annotations

from decimal import Decimal

import openpyxl

from reportsmith.compute import indicators
from reportsmith.form.data import FormData
from reportsmith.batch.rollup import RollupSums, compute_rollup, write_rollup_xlsx

NATIONAL_A = FormData(values={"集群企业总数": 100, "高新技术企业": 40, "营业收入": Decimal("1000.5"), "研究开发费用支出合计": Decimal("50.25")})
NATIONAL_B = FormData(values={"集群企业总数": 60, "高新技术企业": 30, "营业收入": Decimal("3000")})  # R&D 未填
PROVINCIAL = FormData(values={"集群企业总数": 20, "营业收入": Decimal("99.5"), "研究开发费用支出合计": Decimal("0")})
FORMS = [("国家级", NATIONAL_A), ("国家级", NATIONAL_B), ("省级", PROVINCIAL)]


def _row(rollup, key):
    return next(r for r in rollup.rows if r.row.key == key)


def test_sums_equal_hand_sums_and_unfilled_rows_are_not_counted():
    r = compute_rollup(FORMS)
    assert r.clusters == {"国家级": 2, "省级": 1, "全省": 3}
    total = _row(r, "集群企业总数")
    assert total.sums == {"国家级": 160, "省级": 20, "全省": 180}
    assert total.filled == {"国家级": 2, "省级": 1, "全省": 3}
    rd = _row(r, "研究开发费用支出合计")
    assert rd.sums == {"国家级": Decimal("50.25"), "省级": Decimal("0"), "全省": Decimal("50.25")}
    # B left it 未填: not a 0 in the sum, not a filler in the count; C's real 0 is counted.
    assert rd.filled == {"国家级": 1, "省级": 1, "全省": 2}
    hitech = _row(r, "高新技术企业")
    assert hitech.sums["省级"] is None and hitech.filled["省级"] == 0
    assert isinstance(total.sums["全省"], int) and isinstance(_row(r, "营业收入").sums["全省"], Decimal)


def test_derived_figures_are_recomputed_on_the_sums_not_averaged():
    r = compute_rollup(FORMS)
    share = next(d for d in r.derived if d.name == "高新技术企业占比")
    on_sums = indicators.compute(FormData(values={"集群企业总数": 160, "高新技术企业": 70}))
    expected = next(i for i in on_sums if i.name == "高新技术企业占比")
    assert share.display["国家级"] == expected.display == "43.8%"  # 70/160, not mean(40%, 50%) = 45.0%
    assert share.display["省级"] == "不可计算" and "省级" in share.reasons


def test_rollup_workbook_reads_back_and_is_byte_identical(tmp_path):
    r = compute_rollup(FORMS)
    a, b = tmp_path / "a" / "汇总.xlsx", tmp_path / "b" / "汇总.xlsx"
    write_rollup_xlsx(r, a)
    write_rollup_xlsx(compute_rollup(FORMS), b)
    assert a.read_bytes() == b.read_bytes()
    ws = openpyxl.load_workbook(a)["全省合计"]
    rows = {row[0]: row for row in ws.iter_rows(values_only=True) if row[0]}
    assert rows["集群企业总数"][2:8] == (160, 2, 20, 1, 180, 3)
    assert [Decimal(str(v)) for v in rows["研究开发费用支出合计"][2:8]] == [Decimal("50.25"), 1, 0, 1, Decimal("50.25"), 2]
    assert rows["营业收入"][6] == float(Decimal("4100"))
    derived = {row[0]: row for row in ws.iter_rows(values_only=True) if row[0] == "高新技术企业占比"}
    assert derived["高新技术企业占比"][2] == "43.8%"


def test_running_sums_do_not_depend_on_the_order_forms_arrive():
    # A parallel batch adds each form as its worker finishes, in any order.
    forward = compute_rollup(FORMS)
    sums = RollupSums()
    for level, form in reversed(FORMS):
        sums.add(level, form)
    backward = sums.result(year=2024)
    assert backward.clusters == forward.clusters
    assert [(r.sums, r.filled) for r in backward.rows] == [(r.sums, r.filled) for r in forward.rows]
    assert [d.display for d in backward.derived] == [d.display for d in forward.derived]
