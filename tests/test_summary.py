"""The batch summary: CSV with BOM, workbook, index.html and manifest agree with the per-cluster checks."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest
import yaml

from reportsmith.report.pipeline import check_inputs
from reportsmith.core.errors import Severity
from reportsmith.form.load import load_form
from reportsmith.core.numfmt import format_percent
from reportsmith.report.pipeline import assemble
from reportsmith.registry.clusters import get_cluster, load_clusters
from reportsmith.batch.rollup import compute_rollup
from reportsmith.batch.run import run_batch
from reportsmith.batch.summary import COLUMNS, INDEX_COLUMNS

DEMO = Path(__file__).resolve().parents[1] / "inputs"
COMPLETE = ("whkjcyjq", "ycswcyjq", "szxgcyjq")
SHORT = "whxscyjq"  # a copy of whkjcyjq's report with two headings dropped: topics missing, too short
UNTOUCHED = "whdlcyjq"  # its demo scaffold: headings only, nothing listed in evidence.yaml
BUILT = (*COMPLETE, SHORT)
HOSTILE = "<script>alert(1)</script>&"
HOSTILE_CLUSTER = {"name": '<script>alert("名")</script>集群&amp;', "units": ("<img src=x onerror=alert(1)>",)}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("summary")
    inputs, out = root / "inputs", root / "out"
    for a in COMPLETE:
        shutil.copytree(DEMO / a, inputs / a)
    (inputs / "xyqccyjq").mkdir(parents=True)  # a form without a report: 未提交
    shutil.copy(DEMO / "xyqccyjq" / "form.yaml", inputs / "xyqccyjq" / "form.yaml")
    short = shutil.copytree(DEMO / SHORT, inputs / SHORT)  # its demo form, and a report:
    report = yaml.safe_load((DEMO / "whkjcyjq" / "report.yaml").read_text(encoding="utf-8"))
    report["cluster"] = SHORT
    for title in list(report["sections"])[-2:]:
        del report["sections"][title]
    (short / "report.yaml").write_text(yaml.safe_dump(report, allow_unicode=True), encoding="utf-8")
    shutil.copytree(DEMO / UNTOUCHED, inputs / UNTOUCHED)
    bad = inputs / "whdzcyjq"
    bad.mkdir()
    (bad / "report.yaml").write_text(f'cluster: whdzcyjq\nyear: 2024\nsections:\n  "{HOSTILE}": |\n    正文\n', encoding="utf-8")
    # The names come from 附件1; a hostile one shows that the page prints names as text.
    clusters = [c.model_copy(update=HOSTILE_CLUSTER) if c.account == "whdzcyjq" else c for c in load_clusters()]
    result = run_batch(inputs, out, jobs=1, clusters=clusters)
    return inputs, out, result


def read_csv(out: Path) -> list[dict[str, str]]:
    raw = (out / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def expected_figures(folder: Path) -> dict[str, str]:
    """What `reportsmith check` says about one cluster, in the summary's terms."""
    check = check_inputs(folder)
    checklist = assemble(folder).checklist
    covered = sum(t.covered for t in check.topics)
    missing = sum(1 for i in checklist.items if i.missing)
    return {
        "字数": str(check.zishu),
        "长度评价": check.band_label,
        "覆盖率": format_percent(covered / len(check.topics)),
        "缺失主题": sorted((t.heading, t.topic) for t in check.missing_topics),
        "佐证缺失数": str(missing) if checklist.items else "未填写名单",
        "表单错误数": str(sum(1 for f in check.findings if f.severity is Severity.ERROR and f.rule.startswith("form."))),
        "警告数": str(sum(1 for f in check.findings if f.severity is Severity.WARNING)),
    }


def missing_pairs(text: str) -> list[tuple[str, str]]:
    """``标题：主题、主题；标题：主题`` back into (heading, topic) pairs."""
    pairs = []
    for group in filter(None, text.split("；")):
        heading, topics = group.split("：", 1)
        pairs += [(heading, t) for t in topics.split("、")]
    return sorted(pairs)


