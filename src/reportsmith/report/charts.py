"""Charts drawn with matplotlib (Agg, PNG): the shared drawing, and one cluster's indicator chart.

:func:`cluster_indicator_chart` draws a cluster's key indicators (营业收入, 研发投入强度,
高新技术企业, 有效发明专利: last year against this, with 同比) — placed in 附件1 of its report
by ``build --chart`` / ``batch --chart`` (:func:`add_indicator_chart`). The province charts
(:mod:`reportsmith.batch.charts`) use the same font, size and saving. Labels are Chinese, in
the first CJK font of ``data/charts.yaml`` that is installed (:func:`cjk_font` says clearly
when none is). Same inputs give the same bytes: no timestamp or software name in the PNG,
fixed size and resolution.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping, Sequence

from reportsmith.core.atomic import atomic_path
from reportsmith.core.errors import InputError
from reportsmith.core.numfmt import format_change
from reportsmith.core.resources import load_data

__all__ = [
    "IndicatorFigure",
    "add_indicator_chart",
    "cjk_font",
    "cluster_indicator_chart",
    "cluster_indicators",
]

_MM = 1 / 25.4


def _settings() -> dict:
    return load_data("charts.yaml")


@dataclass(frozen=True)
class IndicatorFigure:
    """One key indicator: this year's and last year's value per scope, and the 同比 text."""

    label: str
    unit: str
    kind: str  # amount / count / ratio
    current: Mapping[str, Decimal | None]
    previous: Mapping[str, Decimal | None]
    change: Mapping[str, str]  # scope → "同比增长12.0%" / "提高0.4个百分点" / ""


def _value(form: Any, key: str, previous: bool) -> Decimal | None:
    """A row's value (or a derived figure, computed from the form) for this year or the last."""
    values = form.previous if previous else form.values
    if key in values:
        v = values[key]
        return None if v is None else Decimal(v)
    from reportsmith.compute.indicators import compute

    for ind in compute(form):
        if ind.name == key:
            v = ind.previous if previous else ind.value
            return None if v is None else Decimal(v)
    return None


def _change_kind(kind: str) -> str:
    return "ratio" if kind == "ratio" else "amount" if kind == "amount" else "count"


def _figure(spec: dict, current: dict, previous: dict, change: dict) -> IndicatorFigure:
    return IndicatorFigure(spec["label"], spec["unit"], spec["kind"], current, previous, change)


def cluster_indicators(form: Any) -> list[IndicatorFigure]:
    """One cluster's key indicators (scope ``本集群``) from its form (``FormData``)."""
    out = []
    for spec in _settings()["indicators"]:
        cur, prev = _value(form, spec["key"], False), _value(form, spec["key"], True)
        out.append(_figure(spec, {"本集群": cur}, {"本集群": prev}, {"本集群": format_change(cur, prev, _change_kind(spec["kind"]))}))
    return out


def cjk_font(candidates: Sequence[str] | None = None) -> str:
    """The family name of the first installed CJK font of ``data/charts.yaml`` (or ``candidates``);
    InputError when none is."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    wanted = list(candidates) if candidates is not None else _settings()["fonts"]
    for name in wanted:
        if name in installed:
            return name
    raise InputError(
        "未找到可显示中文的字体，无法绘制图表（图中文字会显示为方框）",
        file="data/charts.yaml",
        key="fonts",
        hint=f"请安装其中一种字体：{'、'.join(wanted)}（Linux：apt install fonts-noto-cjk）；"
        "安装后如仍找不到，请删除 matplotlib 的字体缓存（~/.cache/matplotlib）后重试",
    )


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = cjk_font()
    plt.rcParams.update({
        "font.family": "sans-serif",
        "font.sans-serif": [font],
        "axes.unicode_minus": False,
        "svg.hashsalt": "reportsmith",
        "figure.dpi": _settings()["dpi"],
    })
    return plt


def _save(fig: Any, path: Path | None) -> bytes:
    """PNG bytes without timestamp or software name; written atomically to ``path`` when given."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_settings()["dpi"], metadata={"Software": None})
    plt.close(fig)
    data = buf.getvalue()
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            tmp.write_bytes(data)
    return data


