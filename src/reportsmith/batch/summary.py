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
           "佐证缺失数", "表单错误数", "警告数", "输出文件", "PDF")  # fmt: skip
# index.html shows fewer columns, to fit a 1,400 px window; the rest is behind each row's 详情.
INDEX_COLUMNS = ("级别", "序号", "集群名称", "状态", "字数", "长度评价", "覆盖率", "佐证缺失数", "表单错误数", "警告数", "详情")
CSV_NAME, XLSX_NAME, HTML_NAME, MANIFEST_NAME = "summary.csv", "summary.xlsx", "index.html", "manifest.json"
SHEET_NAME = "汇总"


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


UNWRITTEN = "未填写"  # a draft with no text of the writer's own: the data sentences earn it nothing
NO_EVIDENCE = "未填写名单"  # an evidence list with nothing listed: not "0 missing"


def untouched(res: "ClusterResult") -> bool:
    """A draft that was built but holds no text of the writer's own (a scaffold never edited)."""
    return res.status in (STATUS_BUILT, STATUS_PROBLEMS) and not res.written


def status_text(res: "ClusterResult") -> str:
    """The status as the summary shows it: 未填写 for an untouched draft."""
    return UNWRITTEN if untouched(res) else res.status


def evidence_text(res: "ClusterResult") -> int | str | None:
    """Missing evidence as a number, or 未填写名单 when nothing is listed."""
    return NO_EVIDENCE if res.evidence_items == 0 else res.evidence_missing