def test_csv_has_bom_chinese_intact_and_figures_equal_the_checks(batch):
    inputs, out, _ = batch
    rows = read_csv(out)
    assert list(rows[0]) == list(COLUMNS)
    assert len(rows) == 48
    by = {r["账号"]: r for r in rows}
    for a in BUILT:
        row = by[a]
        assert row["集群名称"] == get_cluster(a).name and row["依托单位"] == get_cluster(a).units_text
        figures = {k: row[k] for k in COLUMNS if k in ("字数", "长度评价", "覆盖率", "佐证缺失数", "表单错误数", "警告数")}
        figures["缺失主题"] = missing_pairs(row["缺失主题"])
        assert figures == expected_figures(inputs / a)
        assert row["状态"] in ("已生成", "有问题") and (out / row["输出文件"]).is_file()
    assert by["ycswcyjq"]["状态"] == "有问题" and int(by["ycswcyjq"]["佐证缺失数"]) >= 1
    assert by["whdzcyjq"]["状态"] == "无法生成" and by["whdzcyjq"]["输出文件"] == ""
    assert by["xyqccyjq"]["状态"] == "未提交" and by["xyqccyjq"]["表单错误数"] == "0"
    assert by[SHORT]["状态"] == "有问题" and by[SHORT]["长度评价"] != "合格" and by[SHORT]["缺失主题"]
    assert sum(r["状态"] == "未提交" for r in rows) == 48 - 6
    assert by[SHORT]["佐证缺失数"] == "未填写名单"  # nothing listed is not "0 missing"


def test_an_untouched_draft_shows_as_unwritten_and_earns_nothing(batch):
    inputs, out, result = batch
    row = {r["账号"]: r for r in read_csv(out)}[UNTOUCHED]
    assert row["状态"] == "未填写" and row["长度评价"] == "未填写"
    assert row["字数"] == "" and row["覆盖率"] == "" and row["缺失主题"] == ""
    assert row["佐证缺失数"] == "未填写名单" and row["输出文件"]
    # The check agrees: no 字数 or coverage from data sentences in a draft with no text of her own.
    check = check_inputs(inputs / UNTOUCHED)
    assert check.data_zishu == 0 and check.coverage == 0
    page = Page((out / "index.html").read_text(encoding="utf-8"))
    cells = dict(zip(INDEX_COLUMNS, next(r for r in page.rows if r["id"] == UNTOUCHED)["cells"]))
    assert cells["状态"] == "未填写" and cells["字数"] == "" and cells["覆盖率"] == ""
    assert "其中 1 个为未填写的草稿" in (out / "index.html").read_text(encoding="utf-8")


def test_workbook_has_the_same_rows_and_the_province_rollup(batch):
    inputs, out, _ = batch
    wb = openpyxl.load_workbook(out / "summary.xlsx")
    assert wb.sheetnames == ["汇总", "全省合计"]
    sheet = list(wb["汇总"].iter_rows(values_only=True))
    assert sheet[0] == COLUMNS
    csv_rows = read_csv(out)
    for values, row in zip(sheet[1:], csv_rows):
        assert ["" if v is None else v for v in values[:6]] == [row[k] if k != "序号" else int(row[k]) for k in COLUMNS[:6]]
        if row["字数"]:
            assert values[6] == int(row["字数"]) and format_percent(values[8]) == row["覆盖率"]
    forms = [(get_cluster(a).level, load_form(inputs / a / "form.yaml")[0]) for a in (*BUILT, "xyqccyjq", UNTOUCHED)]
    expected = compute_rollup(forms)
    total = next(r for r in expected.rows if r.row.key == "集群企业总数")
    hand = sum(load_form(inputs / a / "form.yaml")[0].values["集群企业总数"] for a in (*BUILT, "xyqccyjq", UNTOUCHED))
    assert total.sums["全省"] == hand
    roll = {r[0]: r for r in wb["全省合计"].iter_rows(values_only=True) if r[0]}
    assert roll["集群企业总数"][6:8] == (hand, 6)
    standalone = {r[0]: r for r in openpyxl.load_workbook(out / "汇总.xlsx")["全省合计"].iter_rows(values_only=True) if r[0]}
    assert standalone == roll