def _width_in() -> float:
    return _settings()["width_mm"] * _MM


def _plot_value(fig: IndicatorFigure, v: Decimal | None) -> float:
    if v is None:
        return 0.0
    if fig.kind == "amount":
        return float(v / Decimal(10000))  # 万元 → 亿元
    if fig.kind == "ratio":
        return float(v * 100)
    return float(v)


def _value_text(fig: IndicatorFigure, v: Decimal | None) -> str:
    if v is None:
        return "未填"
    x = _plot_value(fig, v)
    return f"{x:,.0f}" if fig.kind == "count" else f"{x:,.2f}" if fig.kind == "amount" else f"{x:.1f}"


def _indicator_grid(figures: Sequence[IndicatorFigure], scopes: Sequence[str], title: str, year: int | None, path: Path | None) -> bytes:
    plt = _pyplot()
    from matplotlib.patches import Patch

    colors = _settings()["colors"]
    fig, axes = plt.subplots(2, 2, figsize=(_width_in(), _width_in() * 0.72), layout="constrained")
    this_year = f"{year}年" if year else "本年"
    last_year = f"{year - 1}年" if year else "上年"
    for ax, f in zip(axes.flat, figures):
        xs = range(len(scopes))
        prev = [_plot_value(f, f.previous.get(s)) for s in scopes]
        cur = [_plot_value(f, f.current.get(s)) for s in scopes]
        ax.bar([x - 0.18 for x in xs], prev, width=0.34, color=colors["previous"])
        ax.bar([x + 0.18 for x in xs], cur, width=0.34, color=colors["current"])
        top = max(prev + cur + [1.0])
        for x, s in zip(xs, scopes):
            ax.text(x - 0.18, prev[x] + top * 0.02, _value_text(f, f.previous.get(s)), ha="center", fontsize=5.5)
            ax.text(x + 0.18, cur[x] + top * 0.02, _value_text(f, f.current.get(s)), ha="center", fontsize=5.5)
            change = f.change.get(s) or ""
            ax.text(x, top * 1.42, change.replace("同比", "同比\n", 1) if change else "同比不可计算", ha="center", va="top", fontsize=6,
                    color="#333333")
        ax.set_ylim(0, top * 1.45)
        ax.set_xticks(list(xs), list(scopes), fontsize=7)
        ax.tick_params(axis="y", labelsize=6)
        ax.set_title(f"{f.label}（{f.unit}）", fontsize=8)
        ax.spines[["top", "right"]].set_visible(False)
    fig.legend(handles=[Patch(color=colors["previous"], label=last_year), Patch(color=colors["current"], label=this_year)],
               loc="outside lower center", ncol=2, fontsize=7, frameon=False)
    fig.suptitle(title, fontsize=9)
    return _save(fig, path)


def cluster_indicator_chart(figures: Sequence[IndicatorFigure], path: Path | None = None, *, year: int | None = None,
                            title: str = "本集群主要指标") -> bytes:
    """One cluster's four key indicators, last year against this, with 同比 (for 附件1 of its report)."""
    return _indicator_grid(figures, ("本集群",), title, year, path)


CHART_CAPTION = "主要指标本年与上年对比"


def add_indicator_chart(assembled: Any, docx_path: Path) -> bool:
    """Put the cluster's indicator chart into 附件1 of its rendered report (after the indicators table).

    False (nothing changed) when the cluster has no form. The file is saved again with the
    report's own date, so the same inputs still give the same bytes.
    """
    from reportsmith.docx.compose import insert_picture_after_table
    from reportsmith.report.render import document_date

    if assembled.form is None:
        return False
    png = cluster_indicator_chart(cluster_indicators(assembled.form), year=assembled.year,
                                  title=f"{assembled.cluster.name}主要指标")
    return insert_picture_after_table(docx_path, "附件1", png, _settings()["width_mm"], f"图　{CHART_CAPTION}",
                                      document_date(assembled))
