"""The department's summary of a batch: summary.csv / summary.xlsx, index.html, manifest.json.

All are formatters over the same rows (:func:`summary_rows`), built from the batch's
per-cluster results — so every figure equals what ``reportsmith check`` says for that
cluster. Each file is written atomically and deterministically: no clock time, fixed
.xlsx properties, sorted manifest. The province roll-up (:mod:`reportsmith.rollup`) goes
into ``汇总.xlsx`` and into the sheet 全省合计 of summary.xlsx.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from . import rollup
from ._batchwork import STATUS_BUILT, STATUS_FAILED, STATUS_MISSING, STATUS_PROBLEMS
from .batchstamp import sha256_file
from .atomic import write_text
from .numfmt import format_percent

if TYPE_CHECKING:
    from ._batchwork import ClusterResult
    from .batch import BatchResult

COLUMNS = ("级别", "序号", "集群名称", "依托单位", "账号", "状态", "字数", "长度评价", "覆盖率", "缺失主题",
           "佐证缺失数", "表单错误数", "警告数", "输出文件")  # fmt: skip
CSV_NAME, XLSX_NAME, HTML_NAME, MANIFEST_NAME = "summary.csv", "summary.xlsx", "index.html", "manifest.json"
SHEET_NAME = "汇总"
_STATUS_ORDER = (STATUS_FAILED, STATUS_PROBLEMS, STATUS_MISSING, STATUS_BUILT)  # sorting: worst first


def coverage_ratio(res: "ClusterResult") -> Decimal | None:
    """Covered topics / all topics, exactly, or None when the cluster was not checked."""
    if res.coverage is None or not res.topics_total:
        return None if res.coverage is None else Decimal(0)
    return Decimal(res.topics_covered) / Decimal(res.topics_total)


def missing_topics_text(res: "ClusterResult") -> str:
    """``集群总体情况：区位、规模；集群发展成效：成果`` — grouped by heading, in outline order."""
    groups: dict[str, list[str]] = {}
    for heading, topic in res.missing_topics:
        groups.setdefault(heading, []).append(topic)
    return "；".join(f"{h}：{'、'.join(ts)}" for h, ts in groups.items())


def summary_rows(result: "BatchResult") -> list[dict[str, Any]]:
    """One row per cluster (registry order), keyed by :data:`COLUMNS`; numbers stay numbers."""
    rows = []
    for r in result.clusters:
        c = r.cluster
        rows.append(
            {
                "级别": c.level,
                "序号": c.seq,
                "集群名称": c.name,
                "依托单位": c.units_text,
                "账号": r.key,
                "状态": r.status,
                "字数": r.zishu,
                "长度评价": r.band_label or None,
                "覆盖率": coverage_ratio(r),
                "缺失主题": missing_topics_text(r) or None,
                "佐证缺失数": r.evidence_missing,
                "表单错误数": r.form_errors,
                "警告数": r.warnings if r.status != STATUS_FAILED else None,
                "输出文件": r.output,
            }
        )
    return rows


def _text(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column == "覆盖率":
        return format_percent(value)
    return str(value)


def csv_text(rows: list[dict[str, Any]]) -> str:
    """The rows as CSV text (the caller encodes it UTF-8 with a BOM, for Excel)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_text(k, row[k]) for k in COLUMNS])
    return buf.getvalue()


def batch_year(result: "BatchResult") -> int:
    years = [r.year for r in result.clusters if r.year] + [r.form.year for r in result.clusters if r.form and r.form.year]
    return max(years) if years else 2024


def write_summary(result: "BatchResult") -> dict[str, Path]:
    """Write every summary file into ``result.out``; return name → path (manifest last)."""
    out = result.out
    out.mkdir(parents=True, exist_ok=True)
    year = batch_year(result)
    rows = summary_rows(result)
    roll = rollup.compute_rollup(
        [(r.cluster.level, r.form) for r in result.clusters if r.form is not None], year=year
    )
    files: dict[str, Path] = {}
    files["csv"] = write_text(out / CSV_NAME, csv_text(rows), encoding="utf-8-sig")
    files["xlsx"] = _write_xlsx(rows, roll, out / XLSX_NAME)
    files["rollup"] = rollup.write_rollup_xlsx(roll, out / rollup.ROLLUP_FILE)
    files["index"] = write_text(out / HTML_NAME, index_html(result, rows, year))
    files["manifest"] = write_manifest(result, list(files.values()))
    return files


