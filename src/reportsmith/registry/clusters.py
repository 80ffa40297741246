"""The 48 clusters of 附件1: load, look up, filter and lint.

The data lives in ``data/clusters.yaml``, transcribed verbatim from the seed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict

from reportsmith.core.errors import Finding, InputError, Severity
from reportsmith.core.resources import load_data
from reportsmith.core.textutil import suggestion

Level = Literal["国家级", "省级"]


class Cluster(BaseModel):
    """One innovative industrial cluster (创新型产业集群)."""

    model_config = ConfigDict(frozen=True)

    level: Level
    seq: int
    name: str
    units: tuple[str, ...]
    account: str

    @property
    def code(self) -> str:
        """``国家级-3`` / ``省级-12``: level and number within the level."""
        return f"{self.level}-{self.seq}"

    @property
    def units_text(self) -> str:
        """The supporting units as printed on one line (``黄石市科技局、西塞山区人民政府``)."""
        return "、".join(self.units)


@lru_cache(maxsize=1)
def load_clusters() -> tuple[Cluster, ...]:
    """All clusters in the order of 附件1 (16 national, then 32 provincial)."""
    return tuple(Cluster(**c) for c in load_data("clusters.yaml")["clusters"])


def accounts() -> list[str]:
    """The 48 accounts in the order of 附件1."""
    return [c.account for c in load_clusters()]


def get_cluster(account: str, *, file: str | None = None) -> Cluster:
    """The cluster with this account; :class:`InputError` with a did-you-mean otherwise.

    >>> get_cluster("whkjcyjq").level
    '国家级'
    """
    for c in load_clusters():
        if c.account == account:
            return c
    raise InputError(
        f"账号“{account}”不在附件1的集群名单中",
        file=file,
        key="cluster",
        hint=suggestion(account, accounts()) + "可用 reportsmith clusters 查看全部账号",
    )


_CODE = re.compile(r"^(国家级|省级)\s*[-－—]?\s*(\d+)$")


def find_clusters(query: str | None = None) -> list[Cluster]:
    """Clusters matching an account, a ``国家级-3`` code, or a fragment of the name or units."""
    clusters = list(load_clusters())
    if not query:
        return clusters
    q = query.strip()
    m = _CODE.match(q)
    if m:
        return [c for c in clusters if c.level == m.group(1) and c.seq == int(m.group(2))]
    exact = [c for c in clusters if c.account == q.lower()]
    if exact:
        return exact
    return [c for c in clusters if q in c.name or q.lower() in c.account or any(q in u for u in c.units)]


def lint_clusters() -> list[Finding]:
    """Irregularities in the registry as printed in the seed (kept verbatim, pointed out here)."""
    findings: list[Finding] = []
    clusters = load_clusters()
    file = "data/clusters.yaml"
    for c in clusters:
        if not c.name.endswith("创新型产业集群"):
            findings.append(
                Finding(
                    Severity.WARNING,
                    "clusters.name_suffix",
                    f"{c.code}“{c.name}”的名称不以“创新型产业集群”结尾",
                    file=file,
                    key=c.account,
                    hint="名单照录原文，未作修改；如原文有误，请向主管部门确认后在 clusters.yaml 中更正",
                )
            )
        if c.level == "省级" and "省级" not in c.name:
            findings.append(
                Finding(Severity.WARNING, "clusters.level_in_name", f"{c.code}“{c.name}”的名称中没有“省级”", file=file, key=c.account)
            )
        if not c.account.endswith("cyjq"):
            findings.append(
                Finding(
                    Severity.WARNING,
                    "clusters.account_suffix",
                    f"{c.code}的账号“{c.account}”不以“cyjq”结尾（其余账号均以 cyjq 结尾）",
                    file=file,
                    key=c.account,
                    hint="账号照录原文；登录系统时请以主管部门分配的账号为准",
                )
            )
        if not re.fullmatch(r"[a-z]+", c.account):
            findings.append(Finding(Severity.WARNING, "clusters.account_chars", f"账号“{c.account}”含有小写字母以外的字符", file=file, key=c.account))
    seen: dict[str, Cluster] = {}
    for c in clusters:
        if c.account in seen:
            findings.append(Finding(Severity.ERROR, "clusters.duplicate_account", f"账号“{c.account}”重复", file=file, key=c.account))
        seen[c.account] = c
    for level in ("国家级", "省级"):
        seqs = [c.seq for c in clusters if c.level == level]
        if seqs != list(range(1, len(seqs) + 1)):
            findings.append(Finding(Severity.ERROR, "clusters.sequence", f"{level}序号不连续：{seqs}", file=file))
    return findings
