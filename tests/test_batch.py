"""``reportsmith batch``: isolation, 未提交, restart, determinism, and interrupted runs."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import shutil
import signal
from pathlib import Path

import docx
import pytest

from reportsmith.batch import KILLED_MESSAGE, run_batch
from reportsmith.cli import main
from reportsmith.errors import InputError
from reportsmith.registry import load_clusters

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
    other = tmp_path / "out2"
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


NATIONAL = [c.account for c in load_clusters() if c.level == "国家级"][:6]


@pytest.fixture
def six_clusters(tmp_path):
    inputs = tmp_path / "inputs"
    for account in NATIONAL:
        clone("whkjcyjq", inputs, account)
    return inputs, tmp_path / "out"


@pytest.mark.slow
def test_a_killed_worker_fails_the_remaining_clusters_and_leaves_no_partial_docx(six_clusters):
    inputs, out = six_clusters

    def kill_workers(done, total, res):
        if done == 1:
            for child in multiprocessing.active_children():
                os.kill(child.pid, signal.SIGKILL)

    result = run_batch(inputs, out, jobs=2, only=NATIONAL, progress=kill_workers)
    failed = [r for r in result.clusters if r.status == "无法生成"]
    assert failed and all(r.message == KILLED_MESSAGE for r in failed)
    assert result.exit_code == 2
    assert_no_partial_files(out)
    assert len(docx_files(out)) == sum(1 for r in result.clusters if r.output)
    again = run_batch(inputs, out, jobs=2, only=NATIONAL)  # the restart completes the rest
    assert all(r.status != "无法生成" for r in again.clusters)
    assert not any(r.rebuilt for r in again.clusters if r.key not in {f.key for f in failed})


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_without_partial_files(six_clusters):
    inputs, out = six_clusters

    def interrupt(done, total, res):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch(inputs, out, jobs=2, only=NATIONAL, progress=interrupt)
    assert_no_partial_files(out)
    assert not (out / "summary.csv").exists()
    assert not multiprocessing.active_children()
