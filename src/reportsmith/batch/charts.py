"""Charts a reviewer would rather look at than read, drawn with matplotlib (Agg, PNG).

* :func:`zishu_chart` — each cluster's 字数 against the 3,500 band;
* :func:`coverage_chart` — clusters × the topics of 附件3: covered / negated / missing;
* :func:`province_indicator_chart` — the key indicators of 国家级 and 省级 clusters, this
  year against last, with their 同比;
* :func:`cluster_indicator_chart` — one cluster's key indicators (for its 附件1).

The inputs are plain records (:class:`ClusterPoint`, :class:`IndicatorFigure`) made from a
batch's results (:func:`points_from_batch`) or from check results (:func:`points_from_checks`),
so the web desk draws the same pictures. Labels are Chinese, in the first CJK font of
``data/charts.yaml`` that is installed (:func:`cjk_font` says clearly when none is).
Same inputs give the same bytes: no timestamps or software version in the PNG, fixed size
and resolution, files written atomically.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from reportsmith.core.numfmt import format_change
from reportsmith.core.resources import load_data
from reportsmith.outline.headings import headings, length_rule
from reportsmith.registry.clusters import Cluster
from reportsmith.report.charts import (  # the shared drawing; re-exported for the web desk
    IndicatorFigure,
    _change_kind,
    _figure,
    _indicator_grid,
    _pyplot,
    _save,
    _settings,
    _value,
    _width_in,
    cjk_font,
    cluster_indicator_chart,
    cluster_indicators,
)

__all__ = [
    "ClusterPoint",
    "IndicatorFigure",
    "cjk_font",
    "cluster_indicator_chart",
    "cluster_indicators",
    "coverage_chart",
    "points_from_batch",
    "points_from_checks",
    "province_indicator_chart",
    "province_indicators",
    "short_label",
    "write_charts",
    "zishu_chart",
]

COVERED, NEGATED, MISSING, UNCHECKED = "covered", "negated", "missing", "none"
OUTCOME_LABELS = {COVERED: "已涉及", NEGATED: "仅有否定表述", MISSING: "未涉及", UNCHECKED: "未提交或未检查"}
SCOPES = ("国家级", "省级")
CHART_FILES = {"zishu": "图1_字数.png", "coverage": "图2_提纲覆盖.png", "indicators": "图3_主要指标.png"}
# --- records ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterPoint:
    """One cluster as the charts see it; ``topics`` is empty when the cluster was not checked."""

    cluster: Cluster
    zishu: int | None = None
    band: str | None = None  # ok / warn / fail
    topics: Mapping[tuple[str, str], str] = field(default_factory=dict)  # (heading, topic) → outcome


def short_label(cluster: Cluster) -> str:
    """``国1`` / ``省12``: a cluster's level and number in 附件1 (axis labels of the coverage map)."""
    return f"{cluster.level[0]}{cluster.seq}"


def _topic_keys() -> list[tuple[str, str]]:
    return [(h.title, t.name) for h in headings() for t in h.topics]


def _outcome_of(topic: Any) -> str:
    """covered / negated / missing of one coverage record, whichever way the record says it."""
    for attr in ("outcome", "status"):
        value = getattr(topic, attr, None)
        if value in (COVERED, NEGATED, MISSING):
            return value
    if getattr(topic, "negated", False):
        return NEGATED
    return COVERED if getattr(topic, "covered", False) else MISSING


def points_from_checks(pairs: Iterable[tuple[Cluster, Any]]) -> list[ClusterPoint]:
    """Points from ``(cluster, CheckResult or None)`` pairs (None: not submitted)."""
    out = []
    for cluster, result in pairs:
        if result is None:
            out.append(ClusterPoint(cluster))
            continue
        topics = {(t.heading, t.topic): _outcome_of(t) for t in result.topics}
        out.append(ClusterPoint(cluster, result.zishu, result.band, topics))
    return out


