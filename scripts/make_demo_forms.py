"""Generate the demo statistical forms ``inputs/<account>/form.yaml`` for all 48 clusters.

The figures are synthetic (示例数据, made up) but plausible for the cluster's industry and
size, and internally consistent: every child row stays within its parent, disjoint children
within their parent, category totals at least the sum of their categories. Each cluster's
numbers come from ``random.Random(account)``, so re-running the script gives the same files.

Usage: ``python scripts/make_demo_forms.py [INPUTS_DIR] [--only ACCOUNT ...]``
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from reportsmith.core import atomic

from reportsmith.form import spec as formspec

from reportsmith.registry import clusters as registry
from reportsmith.form.load import form_yaml
from reportsmith.form.data import FormData

HEADER = "示例数据（虚构）：本文件中的数字均为演示用的虚构数据，不代表该集群的真实情况。"
# Lets editors that read this comment complete and check the keys (see reportsmith schema).
SCHEMA_LINE = "yaml-language-server: $schema=../../schemas/form.schema.json"
# Clusters whose 四（一）/（二） rows must stay small: named institution lists match them.
SMALL_INSTITUTIONS = {"whkjcyjq", "ycswcyjq", "szxgcyjq"}


@dataclass(frozen=True)
class Profile:
    """Ratios typical of an industry; each is a (low, high) range drawn per cluster."""

    rd_intensity: tuple[float, float]  # R&D spending / revenue
    export_share: tuple[float, float]
    margin: tuple[float, float]  # net profit / revenue
    degree_share: tuple[float, float]  # 本科及以上 / staff
    revenue_per_staff: tuple[float, float]  # 万元 per person
    revenue_per_firm: tuple[float, float]  # 万元 per firm


PROFILES = {
    "tech": Profile((0.05, 0.09), (0.08, 0.25), (0.05, 0.10), (0.50, 0.75), (90, 180), (9000, 25000)),
    "bio": Profile((0.04, 0.08), (0.03, 0.12), (0.06, 0.12), (0.35, 0.55), (80, 160), (6000, 18000)),
    "equip": Profile((0.03, 0.05), (0.05, 0.15), (0.03, 0.07), (0.25, 0.45), (100, 200), (10000, 30000)),
    "material": Profile((0.02, 0.035), (0.03, 0.12), (0.03, 0.06), (0.15, 0.32), (150, 300), (12000, 35000)),
    "agri": Profile((0.015, 0.03), (0.10, 0.30), (0.04, 0.08), (0.12, 0.28), (60, 120), (4000, 12000)),
}
# First matching keyword of the cluster name decides the profile.
KEYWORDS = [
    ("agri", ("香菇", "硒", "生物农业", "蕲艾", "纺织", "非织造布")),
    ("bio", ("生物医药", "医药", "大健康", "生命健康")),
    ("tech", ("电子", "集成电路", "显示", "信息", "网络安全", "光电子")),
    ("material", ("材料", "化工", "建材", "铝", "特钢", "冶金", "矿产", "纸基")),
    ("equip", ("汽车", "装备", "设备", "机电", "风机", "模具", "航空", "商用车", "电池", "激光")),
]


def profile_for(name: str) -> Profile:
    for kind, words in KEYWORDS:
        if any(w in name for w in words):
            return PROFILES[kind]
    return PROFILES["equip"]


def _part(rng: random.Random, whole: int, low: float, high: float) -> int:
    """A share of ``whole`` (never above it)."""
    return min(whole, round(whole * rng.uniform(low, high)))


def _wan(x: float) -> Decimal:
    return Decimal(str(round(x, 1)))


# How common each kind of institution is (relative weight when spreading a total).
INSTITUTION_WEIGHTS = {
    "省级及以上科技企业孵化器": 3, "省级及以上众创空间": 3, "生产力促进中心": 1, "技术转移机构": 2,
    "产品检验检测机构": 2, "知识产权服务机构": 2,
    "研究院所": 1, "省级及以上重点实验室": 2, "企业技术中心": 4, "新型产业技术研发机构": 2,
    "博士后科研工作站": 2, "各类大学": 1, "国家工程研究中心": 1, "省级及以上工程技术研究中心": 4,
    "国家工程实验室": 1, "外资研发机构": 1, "院士工作站": 1,
    "创业风险投资机构": 3, "担保公司": 2, "小额贷款公司": 2, "科技金融服务机构": 2,
}


def _institutions(rng: random.Random, total_key: str, small: bool, national: bool) -> dict[str, int]:
    """A category total and its categories: the total is at least the sum (categories may overlap)."""
    members = [r.key for r in formspec.group_members(total_key)]
    cats = {k: 0 for k in members}
    cap = 3 if small else 40
    if small:
        count = rng.randint(4, 8)  # totals 4–8, each category 0–3
    else:
        count = rng.randint(25, 60) if national else rng.randint(8, 25)
        count = min(count, 8 * len(members)) if total_key == "金融服务机构" else count
    spread = count - (rng.randint(0, 1) if small else rng.randint(0, 3))
    weights = [INSTITUTION_WEIGHTS.get(k, 1) for k in members]
    while sum(cats.values()) < spread:
        k = rng.choices(members, weights=weights)[0]
        if cats[k] < cap:
            cats[k] += 1
    return {total_key: count, **cats}


def _sub(rng: random.Random, parent: int, low: float, high: float) -> int:
    return min(parent, round(parent * rng.uniform(low, high)))


def generate(account: str, *, scale: float = 1.0, rng: random.Random | None = None) -> dict[str, int | Decimal]:
    """One year's consistent figures for ``account``; ``scale`` < 1 gives a smaller, earlier year."""
    cluster = registry.get_cluster(account)
    national = cluster.level == "国家级"
    p = profile_for(cluster.name)
    rng = rng or random.Random(account)
    v: dict[str, int | Decimal] = {}

    firms = round(rng.uniform(180, 520) if national else rng.uniform(45, 160))
    firms = max(20, round(firms * scale ** 0.5))
    # Provincial clusters have smaller firms; revenue grows with scale (firms and firm size each √scale).
    size = 1.0 if national else 0.6
    revenue = firms * rng.uniform(*p.revenue_per_firm) * size * scale ** 0.5
    staff = round(revenue / rng.uniform(*p.revenue_per_staff))

    v["集群企业总数"] = firms
    v["高新技术企业"] = _part(rng, firms, 0.30, 0.55)
    v["科技型中小企业"] = _part(rng, firms, 0.30, 0.60)
    v["规上企业"] = _part(rng, firms, 0.40, 0.70)
    v["科创新物种企业"] = _part(rng, firms, 0.02, 0.06)
    v["营业收入超过1亿小于10亿元的企业"] = _part(rng, firms, 0.15, 0.30)
    v["营业收入超过10亿元企业"] = max(1 if national else 0, _part(rng, firms, 0.005, 0.03))
    v["境外控股企业"] = _part(rng, firms, 0.01, 0.04)
    v["拥有科技机构的企业"] = _part(rng, firms, 0.30, 0.60)
    v["上市企业（不含“新三板“挂牌企业）"] = rng.randint(2, 8) if national else rng.randint(0, 3)
    v["挂牌“新三板”企业"] = rng.randint(1, 6) if national else rng.randint(0, 3)
    v["在孵企业数"] = _part(rng, firms, 0.05, 0.15)
    v["毕业企业数"] = _part(rng, firms, 0.03, 0.10)

    degree = _part(rng, staff, *p.degree_share)
    v["集群人员总数"] = staff
    v["本科及以上"] = degree
    v["硕士"] = _part(rng, degree, 0.08, 0.22)
    v["博士"] = _part(rng, degree, 0.004, 0.03)
    v["留学回国人员"] = _part(rng, staff, 0.001, 0.008)
    v["集群日常管理机构人员"] = rng.randint(12, 40) if national else rng.randint(6, 20)

    v["工业总产值"] = _wan(revenue * rng.uniform(0.92, 1.08))
    v["营业收入"] = _wan(revenue)
    v["主导产业营业收入"] = _wan(revenue * rng.uniform(0.60, 0.88))
    v["出口总额"] = _wan(revenue * rng.uniform(*p.export_share))
    v["净利润"] = _wan(revenue * rng.uniform(*p.margin))
    v["实际上缴税费总额"] = _wan(revenue * rng.uniform(0.03, 0.06))
    venture = revenue * rng.uniform(0.004, 0.015)
    v["当年获得的风险投资额"] = _wan(venture)
    v["科技企业孵化器在孵企业当年获得风险投资额"] = _wan(venture * rng.uniform(0.10, 0.30))
    v["当年获得的贷款额"] = _wan(revenue * rng.uniform(0.05, 0.12))

    rd_staff = _part(rng, staff, 0.08, 0.20)
    v["研究开发人员合计"] = rd_staff
    v["研究开发费用支出合计"] = _wan(revenue * rng.uniform(*p.rd_intensity))
    applied = max(5, round(rd_staff * rng.uniform(0.04, 0.10)))
    v["当年申请发明专利"] = applied
    v["申请国内发明专利"] = _sub(rng, applied, 0.92, 0.99)
    v["当年申请欧美日专利"] = _part(rng, applied, 0.0, 0.05)
    granted = round(applied * rng.uniform(0.35, 0.60))
    v["当年授权发明专利"] = granted
    v["授权国内发明专利"] = _sub(rng, granted, 0.93, 0.99)
    v["当年授权欧美日专利"] = _part(rng, granted, 0.0, 0.04)
    valid = round(granted * rng.uniform(4, 8))
    v["拥有有效发明专利"] = valid
    v["拥有境外授权专利"] = _part(rng, valid, 0.005, 0.03)
    v["当年形成国际标准"] = rng.randint(0, 3) if national else rng.randint(0, 1)
    v["当年形成国家或行业标准"] = rng.randint(5, 30) if national else rng.randint(1, 10)
    awards = rng.randint(4, 15) if national else rng.randint(1, 6)
    v["当年获得省级及以上科技奖励"] = awards
    v["国家级科技奖励"] = min(awards, rng.randint(0, 2) if national else rng.randint(0, 1))
    contracts = rng.randint(150, 600) if national else rng.randint(30, 180)
    v["认定登记的技术合同项数"] = contracts
    v["认定登记的技术合同成交金额"] = _wan(contracts * rng.uniform(60, 260))
    contest = rng.randint(15, 45) if national else rng.randint(3, 15)
    v["中国创新创业大赛参赛企业数"] = contest
    v["获省级以上奖励企业数"] = _sub(rng, contest, 0.1, 0.35)
    projects = rng.randint(25, 90) if national else rng.randint(6, 30)
    v["当年承担或在研省级及以上科技计划项目数"] = projects
    v["国家级科技计划项目数"] = _sub(rng, projects, 0.08, 0.25)

    small = account in SMALL_INSTITUTIONS
    v.update(_institutions(rng, "创新服务机构数", small, national))
    v["国家级科技企业孵化器"] = rng.randint(0, v["省级及以上科技企业孵化器"])
    v["科技部备案的众创空间"] = rng.randint(0, v["省级及以上众创空间"])
    v["国家技术转移机构"] = rng.randint(0, v["技术转移机构"])
    v["具有国家级资质产品检验检测机构"] = rng.randint(0, v["产品检验检测机构"])
    v.update(_institutions(rng, "研发机构", small, national))
    v.update(_institutions(rng, "金融服务机构", False, national))
    v["产业联盟组织数"] = rng.randint(2, 6) if national else rng.randint(1, 3)
    return v


