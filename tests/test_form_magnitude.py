"""A form value likely typed in the wrong unit is a warning naming the row, the probable
mistake and the corrected value, decided from relations within the form."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportsmith.form.load import check_form_file as load_form

ROOT = Path(__file__).resolve().parents[1]

BASE = {"集群企业总数": "186", "营业收入": "1268500", "工业总产值": "1200000",
        "研究开发费用支出合计": "187738", "集群人员总数": "16420", "研究开发人员合计": "2860"}


def _findings(tmp_path: Path, **changed: str):
    rows = {**BASE, **changed}
    path = tmp_path / "form.yaml"
    path.write_text("cluster: whkjcyjq\nyear: 2024\n" + "".join(f"{k}: {v}\n" for k, v in rows.items()), encoding="utf-8")
    _, findings = load_form(path)
    return [f for f in findings if f.rule == "form.magnitude"]


def test_revenue_typed_in_yuan_is_named_with_its_corrected_value(tmp_path):
    (f,) = _findings(tmp_path, 营业收入="12685000000")
    assert f.key == "营业收入" and f.line == 4
    assert "按“元”而不是“万元”填写" in f.message and "12,685,000,000 万元" in f.message
    assert "应改为 1,268,500 万元" in f.hint


@pytest.mark.parametrize("row, typed, says, fixed", [
    ("研究开发费用支出合计", "1877380000", "按“元”", "187,738 万元"),
    ("工业总产值", "120", "按“亿元”", "1,200,000 万元"),
    ("集群人员总数", "2", "按“万人”", "20,000 人"),
    ("研究开发人员合计", "0", None, None),
])
def test_other_rows_in_the_wrong_unit(tmp_path, row, typed, says, fixed):
    found = _findings(tmp_path, **{row: typed})
    if says is None:
        assert found == []
        return
    assert [f.key for f in found] == [row]
    assert says in found[0].message and f"应改为 {fixed}" in found[0].hint


def test_the_demo_forms_raise_no_magnitude_warning():
    for path in sorted((ROOT / "inputs").glob("*/form.yaml")):
        _, findings = load_form(path)
        assert not [f for f in findings if f.rule == "form.magnitude"], path
