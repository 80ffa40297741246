"""The form rows (data/form.yaml) against 附件2 of the seed, parsed here on its own.

The seed prints the table one cell per line, rows separated by blank lines. Rows under a
total carry an extra leading cell; a row continuing a "其中" list is indented with spaces
so that its text lines up after the "其中：" of the row that opened the list. That is
enough to recover the nesting without reading data/form.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from reportsmith.form import spec as formspec
SEED = Path(__file__).parent / "fixtures" / "seed.txt"
QIZHONG = "其中："


@dataclass
class SeedRow:
    label: str
    unit: str
    pos: int  # 100 for the extra leading cell, plus the leading spaces of the label
    header: bool
    parent: str | None = None
    key: str | None = None
    section: str | None = None
    subsection: str | None = None
    group: str | None = None
    depth: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def opens_list(self) -> bool:
        return self.label.startswith(QIZHONG)

    @property
    def text_pos(self) -> int:
        # Where the row's own text starts: after "其中：" (about six spaces wide) if present.
        return self.pos + 6 if self.opens_list else self.pos


def seed_key(label: str) -> str:
    key = re.sub(r"^其中：", "", label)
    key = re.sub(r"^(（[一二三四五六七八九十]+）|[一二三四五六七八九十]+、)", "", key)
    return re.sub(r"\(附名单\)$", "", key)


def seed_form_rows() -> list[SeedRow]:
    part = SEED.read_text(encoding="utf-8").split("附件2", 1)[1].split("附件3", 1)[0]
    table = part.split("\t数量\n", 1)[1].split("依托单位名称", 1)[0]
    rows: list[SeedRow] = []
    for block in table.split("\n\n"):
        cells = [line[1:] if line.startswith("\t") else line for line in block.split("\n") if line]
        if not cells:
            continue
        assert len(cells) in (3, 4), cells
        raw = cells[-3]
        pos = (100 if len(cells) == 4 else 0) + (len(raw) - len(raw.lstrip(" ")))
        unit = cells[-2].strip()
        rows.append(SeedRow(label=raw.strip(), unit=unit, pos=pos, header=unit == "-"))
    _nest(rows)
    return rows


def _nest(rows: list[SeedRow]) -> None:
    section = subsection = total = None
    values: list[SeedRow] = []
    for row in rows:
        if re.match(r"^[一二三四五六七八九十]+、", row.label):
            section, subsection, total = row.label, None, None
        elif re.match(r"^（[一二三四五六七八九十]+）", row.label):
            subsection, total = row.label, None
        row.section, row.subsection = section, subsection
        if row.header:
            continue
        row.key = seed_key(row.label)
        if row.opens_list:
            row.parent = next(p.key for p in reversed(values) if p.text_pos <= row.pos)
        elif row.pos > 0:
            opener = next(p for p in reversed(values) if p.opens_list and p.pos < row.pos)
            row.parent = opener.parent
        if section.startswith("四") and row.label.startswith("（"):
            total = row.key
        elif total and row.parent is None:
            row.group = total
        values.append(row)
    by_key = {r.key: r for r in values}
    for r in values:
        p = r.parent
        while p:
            r.depth += 1
            p = by_key[p].parent


@pytest.fixture(scope="module")
def seed():
    return seed_form_rows()


def test_seed_table_has_83_rows_of_which_77_take_a_value(seed):
    assert len(seed) == 83
    assert len([r for r in seed if not r.header]) == 77


def test_labels_units_and_headers_in_seed_order(seed):
    rows = formspec.form_rows()
    assert [r.label for r in rows] == [s.label for s in seed]
    assert [r.header for r in rows] == [s.header for s in seed]
    assert [r.unit for r in rows if not r.header] == [s.unit for s in seed if not s.header]
    assert {r.unit for r in rows if not r.header} == {"家", "人", "万元", "件", "项", "个"}


def test_keys_are_the_labels_without_qizhong_number_and_list_note(seed):
    assert [r.key for r in formspec.value_rows()] == [s.key for s in seed if not s.header]
    keys = formspec.value_keys()
    assert len(keys) == 77 and len(set(keys)) == 77
    for key in ("高新技术企业", "主导产业营业收入", "创新服务机构数", "研发机构", "金融服务机构", "产业联盟组织数"):
        assert key in keys


def test_parents_follow_the_seed_indentation(seed):
    ours = {r.key: r.parent for r in formspec.value_rows()}
    assert ours == {s.key: s.parent for s in seed if not s.header}
    assert ours["硕士"] == ours["博士"] == "本科及以上"
    assert ours["本科及以上"] == "集群人员总数"
    assert ours["毕业企业数"] == ours["在孵企业数"] == "集群企业总数"
    assert ours["主导产业营业收入"] == "营业收入"


def test_indent_is_the_nesting_depth(seed):
    assert {r.key: r.indent for r in formspec.value_rows()} == {s.key: s.depth for s in seed if not s.header}


def test_sections_and_category_groups_follow_the_seed(seed):
    by_key = {s.key: s for s in seed if not s.header}
    for r in formspec.value_rows():
        assert (r.section, r.subsection) == (by_key[r.key].section, by_key[r.key].subsection), r.key
        assert r.group == by_key[r.key].group, r.key
    assert len(formspec.group_members("创新服务机构数")) == 6
    assert len(formspec.group_members("研发机构")) == 11
    assert len(formspec.group_members("金融服务机构")) == 4


def test_kinds_counts_amounts_and_signed_profit():
    for r in formspec.value_rows():
        expected = "amount" if r.unit == "万元" else "count"
        if r.key == "净利润":
            expected = "signed_amount"
        assert r.kind == expected, r.key


def test_disjoint_rules_name_existing_siblings():
    rules = {(d.parent, d.children) for d in formspec.disjoint_rules()}
    assert ("本科及以上", ("硕士", "博士")) in rules
    assert ("集群企业总数", ("在孵企业数", "毕业企业数")) in rules
    assert len(rules) == 4
    for parent, children in rules:
        for child in children:
            assert formspec.get_row(child).parent == parent


def test_aliases_resolve_to_keys():
    assert formspec.resolve_key("上市企业") == "上市企业（不含“新三板“挂牌企业）"
    assert formspec.resolve_key("新三板挂牌企业") == "挂牌“新三板”企业"
    assert formspec.resolve_key(" 营业收入 ") == "营业收入"
    assert formspec.resolve_key("营收") is None