def points_from_batch(results: Iterable[Any]) -> list[ClusterPoint]:
    """Points from a batch's per-cluster results (``BatchResult.clusters``)."""
    keys = _topic_keys()
    out = []
    for r in results:
        if r.coverage is None:
            out.append(ClusterPoint(r.cluster, r.zishu, r.band))
            continue
        missing = set(r.missing_topics)
        negated = set(getattr(r, "negated_topics", ()) or ())
        topics = {k: NEGATED if k in negated else MISSING if k in missing else COVERED for k in keys}
        out.append(ClusterPoint(r.cluster, r.zishu, r.band, topics))
    return out


def province_indicators(forms: Iterable[tuple[str, Any]]) -> list[IndicatorFigure]:
    """Key indicators of the 国家级 and 省级 clusters from ``(level, FormData)`` pairs.

    Totals are sums of the clusters that filled the row (ratios recomputed on the sums); the
    同比 compares like with like: only clusters that filled the figure in both years.
    """
    forms = list(forms)
    out = []
    for spec in _settings()["indicators"]:
        key = spec["key"]
        current, previous, change = {}, {}, {}
        for scope in SCOPES:
            mine = [f for level, f in forms if level == scope]
            current[scope] = _summed(mine, key, False)
            previous[scope] = _summed(mine, key, True)
            both = [f for f in mine if _value(f, key, False) is not None and _value(f, key, True) is not None]
            cur, prev = _summed(both, key, False), _summed(both, key, True)
            change[scope] = format_change(cur, prev, _change_kind(spec["kind"])) if both else ""
        out.append(_figure(spec, current, previous, change))
    return out


def _summed(forms: Sequence[Any], key: str, previous: bool) -> Decimal | None:
    """The sum of a row over ``forms`` (those that filled it), or a derived figure on the summed rows."""
    from reportsmith.form.data import FormData

    if not forms:
        return None
    rows = {k for f in forms for k in (f.previous if previous else f.values)}
    if key in rows or not _is_derived(key):
        vals = [_value(f, key, previous) for f in forms]
        vals = [v for v in vals if v is not None]
        return sum(vals, Decimal(0)) if vals else None
    sums: dict[str, Decimal] = {}
    for f in forms:
        # A derived figure uses only clusters whose every input is filled, so numerator and denominator match.
        if _value(f, key, previous) is None:
            continue
        for k, v in (f.previous if previous else f.values).items():
            if v is not None:
                sums[k] = sums.get(k, Decimal(0)) + Decimal(v)
    if not sums:
        return None
    total = FormData(values=sums, year=forms[0].year)
    return _value(total, key, False)


def _is_derived(key: str) -> bool:
    from reportsmith.compute.indicators import find_spec

    return find_spec(key) is not None


# --- drawing ---------------------------------------------------------------------------


def _name(c: Cluster, most: int = 22) -> str:
    name = c.name.replace("创新型产业集群", "").replace("创新产业集群", "")
    return name if len(name) <= most else name[: most - 1] + "…"


def zishu_chart(points: Sequence[ClusterPoint], path: Path | None = None) -> bytes:
    """Horizontal bars: each cluster's body 字数, coloured by band, against the target and its bands."""
    plt = _pyplot()
    colors = _settings()["colors"]
    rule = length_rule()
    n = len(points)
    fig, ax = plt.subplots(figsize=(_width_in(), max(2.5, 0.9 + 0.16 * n)), layout="constrained")
    ys = list(range(n))[::-1]
    values = [p.zishu or 0 for p in points]
    bar_colors = [colors.get(p.band, colors["none"]) if p.zishu is not None and p.band else colors["none"] for p in points]
    ax.axvspan(rule.target * (1 - rule.warn), rule.target * (1 + rule.warn), color="#FFF3CD", zorder=0)
    ax.axvspan(rule.target * (1 - rule.ok), rule.target * (1 + rule.ok), color="#DFF0D8", zorder=0)
    ax.axvline(rule.target, color="#555555", linewidth=0.8, zorder=1)
    ax.barh(ys, values, color=bar_colors, height=0.7, zorder=2)
    for y, p in zip(ys, points):
        text = f"{p.zishu}" if p.zishu is not None else "未提交"
        ax.text((p.zishu or 0) + 40, y, text, va="center", fontsize=5.5, zorder=3)
    ax.set_yticks(ys, [f"{short_label(p.cluster)} {_name(p.cluster)}" for p in points], fontsize=5.5)
    ax.set_ylim(-0.7, n - 0.3)
    top = max([rule.target * (1 + rule.warn)] + values) * 1.12
    ax.set_xlim(0, top)
    ax.tick_params(axis="x", labelsize=6)
    ax.set_xlabel("正文字数", fontsize=7)
    ax.set_title(
        f"各集群正文字数（目标 {rule.target} 字；绿色带 ±{rule.ok:.0%} 合格，黄色带 ±{rule.warn:.0%} 偏差较大）", fontsize=8
    )
    from matplotlib.patches import Patch

    ax.legend(
        handles=[Patch(color=colors[k], label=lbl) for k, lbl in (("ok", "合格"), ("warn", "偏差较大"), ("fail", "不合格"), ("none", "未提交"))],
        fontsize=6, loc="lower right", frameon=True,
    )
    return _save(fig, path)