def summary_rows(result: "BatchResult") -> Iterator[dict[str, Any]]:
    """One row per cluster (registry order), keyed by :data:`COLUMNS`; numbers stay numbers.

    An untouched draft shows 未填写 instead of 字数, band and coverage (its data sentences
    earn it none). A generator: each writer makes its rows as it writes them.
    """
    for r in result.clusters:
        c = r.cluster
        blank = untouched(r)
        yield (
            {
                "级别": c.level,
                "序号": c.seq,
                "集群名称": c.name,
                "依托单位": c.units_text,
                "账号": r.key,
                "状态": status_text(r),
                "字数": None if blank else r.zishu,
                "长度评价": UNWRITTEN if blank else (r.band_label or None),
                "覆盖率": None if blank else coverage_ratio(r),
                "缺失主题": None if blank else (missing_topics_text(r) or None),
                "佐证缺失数": evidence_text(r),
                "表单错误数": r.form_errors,
                "警告数": r.warnings if r.status != STATUS_FAILED else None,
                "输出文件": r.output,
                "PDF": r.pdf,
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


_WIDTHS = (8, 6, 44, 24, 14, 10, 8, 10, 8, 40, 10, 10, 8, 50, 50)


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
        for col in ("输出文件", "PDF"):
            if row[col]:
                i = COLUMNS.index(col)
                link = values[i] = WriteOnlyCell(ws, value=row[col])
                link.hyperlink, link.style = row[col], "Hyperlink"
        ws.append(values)
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    rollup.copy_sheet(rollup.rollup_sheet(roll), wb.create_sheet(rollup.SHEET_TITLE))
    return rollup.save_workbook(wb, path, year=roll.year)


def write_manifest(result: "BatchResult", summary_files: list[Path]) -> Path:
    """``manifest.json``: every output (reports and summary files), path relative to out/ and SHA-256, sorted."""
    out = result.out
    rels = {p.relative_to(out).as_posix() for p in summary_files}
    rels.update(rel for r in result.clusters for rel in (r.output, r.pdf) if rel and (out / rel).is_file())
    # Streamed in json.dumps(indent=2)'s exact layout: one entry in memory at a time.
    with atomic_path(out / MANIFEST_NAME) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        fh.write('{\n  "files": [')
        for i, rel in enumerate(sorted(rels)):
            entry = json.dumps({"path": rel, "sha256": sha256_file(out / rel)}, ensure_ascii=False, indent=2)
            fh.write(("," if i else "") + "\n    " + entry.replace("\n", "\n    "))
        fh.write("\n  ]\n}\n" if rels else "]\n}\n")
    return out / MANIFEST_NAME


def report_href(rel: str) -> str:
    """A relative link to a report, each path segment percent-encoded (Chinese file names)."""
    return "/".join(quote(part) for part in rel.split("/"))


# --- index.html ------------------------------------------------------------------------------

_CSS = """
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC",sans-serif;margin:1em 1.2em;color:#222;font-size:14px}
h1{font-size:1.35em;margin:.3em 0}h2{font-size:1.1em;margin:.8em 0 .3em}p{margin:.3em 0}
table{border-collapse:collapse;font-size:13px}
table.c{table-layout:fixed;width:100%;max-width:1360px}
th,td{border:1px solid #bbb;padding:.25em .4em;vertical-align:top;text-align:left;overflow-wrap:anywhere}
th{background:#ddebf7;position:sticky;top:0}table.c th{cursor:pointer}
th[data-dir=asc]::after{content:" ▲"}th[data-dir=desc]::after{content:" ▼"}
td.n,th.n{text-align:right}ul{margin:.2em 0;padding-left:1.2em}details summary{cursor:pointer;color:#0b57d0}
details p{margin:.2em 0}.pdf{margin-left:.4em;font-size:.85em}
.s-已生成{color:#176f2c}.s-有问题{color:#9a6700}.s-无法生成{color:#b00020;font-weight:bold}.s-未提交,.s-未填写{color:#666}
.stray{color:#b00020}
"""

# Column widths of index.html (px), so the table fits a 1,400 px window; names wrap onto two lines.
_INDEX_WIDTHS = {"级别": 52, "序号": 44, "集群名称": 300, "状态": 64, "字数": 56, "长度评价": 76, "覆盖率": 64,
                 "佐证缺失数": 84, "表单错误数": 84, "警告数": 60, "详情": 436}  # fmt: skip

# Sorting: a header click orders the rows by that column's data-sort (or text), numbers as numbers.
_JS = """
document.querySelectorAll("table.c th").forEach(function(th,i){th.addEventListener("click",function(){
var tb=th.closest("table").tBodies[0],asc=th.dataset.dir!=="asc";
th.parentNode.querySelectorAll("th").forEach(function(h){delete h.dataset.dir});th.dataset.dir=asc?"asc":"desc";
function k(r){var c=r.cells[i];return c.dataset.sort!==undefined?c.dataset.sort:c.textContent.trim()}
Array.prototype.slice.call(tb.rows).sort(function(a,b){var x=k(a),y=k(b),nx=parseFloat(x),ny=parseFloat(y);
var d=(x!==""&&y!==""&&!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y,"zh");return asc?d:-d})
.forEach(function(r){tb.appendChild(r)})})});
"""

_NUMERIC = {"序号", "字数", "覆盖率", "佐证缺失数", "表单错误数", "警告数"}
_STATUS_SORT = {s: i for i, s in enumerate((STATUS_FAILED, STATUS_PROBLEMS, UNWRITTEN, STATUS_MISSING, STATUS_BUILT))}


def _details(row: dict[str, Any], res: "ClusterResult") -> str:
    """The row's details, folded: 依托单位, 账号, missing topics, problems, output files."""
    problems = res.page_problems
    facts = [f"<p>依托单位：{escape(row['依托单位'])}；账号：{escape(res.key)}</p>"]
    if row["缺失主题"]:
        facts.append(f"<p>缺失主题（{len(res.missing_topics)} 项）：{escape(row['缺失主题'])}</p>")
    if problems:
        facts.append("<ul>" + "".join(f"<li>{escape(p)}</li>" for p in problems) + "</ul>")
    if res.output:
        files = escape(res.output) + (f"；{escape(res.pdf)}" if res.pdf else "")
        facts.append(f"<p>输出文件：{files}</p>")
    what = [f"{len(problems)} 条问题" if problems else "无问题"]
    if row["缺失主题"]:
        what.append(f"缺失主题 {len(res.missing_topics)} 项")
    return f"<details><summary>{'，'.join(what)}</summary>{''.join(facts)}</details>"


def _cell(column: str, row: dict[str, Any], res: "ClusterResult", index: int) -> str:
    if column == "详情":
        return f'<td data-sort="{len(res.page_problems):04d}">{_details(row, res)}</td>'
    value = row[column]
    text = escape(_text(column, value))
    if column == "级别":
        return f'<td data-sort="{index:04d}">{text}</td>'
    if column == "集群名称":
        if not res.output:
            return f"<td>{text}</td>"
        pdf = f'<a class="pdf" href="{escape(report_href(res.pdf))}">PDF</a>' if res.pdf else ""
        return f'<td><a href="{escape(report_href(res.output))}">{text}</a>{pdf}</td>'
    if column == "状态":
        return f'<td class="s-{escape(value)}" data-sort="{_STATUS_SORT[value]}">{text}</td>'
    if column == "覆盖率" and value is not None:
        return f'<td class="n" data-sort="{value:.6f}">{text}</td>'
    if column == "佐证缺失数" and value == NO_EVIDENCE:
        return f'<td class="n" data-sort="-1">{text}</td>'
    return f'<td class="n">{text}</td>' if column in _NUMERIC else f"<td>{text}</td>"


# The province's key figures shown on the page (all rows are in 汇总.xlsx): form row keys.
_PROVINCE_ROWS = ("集群企业总数", "高新技术企业", "集群人员总数", "营业收入", "工业总产值", "研究开发费用支出合计", "拥有有效发明专利")
_PROVINCE_DERIVED = ("研发投入强度", "高新技术企业占比")


def _province_lines(roll: rollup.Rollup) -> Iterator[str]:
    """A small table of the province's totals (国家级 / 省级 / 全省)."""
    from reportsmith.core.numfmt import format_amount, format_count

    scopes = rollup.SCOPES
    yield (f"<h2>全省合计（{roll.clusters[rollup.SCOPE_TOTAL]} 个集群的统计报表；全部指标见 {escape(rollup.ROLLUP_FILE)}）</h2>"
           "<table><thead><tr><th>指标</th>" + "".join(f'<th class="n">{s}</th>' for s in scopes)
           + '<th class="n">填报集群数</th></tr></thead><tbody>')  # fmt: skip
    rows = {r.row.key: r for r in roll.rows}
    for key in _PROVINCE_ROWS:
        r = rows.get(key)
        if r is None:
            continue
        def show(v):
            if v is None:
                return "未填"
            return format_count(v, r.row.unit or "") if r.row.kind == "count" else format_amount(v)
        cells = "".join(f'<td class="n">{escape(show(r.sums[s]))}</td>' for s in scopes)
        yield f"<tr><td>{escape(key)}</td>{cells}<td class=\"n\">{r.filled[rollup.SCOPE_TOTAL]}</td></tr>"
    for d in roll.derived:
        if d.name in _PROVINCE_DERIVED:
            cells = "".join(f'<td class="n">{escape(d.display[s])}</td>' for s in scopes)
            yield f"<tr><td>{escape(d.name)}</td>{cells}<td></td></tr>"
    yield "</tbody></table>"


def index_lines(result: "BatchResult", year: int) -> Iterator[str]:
    """index.html, line by line: counts, stray folders, the sortable table (details folded
    behind each row) and the province's totals."""
    counts = result.counts_text()
    unwritten = sum(1 for r in result.clusters if untouched(r))
    if unwritten:
        counts += f"（其中 {unwritten} 个为未填写的草稿）"
    yield from [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{year}年度创新型产业集群总结报告汇总</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{year}年度创新型产业集群总结报告汇总</h1>",
        f"<p>共 {len(result.clusters)} 个集群：{escape(counts)}。点击表头可排序；点击集群名称打开其报告，"
        "“详情”中有依托单位、缺失主题和各条问题（文件位置相对于本文件夹）。"
        f"汇总表另见 {CSV_NAME}、{XLSX_NAME}（含“全省合计”），全省合计另见 {escape(rollup.ROLLUP_FILE)}。</p>",
    ]
    if result.strays:
        yield '<ul class="stray">' + "".join(f"<li>{escape(s.text())}</li>" for s in result.strays) + "</ul>"
    cols = "".join(f'<col style="width:{_INDEX_WIDTHS[c]}px">' for c in INDEX_COLUMNS)
    heads = "".join(f'<th class="n">{c}</th>' if c in _NUMERIC else f"<th>{c}</th>" for c in INDEX_COLUMNS)
    yield f'<table class="c"><colgroup>{cols}</colgroup><thead><tr>{heads}</tr></thead><tbody>'
    for i, (row, res) in enumerate(zip(summary_rows(result), result.clusters)):
        cells = "".join(_cell(c, row, res, i) for c in INDEX_COLUMNS)
        yield f'<tr id="{escape(res.key)}">{cells}</tr>'
    yield "</tbody></table>"
    yield from _province_lines(result.rollup.result(year=year))
    yield from [f"<script>{_JS}</script>", "</body></html>"]