class Page(HTMLParser):
    """index.html as a browser's parser reads it: scripts, event attributes, headers, rows."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.handlers: list[str] = []  # on…= attributes: script a click could run
        self.headers: list[str] = []
        self.rows: list[dict] = []
        self._bufs: dict[str, list[str]] = {}
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        if tag == "tr" and "id" in a:
            self.rows.append({"id": a["id"], "cells": [], "links": [], "problems": []})
        elif tag == "a" and self.rows:
            self.rows[-1]["links"].append(a["href"])
        if tag in ("script", "th", "td", "li"):
            self._bufs[tag] = []

    def handle_data(self, data: str) -> None:
        for buf in self._bufs.values():  # a list item's text is also its cell's text
            buf.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self._bufs:
            return
        text = "".join(self._bufs.pop(tag))
        if tag == "script":
            self.scripts.append(text)
        elif tag == "th":
            self.headers.append(text)
        elif tag == "li" and self.rows:
            self.rows[-1]["problems"].append(text)
        elif tag == "td" and self.rows:
            self.rows[-1]["cells"].append(text.strip())


def test_index_page_links_each_report_lists_its_problems_and_keeps_names_inert(batch):
    inputs, out, result = batch
    text = (out / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//|<link\b|@import""", text), "the page must not load anything"
    page = Page(text)
    assert page.headers[: len(INDEX_COLUMNS)] == list(INDEX_COLUMNS)
    assert len(page.scripts) == 1 and "addEventListener" in page.scripts[0]  # the sorting script, nothing else
    assert page.handlers == []
    assert [r["id"] for r in page.rows] == [r.key for r in result.clusters]
    for row, res in zip(page.rows, result.clusters):
        cells = dict(zip(INDEX_COLUMNS, row["cells"]))
        assert cells["集群名称"] == res.cluster.name
        assert f"依托单位：{res.cluster.units_text}" in cells["详情"]  # behind the row
        assert cells["状态"] in (res.status, "未填写")
        assert row["problems"] == res.page_problems
        if res.output:
            assert len(row["links"]) == 1  # no PDF in this batch
            href = row["links"][0]
            assert not re.match(r"[a-z]+:|/", href), "links must be relative, to work wherever out/ is copied"
            assert (out / unquote(href)).resolve() == (out / res.output).resolve() and (out / res.output).is_file()
        else:
            assert row["links"] == []
    hostile = next(r for r in page.rows if r["id"] == "whdzcyjq")
    assert hostile["cells"][2] == HOSTILE_CLUSTER["name"]  # printed as text, character for character
    assert any(HOSTILE in p for p in hostile["problems"])
    assert sum(len(r["links"]) for r in page.rows) == len(BUILT) + 1  # and the untouched draft
    # Every row's details are folded behind one summary line.
    for r in result.clusters:
        marker = f'<tr id="{r.key}">'
        row_html = text[text.index(marker):text.index("</tr>", text.index(marker))]
        assert row_html.count("<details>") == 1
        assert (f"<summary>{len(r.page_problems)} 条问题" in row_html) == bool(r.page_problems)


def test_index_page_names_no_absolute_path_of_the_machine(batch):
    inputs, out, _ = batch
    text = (out / "index.html").read_text(encoding="utf-8")
    root = str(out.parent)
    assert root not in text and str(Path(root).resolve()) not in text
    # Problems name their files as seen from the output folder.
    assert "../inputs/whdzcyjq/report.yaml" in text and "../inputs/ycswcyjq/" in text


def test_index_page_shows_the_province_totals(batch):
    inputs, out, _ = batch
    text = (out / "index.html").read_text(encoding="utf-8")
    forms = [load_form(inputs / a / "form.yaml")[0] for a in (*BUILT, "xyqccyjq", UNTOUCHED)]
    hand = sum(f.values["集群企业总数"] for f in forms)
    assert "<h2>全省合计" in text
    assert re.search(rf"<tr><td>集群企业总数</td>.*<td class=\"n\">{hand:,}家</td><td class=\"n\">{len(forms)}</td></tr>", text)


def test_index_page_links_the_pdf_where_one_was_made():
    from reportsmith.batch._work import ClusterResult
    from reportsmith.batch.summary import _cell

    res = ClusterResult(key="whkjcyjq", cluster=get_cluster("whkjcyjq"), status="已生成",
                        output="whkjcyjq/报告.docx", pdf="whkjcyjq/报告.pdf")
    cell = _cell("集群名称", {"集群名称": res.cluster.name}, res, 0)
    assert 'href="whkjcyjq/%E6%8A%A5%E5%91%8A.pdf">PDF</a>' in cell and "%E6%8A%A5%E5%91%8A.docx" in cell
    res.pdf = None
    assert "PDF" not in _cell("集群名称", {"集群名称": res.cluster.name}, res, 0)


