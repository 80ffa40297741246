"""The hostile corpus (tests/hostile_corpus.py): every case ends within its budget with
the right exit code and a Chinese message naming the file, never a traceback.

Each case runs the real command in its own process; its wall time and peak memory are
read from ``os.wait4`` (the process and the children it waited for). Cases run a few at
a time so that the whole corpus stays well under two minutes.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

import hostile_corpus as hc

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


def run_cli(args: list[str], cwd: Path, *, stdin: int | None = subprocess.DEVNULL) -> Outcome:
    """Run ``python -m reportsmith ARGS``; wall time and peak memory (RSS) from ``wait4``."""
    out_path, err_path = cwd / ".stdout", cwd / ".stderr"

    def limits() -> None:  # in the child, before exec
        resource.setrlimit(resource.RLIMIT_AS, (_HARD_BYTES, _HARD_BYTES))
        os.setsid()

    env = {**os.environ, "PYTHONUTF8": "1", "COLUMNS": "200", "NO_COLOR": "1"}
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "reportsmith", *args], cwd=cwd, stdin=stdin, stdout=out, stderr=err,
            env=env, preexec_fn=limits,
        )
        killed = threading.Event()

        def watchdog() -> None:
            if not done.wait(_HARD_SECONDS):
                killed.set()
                os.killpg(proc.pid, signal.SIGKILL)

        done = threading.Event()
        threading.Thread(target=watchdog, daemon=True).start()
        _, status, usage = os.wait4(proc.pid, 0)
        done.set()
        seconds = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
    with contextlib_suppress():
        os.killpg(proc.pid, signal.SIGKILL)  # nothing the case started may outlive it
    output = out_path.read_text(encoding="utf-8", errors="replace") + err_path.read_text(encoding="utf-8", errors="replace")
    return Outcome(proc.returncode, output, seconds, usage.ru_maxrss / 1024, killed.is_set())


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
