"""``reportsmith batch``: isolation, 未提交, restart, determinism, and interrupted runs."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import docx
import procs
import pytest

from reportsmith.batch.run import KILLED_MESSAGE, run_batch
from reportsmith.cli import main
from reportsmith.core.errors import InputError
from reportsmith.registry.clusters import load_clusters

DEMO = Path(__file__).resolve().parents[1] / "inputs"
COMPLETE = ("whkjcyjq", "ycswcyjq", "szxgcyjq")  # demo clusters with report.yaml


def clone(src: str, dest_root: Path, account: str | None = None) -> Path:
    """Copy a demo cluster folder, optionally under another account (cluster: rewritten)."""
    account = account or src
    dest = dest_root / account
    shutil.copytree(DEMO / src, dest)
    for name in ("report.yaml", "form.yaml"):
        p = dest / name
        if p.is_file() and account != src:
            p.write_text(re.sub(r"(?m)^cluster:.*$", f"cluster: {account}", p.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    return dest


def docx_files(out: Path) -> list[Path]:
    return sorted(out.glob("*/*.docx"))


def assert_no_partial_files(out: Path) -> None:
    assert not list(out.rglob("*.part")), "a temporary file survived"
    for f in docx_files(out):
        assert docx.Document(str(f)).paragraphs, f"{f} does not open as a Word document"


@pytest.fixture(scope="module")
def broken_run(tmp_path_factory):
    """Three good clusters, one with a YAML syntax error, one stray folder; all 48 accounts, two jobs."""
    root = tmp_path_factory.mktemp("batch")
    inputs, out = root / "inputs", root / "out"
    for a in COMPLETE:
        clone(a, inputs)
    bad = clone("whkjcyjq", inputs, "whdzcyjq")
    (bad / "report.yaml").write_text("cluster: whdzcyjq\nyear: 2024\nsections: [unclosed\n", encoding="utf-8")
    (inputs / "whkjcyjqq").mkdir()
    code = main(["batch", str(inputs), "-o", str(out), "--jobs", "2"])
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return code, inputs, out, data


def test_one_broken_cluster_fails_alone_and_the_others_are_built(broken_run, tmp_path):
    code, inputs, out, _ = broken_run
    assert code == 2
    result = run_batch(inputs, tmp_path / "again", jobs=1)
    by = {r.key: r for r in result.clusters}
    bad = by["whdzcyjq"]
    assert bad.status == "无法生成" and bad.output is None
    assert "YAML 格式错误" in bad.message and "whdzcyjq/report.yaml:" in bad.message
    for a in COMPLETE:
        assert by[a].status in ("已生成", "有问题") and by[a].output
        assert (out / by[a].output).is_file()
    assert not (out / "whdzcyjq").exists() or not list((out / "whdzcyjq").glob("*.docx"))
    assert_no_partial_files(out)


def test_clusters_without_inputs_are_listed_as_unsubmitted_and_strays_reported(tmp_path, broken_run):
    _, inputs, _, _ = broken_run
    result = run_batch(inputs, tmp_path / "out", jobs=1, summary=False)
    assert [r.key for r in result.clusters] == [c.account for c in load_clusters()]
    missing = [r for r in result.clusters if r.status == "未提交"]
    assert len(missing) == 48 - 4
    assert all("report.yaml" in r.message for r in missing)
    assert [s.folder for s in result.strays] == ["whkjcyjqq"]
    assert result.strays[0].suggestion == "whkjcyjq"


def test_two_runs_give_identical_manifests_and_a_rerun_rebuilds_nothing(broken_run, tmp_path):
    _, inputs, out, first = broken_run
    # Beside the first output: the summary names files relative to its own folder, so both agree.
    other = out.parent / "out2"
    assert main(["batch", str(inputs), "-o", str(other), "--jobs", "1"]) == 2
    assert json.loads((other / "manifest.json").read_text(encoding="utf-8")) == first
    rerun = run_batch(inputs, other, jobs=1)
    assert not any(r.rebuilt for r in rerun.clusters)
    assert (other / "manifest.json").read_text(encoding="utf-8") == (out / "manifest.json").read_text(encoding="utf-8")
    paths = [e["path"] for e in first["files"]]
    assert paths == sorted(paths) and "summary.csv" in paths and len([p for p in paths if p.endswith(".docx")]) == 3


def test_restart_rebuilds_only_what_changed_or_is_missing(tmp_path):
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    for a in ("whkjcyjq", "szxgcyjq"):
        clone(a, inputs)
    only = ["whkjcyjq", "szxgcyjq"]
    first = run_batch(inputs, out, jobs=1, only=only)
    assert all(r.rebuilt for r in first.clusters)
    report = inputs / "whkjcyjq" / "report.yaml"
    report.write_text(report.read_text(encoding="utf-8") + "\n# 修改\n", encoding="utf-8")
    second = run_batch(inputs, out, jobs=1, only=only)
    assert {r.key: r.rebuilt for r in second.clusters} == {"whkjcyjq": True, "szxgcyjq": False}
    (out / second.clusters[1].output).unlink()
    third = run_batch(inputs, out, jobs=1, only=only)
    assert {r.key: r.rebuilt for r in third.clusters} == {"whkjcyjq": False, "szxgcyjq": True}
    forced = run_batch(inputs, out, jobs=1, only=only, force=True)
    assert all(r.rebuilt for r in forced.clusters)


def test_unknown_only_account_is_refused_with_a_suggestion(tmp_path, capsys):
    (tmp_path / "inputs").mkdir()
    with pytest.raises(InputError) as exc:
        run_batch(tmp_path / "inputs", tmp_path / "out", only=["whkjcyjqq"])
    assert "whkjcyjq" in exc.value.text()
    assert main(["batch", str(tmp_path / "inputs"), "-o", str(tmp_path / "out"), "--only", "nosuch"]) == 2
    assert "nosuch" in capsys.readouterr().err


def test_unusable_output_locations_give_a_clear_message(tmp_path, capsys):
    inputs = tmp_path / "inputs"
    clone("whkjcyjq", inputs)
    (tmp_path / "out.txt").write_text("", encoding="utf-8")
    assert main(["batch", str(inputs), "-o", str(tmp_path / "out.txt"), "--only", "whkjcyjq"]) == 2
    err = capsys.readouterr().err
    assert "输出文件夹" in err and "out.txt" in err and "Traceback" not in err
    out = tmp_path / "out"
    (out / "summary.csv").mkdir(parents=True)  # something holds the summary's place
    blocked = run_batch(inputs, tmp_path / "out2", jobs=1, only=["whkjcyjq"], summary=False)
    (tmp_path / "out2" / blocked.clusters[0].output).unlink()
    (tmp_path / "out2" / blocked.clusters[0].output).mkdir()  # …and here the report's place
    again = run_batch(inputs, tmp_path / "out2", jobs=1, only=["whkjcyjq"], summary=False)
    assert again.clusters[0].status == "无法生成" and "同名文件夹" in again.clusters[0].message
    assert ".part" not in again.clusters[0].message and blocked.clusters[0].output in again.clusters[0].message
    assert main(["batch", str(inputs), "-o", str(out), "--only", "whkjcyjq"]) == 2
    err = capsys.readouterr().err
    assert "汇总文件" in err and "summary.csv" in err and "同名文件夹" in err and "Traceback" not in err


NATIONAL = [c.account for c in load_clusters() if c.level == "国家级"][:6]
STUCK = NATIONAL[2]  # the cluster whose worker is stopped or killed

needs_proc = pytest.mark.skipif(not Path("/proc/self/comm").is_file(), reason="needs /proc (Linux)")


@pytest.fixture
def six_clusters(tmp_path):
    inputs = tmp_path / "inputs"
    for account in NATIONAL:
        clone("whkjcyjq", inputs, account)
    return inputs, tmp_path / "out"


class StuckCluster:
    """The worker building one cluster, caught and frozen mid-way (SIGSTOP), like one hung on a network drive.

    A worker names itself ``rs:<账号>`` while it builds a cluster, so the test finds the
    process building ``account`` and stops it there: while it is stopped, that cluster is
    certainly unfinished — no timing guesses.
    """

    def __init__(self, account: str) -> None:
        self.name, self.pid = f"rs:{account}"[:15], None

    def _find(self) -> int | None:
        for comm in Path("/proc").glob("[0-9]*/comm"):
            with contextlib.suppress(OSError, ValueError):
                if comm.read_text().strip() == self.name and procs.descends_from(int(comm.parent.name), os.getpid()):
                    return int(comm.parent.name)
        return None

    def catch(self, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while True:
            pid = self._find()
            if pid is not None:
                os.kill(pid, signal.SIGSTOP)
                if self._find() == pid:  # still on that cluster once stopped
                    self.pid = pid
                    return pid
                os.kill(pid, signal.SIGCONT)
            assert time.monotonic() < deadline, f"no worker built {self.name}"
            time.sleep(0.002)

    def release(self) -> None:
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGCONT)


def assert_complete_reports(out: Path, result) -> None:
    """No temporary file; every .docx opens; each built cluster has its report.

    A cluster marked 无法生成 may still have a complete report: its worker can die after the
    atomic rename and before it reports back. Its next run checks and, if needed, rebuilds it.
    """
    assert_no_partial_files(out)
    built = {r.output for r in result.clusters if r.output}
    assert built <= {f.relative_to(out).as_posix() for f in docx_files(out)}
    failed = {r.key for r in result.clusters if r.status == "无法生成"}
    assert {f.parent.name for f in docx_files(out) if f.relative_to(out).as_posix() not in built} <= failed


@needs_proc
def test_a_killed_worker_fails_only_its_cluster_and_the_pool_goes_on(six_clusters):
    inputs, out = six_clusters
    stuck = StuckCluster(STUCK)
    crash_leftover = out / NATIONAL[0] / ".报告.docx.k3j9.part"  # from an earlier run cut off by a power failure
    crash_leftover.parent.mkdir(parents=True)
    crash_leftover.write_bytes(b"PK\x03\x04")
    errors: list[BaseException] = []

    def kill_the_stuck_worker() -> None:  # what the system does to a worker out of memory
        try:
            os.kill(stuck.catch(), signal.SIGKILL)
        except BaseException as exc:  # noqa: BLE001 - reported by the test thread below
            errors.append(exc)
            stuck.release()

    killer = threading.Thread(target=kill_the_stuck_worker)
    killer.start()
    try:
        result = run_batch(inputs, out, jobs=2, only=NATIONAL)
    finally:
        killer.join(timeout=90)
        stuck.release()
    assert not errors, errors
    by = {r.key: r for r in result.clusters}
    assert by[STUCK].status == "无法生成" and by[STUCK].message == KILLED_MESSAGE and by[STUCK].output is None
    assert [r.key for r in result.clusters if r.status == "无法生成"] == [STUCK]  # the others were built
    assert all(by[k].output for k in NATIONAL if k != STUCK)
    assert result.exit_code == 2
    assert_complete_reports(out, result)
    summary = {row["账号"]: row for row in csv.DictReader(io.StringIO((out / "summary.csv").read_text(encoding="utf-8-sig")))}
    assert summary[STUCK]["状态"] == "无法生成" and summary[STUCK]["输出文件"] == ""

    again = run_batch(inputs, out, jobs=2, only=NATIONAL)  # the restart completes the rest
    assert all(r.status != "无法生成" for r in again.clusters)
    assert not any(r.rebuilt for r in again.clusters if by[r.key].output)
    assert_complete_reports(out, again)


def start_batch(inputs: Path, out: Path, log: Path) -> subprocess.Popen:
    """``reportsmith batch`` in its own process group, as a terminal runs it (Ctrl-C goes to the group)."""
    cmd = [sys.executable, "-m", "reportsmith", "batch", str(inputs), "-o", str(out), "--jobs", "2", "--only", ",".join(NATIONAL)]
    with log.open("wb") as fh:
        return subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)


def wait_for_text(log: Path, text: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_text(encoding="utf-8", errors="replace"):
        assert proc.poll() is None, f"exited {proc.returncode} before printing {text!r}: {log.read_text(encoding='utf-8')}"
        assert time.monotonic() < deadline, f"{text!r} not printed: {log.read_text(encoding='utf-8')}"
        time.sleep(0.02)


def assert_group_ends(group: int, timeout: float = 20) -> None:
    """The fork server and the workers leave soon after the batch itself (they notice its exit)."""
    deadline = time.monotonic() + timeout
    while alive := procs.group_running(group):
        assert time.monotonic() < deadline, f"still running after the batch exited: {alive}"
        time.sleep(0.05)


def ctrl_c(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGINT)  # what the terminal does: the whole foreground group


@needs_proc
@pytest.mark.parametrize("presses", [1, 2], ids=["ctrl-c", "ctrl-c-twice"])
def test_ctrl_c_stops_the_batch_cleanly(six_clusters, tmp_path, presses):
    """Once: the running report is finished, the rest dropped. Twice: the stuck worker is stopped at once."""
    inputs, out = six_clusters
    stuck = StuckCluster(STUCK)
    log = tmp_path / "batch.log"
    proc = start_batch(inputs, out, log)
    try:
        stuck.catch()  # the batch is running and cannot finish by itself
        ctrl_c(proc)
        wait_for_text(log, "再按一次 Ctrl-C 立即停止", proc)
        if presses == 1:
            stuck.release()
        else:
            ctrl_c(proc)
        assert proc.wait(timeout=60) == 130
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # only if the test failed half-way
        stuck.release()
    printed = log.read_text(encoding="utf-8")
    assert "已中止" in printed and "Traceback" not in printed
    assert_group_ends(proc.pid)
    assert_no_partial_files(out)
    assert not (out / "summary.csv").exists() and not (out / "manifest.json").exists()
    stuck_report = list((out / STUCK).glob("*.docx"))
    assert len(stuck_report) == (1 if presses == 1 else 0)  # once: the running report was written out
    again = run_batch(inputs, out, jobs=1, only=NATIONAL)
    assert all(r.status != "无法生成" for r in again.clusters)
