"""The hostile corpus (tests/hostile_corpus.py): every case ends within its budget with
the right exit code and a Chinese message naming the file, never a traceback.

Each case runs the real command in its own process; its wall time and peak memory are
read from ``os.wait4`` (the process and the children it waited for). Cases run a few at
a time so that the whole corpus stays well under two minutes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

import hostile_corpus as hc
import procs

# A case still running after this is killed (so a regression fails the test instead of
# hanging the suite); the budget asserted is the case's own, far below.
_HARD_SECONDS = 90
_HARD_BYTES = 3 * 1024**3


@dataclass
class Outcome:
    exit_code: int
    output: str
    seconds: float
    megabytes: float
    killed: bool


def run_cli(args: list[str], cwd: Path) -> Outcome:
    """Run ``python -m reportsmith ARGS`` through tests/_measure.py: exit code, wall time, peak memory."""
    out_path, err_path, result = cwd / ".stdout", cwd / ".stderr", cwd / ".measure.json"
    env = {**os.environ, "PYTHONUTF8": "1", "COLUMNS": "200", "NO_COLOR": "1"}
    measure = [sys.executable, str(Path(__file__).with_name("_measure.py")), str(result), str(_HARD_SECONDS),
               str(_HARD_BYTES), "--", sys.executable, "-m", "reportsmith", *args]
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        subprocess.run(measure, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                       timeout=_HARD_SECONDS + 30, check=False)
    m = json.loads(result.read_text(encoding="utf-8"))
    output = out_path.read_text(encoding="utf-8", errors="replace") + err_path.read_text(encoding="utf-8", errors="replace")
    return Outcome(m["exit_code"], output, m["seconds"], m["megabytes"], m["killed"])


class contextlib_suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return exc[0] is not None and issubclass(exc[0], OSError)


CASES = {c.name: c for c in hc.cases()}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, Outcome]:
    root = tmp_path_factory.mktemp("hostile")

    def one(case: hc.Case) -> tuple[str, Outcome]:
        folder = root / case.name
        folder.mkdir()
        args = case.make(folder)
        return case.name, run_cli(args, folder)

    with ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2))) as pool:
        results = dict(pool.map(one, CASES.values()))
    summary = os.environ.get("HOSTILE_SUMMARY")  # a file to write one line per case to
    if summary:
        with open(summary, "w", encoding="utf-8") as fh:
            for name, o in results.items():
                last = o.output.strip().splitlines()[-1:] or [""]
                fh.write(f"{name}\t{o.exit_code}\t{o.seconds:.1f}s\t{o.megabytes:.0f}MB\t{'KILLED' if o.killed else ''}\t{last[0][:150]}\n")
    return results


def _report(name: str, o: Outcome) -> str:
    return f"{name}: exit {o.exit_code}, {o.seconds:.1f} s, {o.megabytes:.0f} MB\n{o.output[-3000:]}"


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_case(outcomes: dict[str, Outcome], name: str) -> None:
    case, o = CASES[name], outcomes[name]
    text = _report(name, o)
    assert not o.killed, "killed after %d s\n%s" % (_HARD_SECONDS, text)
    assert "Traceback" not in o.output, text
    assert "内部错误" not in o.output, text
    expected = case.exit_code if isinstance(case.exit_code, tuple) else (case.exit_code,)
    assert o.exit_code in expected, text
    for fragment in case.says:
        assert fragment in o.output, f"missing “{fragment}”\n{text}"
    assert o.seconds <= case.seconds, text
    assert o.megabytes <= case.megabytes, text


# -- odd but valid numbers: the exact value read, the same from form.yaml and from Excel --


def _read_form(path: Path):
    from reportsmith.form.load import load_form

    return load_form(path)


@pytest.mark.parametrize("key, raw, value", [t for t in hc.ODD_NUMBERS])
def test_numbers_read_as_written_in_yaml(tmp_path, key, raw, value):
    folder = hc.cluster(tmp_path)
    hc.set_form_value(folder, key, raw)
    data, findings = _read_form(folder / "form.yaml")
    _assert_read(data, findings, key, raw, value, "form.yaml")


@pytest.mark.parametrize("key, raw, value", [t for t in hc.ODD_NUMBERS if not t[1].startswith(".")])
def test_numbers_read_as_written_in_excel_text_cells(tmp_path, key, raw, value):
    x = tmp_path / "form.xlsx"
    hc.xlsx_with(x, {key: raw})
    data, findings = _read_form(x)
    _assert_read(data, findings, key, raw, value, "form.xlsx")


def _assert_read(data, findings, key, raw, value, file):
    from decimal import Decimal

    errors = [f for f in findings if f.severity.value == "error" and f.key == key]
    if value is None:
        assert errors, f"{raw!r} was accepted as {data.values.get(key)!r}"
        assert raw.lstrip(".") in errors[0].message and file in (errors[0].file or "")
        assert key not in data.values or data.values[key] is None
    else:
        assert not errors, [f.text() for f in errors]
        got = data.values[key]
        assert got == (Decimal(value) if isinstance(value, str) else value) and type(got) is (Decimal if isinstance(value, str) else int)


def test_nan_and_formula_error_cells_are_errors_naming_the_cell(tmp_path):
    x = tmp_path / "form.xlsx"
    hc.xlsx_with(x, {"营业收入": "=1/0", "集群企业总数": "=SUM(C5:C7)"})
    from openpyxl import load_workbook

    # A formula saved with an error result, as Excel writes it: <c t="e"><f>1/0</f><v>#DIV/0!</v></c>.
    import zipfile as zf

    with zf.ZipFile(x) as z:
        members = {i.filename: z.read(i.filename) for i in z.infolist()}
    name = next(n for n in members if n.startswith("xl/worksheets/sheet"))
    xml = members[name].decode()
    import re

    xml = re.sub(r'<c r="(C\d+)"([^>]*)><f>1/0</f>(?:<v\s*/>|<v></v>)?</c>', r'<c r="\1" t="e"><f>1/0</f><v>#DIV/0!</v></c>', xml)
    members[name] = xml.encode()
    x.write_bytes(hc.zip_bytes(members))
    load_workbook(x)  # still a valid workbook
    data, findings = _read_form(x)
    texts = {f.key: f.message for f in findings if f.severity.value == "error"}
    assert "公式" in texts["集群企业总数"] and "C" in texts["集群企业总数"] and "没有保存" in texts["集群企业总数"]
    assert "#DIV/0!" in texts["营业收入"]
    assert "营业收入" not in data.values or data.values["营业收入"] is None


def test_a_sentence_over_the_figure_limit_is_one_warning_not_thousands_of_checks():
    from reportsmith.checks.prose import check_prose
    from reportsmith.core.limits import limit
    from reportsmith.form.data import FormData

    most = limit("text", "max_figures_per_sentence")
    text = "营业收入" + "，".join(f"{i}.5亿元" for i in range(most + 1)) + "。"
    found = check_prose({"集群总体情况": text}, FormData(values={}, year=2024))
    assert [f.rule for f in found] == ["prose.too_many_figures"]
    assert str(most) in found[0].message and found[0].key == "集群总体情况"


@pytest.mark.parametrize("args", [["clusters"], ["form", "validate", "inputs", "--json"]])
def test_a_broken_pipe_on_output_is_said(args):
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen([sys.executable, "-m", "reportsmith", *args], cwd=root, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader went away before anything was printed
    with proc.stderr:
        err = proc.stderr.read().decode("utf-8")
    assert proc.wait() == 1
    assert "输出中断" in err and "Traceback" not in err


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def test_a_body_is_written_whole_or_not_at_all():
    """A text node over libxml2's 10 MB default once made recover mode drop the rest of the report."""
    from lxml import etree

    from reportsmith.core.errors import TemplateError
    from reportsmith.docx.out import fix_tables

    paras = "".join(f"<w:p><w:r><w:t>第{i}段</w:t></w:r></w:p>" for i in range(54))
    xml = f'<w:document xmlns:w="{_W}"><w:body><w:p><w:r><w:t>{"集" * 3_700_000}</w:t></w:r></w:p>{paras}</w:body></w:document>'
    tree = fix_tables(None, xml)
    assert len(tree.findall(f".//{{{_W}}}p")) == 55
    with pytest.raises(TemplateError):
        fix_tables(None, xml.replace("<w:p><w:r><w:t>第3段", "<w:p><w:r><w:t>第3段<"))
    assert "recover" not in etree.tostring(etree.Element("x")).decode()  # (lxml importable)