def _chromium(page: Path, profile: Path, script: str) -> str:
    """The page's DOM after ``script`` ran in headless Chromium at 1,400 × 900."""
    probe = page.with_name("probe-" + page.name)  # beside index.html, so that relative links stay as they are
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", f"<script>{script}</script></body>"), encoding="utf-8")
    try:
        cmd = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1400,900",
               f"--user-data-dir={profile}", "--dump-dom", probe.as_uri()]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True).stdout
    finally:
        probe.unlink()


@pytest.mark.skipif(not shutil.which("chromium"), reason="headless Chromium not installed")
def test_index_table_fits_a_1400_px_window_with_names_on_two_lines_at_most(batch, tmp_path):
    _, out, _ = batch
    measure = (
        "var t=document.querySelector('table.c'),n=0;"
        "document.querySelectorAll('table.c tbody tr').forEach(function(r){var a=r.cells[2].querySelector('a')||r.cells[2];"
        "var h=a.getClientRects().length;if(h>n)n=h});"
        "document.body.setAttribute('data-width',Math.ceil(t.getBoundingClientRect().right));"
        "document.body.setAttribute('data-page',document.documentElement.scrollWidth);"
        "document.body.setAttribute('data-lines',n);"
    )
    dom = _chromium(out / "index.html", tmp_path, measure)
    attrs = dict(re.findall(r'data-(width|page|lines)="(\d+)"', dom))
    assert int(attrs["page"]) <= 1400 and int(attrs["width"]) <= 1400, attrs
    assert 1 <= int(attrs["lines"]) <= 2, attrs


@pytest.mark.skipif(not shutil.which("chromium"), reason="headless Chromium not installed")
def test_index_page_sorts_by_a_clicked_header_in_a_real_browser(batch, tmp_path):
    _, out, _ = batch
    words = INDEX_COLUMNS.index("字数")
    clicks = f"<script>var th=document.querySelectorAll('th')[{words}];th.click();th.click();</script></body>"
    probe = out / "sorted-probe.html"  # beside index.html, so that relative links stay as they are
    probe.write_text((out / "index.html").read_text(encoding="utf-8").replace("</body>", clicks), encoding="utf-8")
    try:
        cmd = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path}", "--dump-dom", probe.as_uri()]
        dom = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True).stdout
    finally:
        probe.unlink()
    rows = Page(dom).rows
    counts = [int(r["cells"][words]) for r in rows if r["cells"][words]]
    assert len(rows) == 48 and len(counts) == len(BUILT)
    assert [int(r["cells"][words]) for r in rows[: len(BUILT)]] == sorted(counts, reverse=True)  # clicked twice: descending


def test_manifest_lists_every_output_with_its_sha256(batch):
    _, out, result = batch
    entries = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]
    paths = [e["path"] for e in entries]
    assert paths == sorted(paths)
    assert {"summary.csv", "summary.xlsx", "汇总.xlsx", "index.html"} <= set(paths)
    assert {r.output for r in result.clusters if r.output} <= set(paths)
    for e in entries:
        assert hashlib.sha256((out / e["path"]).read_bytes()).hexdigest() == e["sha256"]


def test_results_hold_no_forms_and_read_their_problems_back_from_the_spool(batch):
    inputs, _, result = batch
    by = {r.key: r for r in result.clusters}
    # Forms went into the running sums and problems to disk: memory does not grow with clusters.
    assert all(r.form is None and r.details is None for r in result.clusters)
    assert by["xyqccyjq"].form_year == load_form(inputs / "xyqccyjq" / "form.yaml")[0].year
    check = check_inputs(inputs / "ycswcyjq")
    expected = [f"{f.severity.label}：{f.text()}" for f in check.findings if f.is_problem]
    problems = by["ycswcyjq"].problems
    assert expected and set(expected) <= set(problems)
    records = by["ycswcyjq"].to_json()["problems"]
    assert len(records) == len(problems)
    assert {f.message for f in check.findings if f.is_problem} <= {r["message"] for r in records}
    assert by["whdzcyjq"].problems[0] == by["whdzcyjq"].message
