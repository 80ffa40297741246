"""The department's summary of a batch: summary.csv / summary.xlsx, index.html, manifest.json.

All are formatters over the same rows (:func:`summary_rows`), built from the batch's
per-cluster results — so every figure equals what ``reportsmith check`` says for that
cluster. Each file is written atomically and deterministically: no clock time, fixed
.xlsx properties, sorted manifest. Each is streamed row by row (the problems read back
from the batch's spool, summary.xlsx in openpyxl's write-only mode), so that memory does
not grow with the number of clusters. The province roll-up (:mod:`reportsmith.batch.rollup`) goes
into ``汇总.xlsx`` and into the sheet 全省合计 of summary.xlsx.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator
from urllib.parse import quote

from reportsmith.batch import rollup
from reportsmith.batch._work import STATUS_BUILT, STATUS_FAILED, STATUS_MISSING, STATUS_PROBLEMS
from reportsmith.batch.stamp import sha256_file
from reportsmith.core.atomic import atomic_path
from reportsmith.core.numfmt import format_percent

if TYPE_CHECKING:
    from reportsmith.batch._work import ClusterResult
    from reportsmith.batch.results import BatchResult

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
    """``集群总体情况：区位、规模；集群发展成效：成果（仅否定）`` — grouped by heading, in outline
    order; a topic the writer mentions only to say it does not exist is marked 仅否定."""
    groups: dict[str, list[str]] = {}
    negated = set(res.negated_topics)
    for heading, topic in res.missing_topics:
        groups.setdefault(heading, []).append(topic + ("（仅否定）" if (heading, topic) in negated else ""))
    return "；".join(f"{h}：{'、'.join(ts)}" for h, ts in groups.items())


def summary_rows(result: "BatchResult") -> Iterator[dict[str, Any]]:
    """One row per cluster (registry order), keyed by :data:`COLUMNS`; numbers stay numbers.

    A generator: each writer makes its rows as it writes them.
    """
    for r in result.clusters:
        c = r.cluster
        yield (
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


def _text(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column == "覆盖率":
        return format_percent(value)
    return str(value)


def write_csv(rows: Iterator[dict[str, Any]], path: Path) -> Path:
    """The rows as CSV, UTF-8 with a BOM (for Excel), CRLF line ends; written atomically."""
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([_text(k, row[k]) for k in COLUMNS])
    return path


def batch_year(result: "BatchResult") -> int:
    return max((y for r in result.clusters for y in (r.year, r.form_year) if y), default=2024)


def write_summary(result: "BatchResult") -> dict[str, Path]:
    """Write every summary file into ``result.out``; return name → path (manifest last)."""
    out = result.out
    out.mkdir(parents=True, exist_ok=True)
    year = batch_year(result)
    roll = result.rollup.result(year=year)
    files: dict[str, Path] = {}
    files["csv"] = write_csv(summary_rows(result), out / CSV_NAME)
    files["xlsx"] = _write_xlsx(summary_rows(result), roll, out / XLSX_NAME)
    files["rollup"] = rollup.write_rollup_xlsx(roll, out / rollup.ROLLUP_FILE)
    with atomic_path(out / HTML_NAME) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        fh.writelines(f"{line}\n" for line in index_lines(result, year))
    files["index"] = out / HTML_NAME
    files["manifest"] = write_manifest(result, list(files.values()))
    return files


_WIDTHS = (8, 6, 44, 24, 14, 10, 8, 10, 8, 40, 10, 10, 8, 50)


def _write_xlsx(rows: Iterator[dict[str, Any]], roll: rollup.Rollup, path: Path) -> Path:
    # Write-only: rows go to a temporary file as they come, instead of one object per cell in memory.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_NAME)
    for i, w in enumerate(_WIDTHS, start=1):  # columns and panes come before the rows in the file
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "D2"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    header = []
    for name in COLUMNS:
        cell = WriteOnlyCell(ws, value=name)
        cell.font, cell.fill = bold, fill
        header.append(cell)
    ws.append(header)
    count, cov = 0, COLUMNS.index("覆盖率")
    for row in rows:
        values: list[Any] = [row[k] for k in COLUMNS]
        values[cov] = WriteOnlyCell(ws, value=None if row["覆盖率"] is None else float(row["覆盖率"]))
        values[cov].number_format = "0.0%"
        if row["输出文件"]:
            link = values[-1] = WriteOnlyCell(ws, value=row["输出文件"])
            link.hyperlink, link.style = row["输出文件"], "Hyperlink"
        ws.append(values)
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    rollup.copy_sheet(rollup.rollup_sheet(roll), wb.create_sheet(rollup.SHEET_TITLE))
    return rollup.save_workbook(wb, path, year=roll.year)


PDF_NOTE = "PDF 每次转换的字节都不同（含转换时间），不记录 SHA-256；请以同名 .docx 的 SHA-256 核对内容"


def write_manifest(result: "BatchResult", summary_files: list[Path]) -> Path:
    """``manifest.json``: every output (reports and summary files), path relative to out/ and SHA-256, sorted."""
    out = result.out
    rels = {p.relative_to(out).as_posix() for p in summary_files}
    rels.update(rel for r in result.clusters for rel in (r.output, r.pdf) if rel and (out / rel).is_file())
    # Streamed in json.dumps(indent=2)'s exact layout: one entry in memory at a time.
    with atomic_path(out / MANIFEST_NAME) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        fh.write('{\n  "files": [')
        for i, rel in enumerate(sorted(rels)):
            if rel.lower().endswith(".pdf"):
                # LibreOffice stamps each PDF with the time and a fresh ID: its bytes differ from
                # run to run, so it is listed without a hash and the manifest stays the same.
                record = {"path": rel, "sha256": None, "note": PDF_NOTE}
            else:
                record = {"path": rel, "sha256": sha256_file(out / rel)}
            entry = json.dumps(record, ensure_ascii=False, indent=2)
            fh.write(("," if i else "") + "\n    " + entry.replace("\n", "\n    "))
        fh.write("\n  ]\n}\n" if rels else "]\n}\n")
    return out / MANIFEST_NAME


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
    if column == "缺失主题" and len(res.missing_topics) > _OPEN_PROBLEMS:
        # Sorted by the count; the list itself is folded like long problem lists.
        folded = f"<details><summary>{len(res.missing_topics)} 项（点击展开）</summary>{text}</details>"
        return f'<td data-sort="{len(res.missing_topics):04d}">{folded}</td>'
    return f'<td class="n">{text}</td>' if column in _NUMERIC else f"<td>{text}</td>"


_OPEN_PROBLEMS = 3  # a row with more problems than this shows them folded


def index_lines(result: "BatchResult", year: int) -> Iterator[str]:
    """index.html, line by line: counts, stray folders, and the sortable table with each row's problems."""
    counts = result.counts_text()
    yield from [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{year}年度创新型产业集群总结报告汇总</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{year}年度创新型产业集群总结报告汇总</h1>",
        f"<p>共 {len(result.clusters)} 个集群：{escape(counts)}。点击表头可排序；点击集群名称打开其报告。"
        f"汇总表另见 {CSV_NAME}、{XLSX_NAME}（含“全省合计”），全省合计另见 {escape(rollup.ROLLUP_FILE)}。</p>",
    ]
    if result.strays:
        yield '<ul class="stray">' + "".join(f"<li>{escape(s.text())}</li>" for s in result.strays) + "</ul>"
    yield "<table><thead><tr>" + "".join(f"<th>{c}</th>" for c in (*COLUMNS, "问题")) + "</tr></thead><tbody>"
    for i, (row, res) in enumerate(zip(summary_rows(result), result.clusters)):
        cells = "".join(_cell(c, row[c], res, i) for c in COLUMNS)
        problems = res.problems
        listed = "<ul>" + "".join(f"<li>{escape(p)}</li>" for p in problems) + "</ul>" if problems else ""
        if len(problems) > _OPEN_PROBLEMS:
            # A draft has dozens of problems: fold them so the table stays scannable.
            listed = f"<details><summary>{len(problems)} 条问题（点击展开）</summary>{listed}</details>"
        yield f'<tr id="{escape(res.key)}">{cells}<td data-sort="{len(problems):04d}">{listed}</td></tr>'
    yield from ["</tbody></table>", f"<script>{_JS}</script>", "</body></html>"]