class _Nudged:
    """A random source whose draws are those of ``base``, each moved by a few per cent."""

    def __init__(self, base: random.Random, nudge: random.Random) -> None:
        self.base, self.nudge = base, nudge

    def uniform(self, low: float, high: float) -> float:
        return self.base.uniform(low, high) * (1 + self.nudge.uniform(-0.06, 0.06))

    def randint(self, low: int, high: int) -> int:
        return max(low, round(self.base.randint(low, high) * (1 + self.nudge.uniform(-0.15, 0.05))))

    def choices(self, *args, **kwargs):
        return self.base.choices(*args, **kwargs)


def _previous(account: str, current: dict) -> dict:
    """Last year's figures: the same cluster a little smaller (growth 3–15 %)."""
    rng = random.Random(account + ":previous")
    # The same draws as this year (same shape of cluster), each nudged a little, so that
    # shares and intensities move from one year to the next instead of staying equal.
    prev = generate(account, scale=1 / rng.uniform(1.03, 1.15), rng=_Nudged(random.Random(account), rng))
    # Institutions change slowly: last year at most one fewer in each row.
    for r in formspec.value_rows():
        if r.section.startswith("四") or r.key == "产业联盟组织数":
            prev[r.key] = current[r.key]
    for total in ("创新服务机构数", "研发机构", "金融服务机构"):
        for m in formspec.group_members(total):
            if prev[m.key] > 0 and rng.random() < 0.3:
                prev[m.key] -= 1
                for child in formspec.children_of(m.key):
                    prev[child.key] = min(prev[child.key], prev[m.key])
    return prev


def render(account: str) -> str:
    """The text of ``inputs/<account>/form.yaml`` (form_yaml names the cluster and its 依托单位)."""
    cur = generate(account)
    data = FormData(values=cur, previous=_previous(account, cur), year=2024, cluster=account)
    return form_yaml(data, comments=(HEADER, SCHEMA_LINE))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="生成 48 个集群的示例统计报表 inputs/<账号>/form.yaml")
    ap.add_argument("inputs", nargs="?", default="inputs", type=Path)
    ap.add_argument("--only", nargs="*", default=None)
    args = ap.parse_args(argv)
    accounts = args.only or registry.accounts()
    for account in accounts:
        atomic.write_text(args.inputs / account / "form.yaml", render(account))
    print(f"已生成 {len(accounts)} 个示例 form.yaml")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