def _write_xlsx(rows: list[dict[str, Any]], roll: rollup.Rollup, path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_NAME
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for row in rows:
        ws.append([float(row[k]) if k == "覆盖率" and row[k] is not None else row[k] for k in COLUMNS])
        ws.cell(ws.max_row, COLUMNS.index("覆盖率") + 1).number_format = "0.0%"
        if row["输出文件"]:
            link = ws.cell(ws.max_row, COLUMNS.index("输出文件") + 1)
            link.hyperlink, link.style = row["输出文件"], "Hyperlink"
    widths = (8, 6, 44, 24, 14, 10, 8, 10, 8, 40, 10, 10, 8, 50)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "D2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{ws.max_row}"
    rollup.write_rollup_sheet(wb.create_sheet(rollup.SHEET_TITLE), roll)
    return rollup.save_workbook(wb, path, year=roll.year)


def write_manifest(result: "BatchResult", summary_files: list[Path]) -> Path:
    """``manifest.json``: every output (reports and summary files), path relative to out/ and SHA-256, sorted."""
    out = result.out
    paths = set(summary_files)
    for r in result.clusters:
        for rel in (r.output, r.pdf):
            if rel and (out / rel).is_file():
                paths.add(out / rel)
    entries = sorted(({"path": p.relative_to(out).as_posix(), "sha256": sha256_file(p)} for p in paths), key=lambda e: e["path"])
    text = json.dumps({"files": entries}, ensure_ascii=False, indent=2) + "\n"
    return write_text(out / MANIFEST_NAME, text)


def report_href(rel: str) -> str:
    """A relative link to a report, each path segment percent-encoded (Chinese file names)."""
    return "/".join(quote(part) for part in rel.split("/"))


# --- index.html ------------------------------------------------------------------------------

_CSS = """
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC",sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}table{border-collapse:collapse;font-size:.9em}
th,td{border:1px solid #bbb;padding:.3em .5em;vertical-align:top;text-align:left}
th{background:#ddebf7;cursor:pointer;white-space:nowrap;position:sticky;top:0}
th[data-dir=asc]::after{content:" ▲"}th[data-dir=desc]::after{content:" ▼"}
td.n{text-align:right}ul{margin:0;padding-left:1.2em}
.s-已生成{color:#176f2c}.s-有问题{color:#9a6700}.s-无法生成{color:#b00020;font-weight:bold}.s-未提交{color:#666}
.stray{color:#b00020}
"""

# Sorting: a header click orders the rows by that column's data-sort (or text), numbers as numbers.
_JS = """
document.querySelectorAll("th").forEach(function(th,i){th.addEventListener("click",function(){
var tb=th.closest("table").tBodies[0],asc=th.dataset.dir!=="asc";
th.parentNode.querySelectorAll("th").forEach(function(h){delete h.dataset.dir});th.dataset.dir=asc?"asc":"desc";
function k(r){var c=r.cells[i];return c.dataset.sort!==undefined?c.dataset.sort:c.textContent.trim()}
Array.prototype.slice.call(tb.rows).sort(function(a,b){var x=k(a),y=k(b),nx=parseFloat(x),ny=parseFloat(y);
var d=(x!==""&&y!==""&&!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y,"zh");return asc?d:-d})
.forEach(function(r){tb.appendChild(r)})})});
"""

_NUMERIC = {"序号", "字数", "覆盖率", "佐证缺失数", "表单错误数", "警告数"}


def _cell(column: str, value: Any, res: "ClusterResult", index: int) -> str:
    text = escape(_text(column, value))
    if column == "级别":
        return f'<td data-sort="{index:04d}">{text}</td>'
    if column == "集群名称" and res.output:
        return f'<td><a href="{escape(report_href(res.output))}">{text}</a></td>'
    if column == "状态":
        return f'<td class="s-{escape(res.status)}" data-sort="{_STATUS_ORDER.index(res.status)}">{text}</td>'
    if column == "覆盖率" and value is not None:
        return f'<td class="n" data-sort="{value:.6f}">{text}</td>'
    return f'<td class="n">{text}</td>' if column in _NUMERIC else f"<td>{text}</td>"


def index_html(result: "BatchResult", rows: list[dict[str, Any]], year: int) -> str:
    """One self-contained page: counts, stray folders, and the sortable table with each row's problems."""
    counts = result.counts_text()
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{year}年度创新型产业集群总结报告汇总</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{year}年度创新型产业集群总结报告汇总</h1>",
        f"<p>共 {len(rows)} 个集群：{escape(counts)}。点击表头可排序；点击集群名称打开其报告。"
        f"汇总表另见 {CSV_NAME}、{XLSX_NAME}（含“全省合计”），全省合计另见 {escape(rollup.ROLLUP_FILE)}。</p>",
    ]
    if result.strays:
        parts.append('<ul class="stray">' + "".join(f"<li>{escape(s.text())}</li>" for s in result.strays) + "</ul>")
    parts.append("<table><thead><tr>" + "".join(f"<th>{c}</th>" for c in (*COLUMNS, "问题")) + "</tr></thead><tbody>")
    for i, (row, res) in enumerate(zip(rows, result.clusters)):
        cells = "".join(_cell(c, row[c], res, i) for c in COLUMNS)
        problems = res.problems
        listed = "<ul>" + "".join(f"<li>{escape(p)}</li>" for p in problems) + "</ul>" if problems else ""
        parts.append(f'<tr id="{escape(res.key)}">{cells}<td data-sort="{len(problems):04d}">{listed}</td></tr>')
    parts += ["</tbody></table>", f"<script>{_JS}</script>", "</body></html>", ""]
    return "\n".join(parts)