# -- the batch under hostile input and under faults ------------------------------------------


def _summary_rows(out: Path) -> dict[str, dict[str, str]]:
    import csv
    import io

    text = (out / "summary.csv").read_text(encoding="utf-8-sig")
    return {row["账号"]: row for row in csv.DictReader(io.StringIO(text))}


@pytest.mark.slow
def test_a_batch_with_one_hostile_cluster_builds_the_other_47(tmp_path):
    import shutil

    inputs = tmp_path / "inputs"
    shutil.copytree(hc.DEMO, inputs)
    bad = inputs / hc.BASE
    report = bad / "report.yaml"
    report.write_text(report.read_text(encoding="utf-8") + "炸弹:\n" + "".join("  " + l + "\n" for l in hc.alias_bomb().splitlines()), encoding="utf-8")
    os.mkfifo(bad / "备注.txt")  # a named pipe beside it: the input fingerprint must not wait on it
    submitted = sorted(p.parent.name for p in inputs.glob("*/report.yaml"))
    o = run_cli(["batch", str(inputs), "-o", str(tmp_path / "out"), "-j", "2"], tmp_path)
    text = _report("batch", o)
    assert not o.killed and "Traceback" not in o.output, text
    assert o.exit_code == 2, text  # one cluster could not be built
    rows = _summary_rows(tmp_path / "out")
    assert len(rows) == 48
    assert rows[hc.BASE]["状态"] == "无法生成", rows[hc.BASE]
    line = next(l for l in o.output.splitlines() if l.startswith(f"无法生成 {hc.BASE}"))
    assert "report.yaml" in line and "别名引用" in o.output, text
    others = [a for a in submitted if a != hc.BASE]
    assert len(others) == 46
    assert all(rows[a]["状态"] != "无法生成" for a in others), text
    assert all(list((tmp_path / "out" / a).glob("*.docx")) for a in others), text
    assert o.seconds <= 120 and o.megabytes <= hc.MEGABYTES, text


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/comm").is_file(), reason="needs /proc (Linux)")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_workers_end_when_the_batch_process_is_killed(tmp_path, sig):
    import shutil

    inputs = tmp_path / "inputs"
    for account in ("whkjcyjq", "ycswcyjq", "szxgcyjq"):
        shutil.copytree(hc.DEMO / account, inputs / account)
    proc = subprocess.Popen([sys.executable, "-m", "reportsmith", "batch", str(inputs), "-o", str(tmp_path / "out"), "-j", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not any("(rs:" in p for p in procs.group_running(proc.pid)):  # a worker has started
            assert proc.poll() is None and time.monotonic() < deadline, "no worker started"
            time.sleep(0.01)
        os.kill(proc.pid, sig)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 20
        while alive := procs.group_running(proc.pid):
            assert time.monotonic() < deadline, f"still running after the batch was killed: {alive}"
            time.sleep(0.05)
    finally:
        with contextlib_suppress():
            os.killpg(proc.pid, signal.SIGKILL)


def test_a_second_batch_into_the_same_folder_is_refused(tmp_path):
    import fcntl
    import shutil

    inputs, out = tmp_path / "inputs", tmp_path / "out"
    shutil.copytree(hc.DEMO / hc.BASE, inputs / hc.BASE)
    out.mkdir()
    with open(out / ".reportsmith-batch.lock", "a+") as held:  # what a running batch holds
        held.write("4242")
        held.flush()
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        o = run_cli(["batch", str(inputs), "-o", str(out), "--only", hc.BASE], tmp_path)
    assert o.exit_code == 2 and "另一个批量任务" in o.output and "4242" in o.output and str(out) in o.output, o.output
    assert not (out / "summary.csv").exists()
    o = run_cli(["batch", str(inputs), "-o", str(out), "--only", hc.BASE], tmp_path)  # released: runs
    assert o.exit_code in (0, 1) and (out / "summary.csv").exists(), o.output


# -- the same limits for files handed over through the web workspace ------------------------


@pytest.mark.parametrize(
    "name, kind, make, words",
    [
        ("report.yaml", "yaml", lambda: ("炸弹:\n" + "".join("  " + l + "\n" for l in hc.alias_bomb().splitlines())).encode(), "别名引用"),
        ("form.yaml", "yaml", lambda: b"a: 1\n" + b"#" * (6 * 1024 * 1024), "过大"),
        ("假.pdf", "evidence", lambda: b"%PDF-1.7\nthis is only text, not a PDF\n%%EOF\n", "PDF"),
        ("多成员.docx", "evidence", lambda: hc.zip_bytes({f"junk/{i}.txt": b"x" for i in range(3000)}, 1), "文件过多"),
        ("报送稿.docx", "docx", lambda: hc.zip_bytes({"a.txt": b"x"}), "Word"),
        ("form.xlsx", "xlsx", lambda: b"PK\x03\x04 not really", "Excel"),
    ],
)
def test_uploads_are_checked_with_the_same_limits(name, kind, make, words):
    from reportsmith.core.errors import InputError
    from reportsmith.evidence.uploads import check_upload_bytes

    with pytest.raises(InputError) as exc:
        check_upload_bytes(make(), name, kind)
    assert exc.value.file == name and words in exc.value.text(), exc.value.text()


def test_good_uploads_pass():
    from reportsmith.evidence.uploads import check_upload_bytes, upload_limit
    from pdfbytes import minimal_pdf

    check_upload_bytes((hc.DEMO / hc.BASE / "form.yaml").read_bytes(), "form.yaml", "yaml")
    check_upload_bytes(minimal_pdf(), "认定文件.pdf", "evidence")
    assert upload_limit("evidence") > upload_limit("yaml") > 0


# -- the per-cluster time limit and the limits override --------------------------------------


def _slow_for(name_part: str) -> str:
    """A template paragraph that loops 10¹² times (days of work) for one cluster only."""
    return (f"{{% if '{name_part}' in title %}}{{% for i in range(10000) %}}{{% for j in range(10000) %}}"
            "{% for k in range(10000) %}{% endfor %}{% endfor %}{% endfor %}{% endif %}")


@pytest.mark.slow
def test_a_cluster_past_its_time_limit_fails_alone_without_a_partial_file(tmp_path, monkeypatch):
    import shutil

    inputs = tmp_path / "inputs"
    for account in ("whkjcyjq", "ycswcyjq"):
        shutil.copytree(hc.DEMO / account, inputs / account)
    (tmp_path / "tpl").mkdir()
    hc._template_case(_slow_for("宜昌高新区生物医药"))(tmp_path / "tpl")  # writes tpl/自定义模板.docx
    limits = tmp_path / "上限.yaml"
    limits.write_text("batch:\n  seconds_per_cluster: 10\n", encoding="utf-8")
    monkeypatch.setenv("REPORTSMITH_LIMITS", str(limits))
    out = tmp_path / "out"
    o = run_cli(["batch", str(inputs), "-o", str(out), "-j", "2", "--only", "whkjcyjq", "--only", "ycswcyjq",
                 "--template", str(tmp_path / "tpl" / "自定义模板.docx")], tmp_path)
    text = _report("batch", o)
    assert not o.killed and "Traceback" not in o.output, text
    assert o.exit_code == 2, text
    rows = _summary_rows(out)
    assert rows["ycswcyjq"]["状态"] == "无法生成", rows["ycswcyjq"]
    assert rows["whkjcyjq"]["状态"] != "无法生成", rows["whkjcyjq"]
    line = next(l for l in o.output.splitlines() if l.startswith("无法生成 ycswcyjq"))
    assert "超过了 10 秒的时限" in line, text
    assert list((out / "whkjcyjq").glob("*.docx")), text
    left = [p.name for p in (out / "ycswcyjq").rglob("*")] if (out / "ycswcyjq").exists() else []
    assert not [n for n in left if n.endswith(".docx") or n.startswith(".") or "tmp" in n], left
    assert o.seconds < 60, text  # stopped at the limit, not after the minutes the loop would take


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("batch:\n  seconds_per_clusters: 5\n", ("seconds_per_clusters", "batch")),
        ("betch:\n  seconds_per_cluster: 5\n", ("betch",)),
        ("batch:\n  seconds_per_cluster: 五\n", ("batch.seconds_per_cluster", "不是正数")),
        ("batch:\n  seconds_per_cluster: 0\n", ("不是正数",)),
        ("- 1\n", ("映射",)),
        ("batch: [\n", ("不是有效的 YAML",)),
    ],
    ids=["unknown-key", "unknown-section", "not-a-number", "zero", "not-a-mapping", "broken-yaml"],
)
def test_a_bad_limits_override_is_refused_naming_the_file_and_item(tmp_path, monkeypatch, content, words):
    limits = tmp_path / "上限.yaml"
    limits.write_text(content, encoding="utf-8")
    monkeypatch.setenv("REPORTSMITH_LIMITS", str(limits))
    folder = tmp_path / "集群"
    import shutil

    shutil.copytree(hc.DEMO / "whkjcyjq", folder)
    o = run_cli(["check", str(folder)], tmp_path)
    text = _report("check", o)
    assert o.exit_code == 2 and "Traceback" not in o.output, text
    assert "上限.yaml" in o.output and "REPORTSMITH_LIMITS" in o.output, text
    assert all(w in o.output for w in words), text


def test_a_limits_override_changes_only_the_numbers_it_names(tmp_path, monkeypatch):
    from reportsmith.core import limits as lim

    f = tmp_path / "上限.yaml"
    f.write_text("file_mb:\n  evidence: 1\n", encoding="utf-8")
    monkeypatch.setenv("REPORTSMITH_LIMITS", str(f))
    lim._data.cache_clear()
    try:
        assert lim.file_limit("evidence") == lim.MB
        assert lim.file_limit("docx") == 50 * lim.MB  # untouched: the package's own value
        assert lim.limit("batch", "seconds_per_cluster") == 300
    finally:
        monkeypatch.delenv("REPORTSMITH_LIMITS")
        lim._data.cache_clear()
    assert lim.file_limit("evidence") == 50 * lim.MB
