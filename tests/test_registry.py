"""The registry (data/clusters.yaml) against 附件1 of the seed, parsed here on its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reportsmith.registry import clusters as registry
from reportsmith.core.errors import InputError

SEED = Path(__file__).parent / "fixtures" / "seed.txt"


def seed_clusters() -> list[dict]:
    """附件1 as printed: number, name, unit fragments (a unit may be split over lines), account."""
    part = SEED.read_text(encoding="utf-8").split("附件2", 1)[0]
    tokens = [t.strip() for t in part.split("\n") if t.strip()]
    out: list[dict] = []
    level = None
    entry: dict | None = None
    for tok in tokens:
        m = re.match(r"^(国家级|省级)创新型产业集群（(\d+)家）$", tok)
        if m:
            level = m.group(1)
            continue
        if level is None:
            continue
        if re.fullmatch(r"\d+", tok) and entry is None:
            entry = {"level": level, "seq": int(tok), "fragments": []}
        elif entry is not None and "name" not in entry:
            entry["name"] = tok
        elif entry is not None and re.fullmatch(r"[a-z]+", tok):
            units = [u for frag in entry.pop("fragments") for u in frag.split("、") if u]
            out.append({**entry, "units": units, "account": tok})
            entry = None
        elif entry is not None:
            entry["fragments"].append(tok)
    return out


@pytest.fixture(scope="module")
def seed():
    return seed_clusters()


def test_seed_parser_sees_48_entries_with_declared_level_counts(seed):
    text = SEED.read_text(encoding="utf-8")
    declared = {m.group(1): int(m.group(2)) for m in re.finditer(r"(国家级|省级)创新型产业集群（(\d+)家）", text)}
    assert declared == {"国家级": 16, "省级": 32}
    assert [c["level"] for c in seed].count("国家级") == 16
    assert [c["level"] for c in seed].count("省级") == 32


def test_registry_has_16_national_then_32_provincial_numbered_from_one():
    clusters = registry.load_clusters()
    assert len(clusters) == 48
    assert [(c.level, c.seq) for c in clusters] == [("国家级", i) for i in range(1, 17)] + [("省级", i) for i in range(1, 33)]


def test_registry_equals_the_seed_entry_by_entry(seed):
    ours = [{"level": c.level, "seq": c.seq, "name": c.name, "units": list(c.units), "account": c.account}
            for c in registry.load_clusters()]
    assert ours == seed


def test_accounts_are_unique_and_those_of_the_seed(seed):
    accounts = registry.accounts()
    assert len(set(accounts)) == 48
    assert accounts == [c["account"] for c in seed]


def test_two_unit_entries_keep_both_units_without_line_break_debris():
    assert registry.get_cluster("hstgcyjq").units == ("黄石市科技局", "西塞山区人民政府")
    assert registry.get_cluster("hsdtyjcyjq").units == ("黄石市科技局", "黄石新港（物流）工业园区管委会")
    assert registry.get_cluster("xnswyycyjq").units == ("咸宁市科技局", "咸安区人民政府")
    for c in registry.load_clusters():
        for unit in c.units:
            assert unit == unit.strip() and "、" not in unit and "\n" not in unit


def test_lint_points_out_exactly_the_two_irregular_spellings():
    findings = registry.lint_clusters()
    flagged = {(f.rule, f.key) for f in findings}
    assert flagged == {("clusters.name_suffix", "jsznqgcyjc"), ("clusters.account_suffix", "jsznqgcyjc")}
    name = next(f for f in findings if f.rule == "clusters.name_suffix")
    assert "京山高新区智能轻工装备省级创新产业集群" in name.message and "创新型产业集群" in name.message
    account = next(f for f in findings if f.rule == "clusters.account_suffix")
    assert "jsznqgcyjc" in account.message and "cyjq" in account.message
    # Kept verbatim, not "fixed".
    assert registry.get_cluster("jsznqgcyjc").name.endswith("省级创新产业集群")


@pytest.mark.parametrize(
    ("query", "accounts"),
    [
        ("whkjcyjq", ["whkjcyjq"]),
        ("国家级-3", ["xyqccyjq"]),
        ("省级-12", ["hstgcyjq"]),
        ("国家级 3", ["xyqccyjq"]),
        ("省级－１２", ["hstgcyjq"]),
        ("香菇", ["szxgcyjq"]),
        ("西塞山区人民政府", ["hstgcyjq"]),
        ("天门", ["tmswcyjq", "tmzzcyjq"]),
        ("省级-33", []),
    ],
)
def test_find_clusters_by_account_code_and_fragment(query, accounts):
    assert [c.account for c in registry.find_clusters(query)] == accounts


def test_unknown_account_names_the_closest_one():
    with pytest.raises(InputError) as exc:
        registry.get_cluster("whkjcyj")
    assert "whkjcyjq" in exc.value.text()
