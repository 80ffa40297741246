"""Relational rules of the statistical form: values checked against each other.

The rules are data (``data/form.yaml``): parents of "其中" rows, disjoint children,
category groups and plausibility ratios. Rows that are 未填 are skipped by every rule
and reported once, with severity info — an empty row is never read as 0.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Callable, Mapping

from reportsmith.form import spec as formspec
from reportsmith.core.errors import Finding, Severity
from reportsmith.form.data import FormData, Number

LineOf = Callable[[str], "int | None"]


def _show(value: Number) -> str:
    if isinstance(value, int):
        return str(value)
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class _Collector:
    def __init__(self, data: FormData, line_of: LineOf | None, prefix: str) -> None:
        self.file = data.source
        self.line_of = line_of or (lambda key: None)
        self.prefix = prefix  # "" for this year, "previous." for last year's values
        self.where = "上年（previous）" if prefix else ""
        self.findings: list[Finding] = []

    def add(self, severity: Severity, rule: str, key: str, message: str, hint: str, measured=None, limit=None) -> None:
        full = self.prefix + key
        self.findings.append(
            Finding(severity, rule, self.where + message, file=self.file, line=self.line_of(full), key=full,
                    hint=hint, measured=measured, limit=limit)
        )


def _parents(values: Mapping[str, Number], c: _Collector) -> None:
    for row in formspec.value_rows():
        if row.parent and row.key in values and row.parent in values:
            child, parent = values[row.key], values[row.parent]
            if child > parent:
                c.add(Severity.ERROR, "form.child_above_parent", row.key,
                      f"“{row.key}”（{_show(child)}）大于其上级指标“{row.parent}”（{_show(parent)}）",
                      f"“其中”项是“{row.parent}”的一部分，不能大于它；请核对这两行的数值",
                      measured=child, limit=parent)


def _disjoint(values: Mapping[str, Number], c: _Collector) -> None:
    for rule in formspec.disjoint_rules():
        filled = [k for k in rule.children if k in values]
        if rule.parent not in values or len(filled) < 2:
            continue  # a single child above its parent is reported by _parents
        total = sum(values[k] for k in filled)
        if total > values[rule.parent]:
            parts = " + ".join(f"“{k}”（{_show(values[k])}）" for k in filled)
            c.add(Severity.ERROR, "form.disjoint_sum", filled[0],
                  f"{parts} = {_show(total)}，超过“{rule.parent}”（{_show(values[rule.parent])}）",
                  f"这几项互不重叠，合计不能超过“{rule.parent}”；请核对各项数值",
                  measured=total, limit=values[rule.parent])


def _groups(values: Mapping[str, Number], c: _Collector) -> None:
    totals = sorted({r.group for r in formspec.value_rows() if r.group}, key=lambda k: formspec.rows_by_key()[k].order)
    for total in totals:
        members = [r.key for r in formspec.group_members(total) if r.key in values]
        if total not in values or not members:
            continue
        s = sum(values[k] for k in members)
        if s > values[total]:
            c.add(Severity.WARNING, "form.group_total_below_sum", total,
                  f"“{total}”（{_show(values[total])}）小于所列各类之和（{_show(s)}：{'、'.join(members)}）",
                  f"合计应包括所列各类；一个机构同属两类时可忽略本警告，否则请把“{total}”改为不少于 {_show(s)}",
                  measured=values[total], limit=s)


def _plausibility(values: Mapping[str, Number], c: _Collector) -> None:
    for rule in formspec.plausibility_rules():
        if "numerator" in rule:
            num, den = rule["numerator"], rule["denominator"]
            if num in values and den in values and values[den] > 0:
                ratio = Decimal(values[num]) / Decimal(values[den])
                if ratio > Decimal(str(rule["max_ratio"])):
                    c.add(Severity.WARNING, f"form.{rule['id']}", num,
                          f"{rule['message']}（{_show(values[num])} / {_show(values[den])}）", rule["hint"],
                          measured=float(round(ratio, 4)), limit=rule["max_ratio"])
        elif "when_zero" in rule:
            zero, pos = rule["when_zero"], rule["when_positive"]
            if zero in values and pos in values and values[zero] == 0 and values[pos] > 0:
                c.add(Severity.WARNING, f"form.{rule['id']}", zero, rule["message"], rule["hint"])


def _grouped(value: Decimal) -> str:
    """12685000000 → "12,685,000,000"; 1268500.5 → "1,268,500.5"."""
    text = f"{value.normalize():,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _magnitude(values: Mapping[str, Number], c: _Collector) -> None:
    """A value likely typed in the wrong unit: its relation to a reference row is far outside
    the usual range, and one of the listed mistakes would bring it back inside."""
    flagged: set[str] = set()
    for rule in formspec.magnitude_rules():
        row, per = rule["row"], rule["per"]
        if row in flagged or per in flagged or row not in values or per not in values:
            continue
        value, base = Decimal(values[row]), Decimal(values[per])
        if value <= 0 or base <= 0:
            continue
        low, high = (Decimal(str(x)) for x in rule["range"])
        ratio = value / base
        if low <= ratio <= high:
            continue
        for mistake in rule["mistakes"]:
            factor = Decimal(str(mistake["factor"]))
            if (factor > 1) != (ratio > high):
                continue
            fixed = value / factor
            if low <= fixed / base <= high:
                unit = formspec.rows_by_key()[row].unit or ""
                flagged.add(row)
                c.add(Severity.WARNING, "form.magnitude", row,
                      f"“{row}”填的是 {_grouped(value)} {unit}，{rule['what']}为 {_grouped(round(ratio, 1 if ratio >= 1 else 6))}，"
                      f"远超出常见范围（{_grouped(low)}～{_grouped(high)}），可能{mistake['says']}",
                      f"如果是{mistake['says']}，应改为 {_grouped(fixed)} {unit}；确认无误时可忽略本警告",
                      measured=float(value), limit=float(fixed))
                break


def _unfilled(values: Mapping[str, Number], c: _Collector) -> None:
    for row in formspec.value_rows():
        if row.key not in values:
            c.add(Severity.INFO, "form.unfilled", row.key, f"“{row.key}”未填",
                  f"未填不按 0 计算，相关指标将显示为“不可计算”；确实为 0 时请填 0（单位：{row.unit}）")


def relational_findings(data: FormData, *, line_of: LineOf | None = None) -> list[Finding]:
    """Every relational finding of this year's values, then of last year's (if given)."""
    out: list[Finding] = []
    for values, prefix in ((data.values, ""), (data.previous, "previous.")):
        if prefix and not values:
            continue
        c = _Collector(data, line_of, prefix)
        _parents(values, c)
        _disjoint(values, c)
        _groups(values, c)
        _plausibility(values, c)
        _magnitude(values, c)
        if not prefix:
            _unfilled(values, c)
        out += c.findings
    return out