def coverage_chart(points: Sequence[ClusterPoint], path: Path | None = None) -> bytes:
    """A map of the topics of 附件3 (rows) × clusters (columns): covered / negated / missing."""
    plt = _pyplot()
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    colors = _settings()["colors"]
    order = [COVERED, NEGATED, MISSING, UNCHECKED]
    keys = _topic_keys()
    grid = [[order.index(p.topics.get(k, UNCHECKED) if p.topics else UNCHECKED) for p in points] for k in keys]
    fig, ax = plt.subplots(figsize=(_width_in(), max(3.0, 1.4 + 0.15 * len(keys))), layout="constrained")
    cmap = ListedColormap([colors[o] for o in order])
    ax.imshow(grid, cmap=cmap, vmin=-0.5, vmax=len(order) - 0.5, aspect="auto", interpolation="nearest")
    numbers = {h.title: h.number + ("、" if h.level == 1 else "") for h in headings()}
    ax.set_yticks(range(len(keys)), [f"{numbers[h]}{t if len(t) <= 16 else t[:15] + '…'}" for h, t in keys], fontsize=5)
    ax.set_xticks(range(len(points)), [short_label(p.cluster) for p in points], fontsize=4.5, rotation=90)
    ax.set_xticks([x - 0.5 for x in range(1, len(points))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(keys))], minor=True)
    ax.grid(which="minor", color="white", linewidth=0.4)
    ax.tick_params(which="minor", length=0)
    used = {o for row in grid for o in row}
    ax.legend(
        handles=[Patch(color=colors[o], label=OUTCOME_LABELS[o]) for i, o in enumerate(order) if i in used or o != NEGATED],
        fontsize=6, loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=4, frameon=False,
    )
    ax.set_title("附件3提纲内容项覆盖情况（列：集群，“国”为国家级、“省”为省级，数字为附件1序号）", fontsize=8)
    return _save(fig, path)


def province_indicator_chart(figures: Sequence[IndicatorFigure], path: Path | None = None, *, year: int | None = None) -> bytes:
    """Four panels (营业收入, 研发投入强度, 高新技术企业, 有效发明专利): 国家级 vs 省级, last year vs this, 同比."""
    return _indicator_grid(figures, SCOPES, "全省创新型产业集群主要指标（国家级与省级）", year, path)


def write_charts(points: Sequence[ClusterPoint], figures: Sequence[IndicatorFigure], folder: Path, *, year: int | None = None) -> dict[str, Path]:
    """The three province charts into ``folder`` (names in :data:`CHART_FILES`); name → path."""
    folder = Path(folder)
    zishu_chart(points, folder / CHART_FILES["zishu"])
    coverage_chart(points, folder / CHART_FILES["coverage"])
    province_indicator_chart(figures, folder / CHART_FILES["indicators"], year=year)
    return {k: folder / v for k, v in CHART_FILES.items()}
