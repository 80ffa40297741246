"""``reportsmith serve`` as deployed: one worker process per core (gunicorn) sharing the port,
its address printed; a killed server leaves no worker answering; a taken port is refused
with a message; ``--workers 1`` serves from a single process (waitress)."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import procs
import pytest

from .live import BIN, LiveWorkspace

pytestmark = [
    pytest.mark.slow,
    # The server's own process handling; the PostgreSQL pass of tests/web would only repeat it
    # (test_live_faults.py serves on PostgreSQL through the same workers).
    pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="covered by the first pass"),
]


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _answers(base: str) -> bool:
    try:
        return urllib.request.urlopen(base + "/login/", timeout=20).status == 200
    except (urllib.error.URLError, ConnectionError, OSError):
        return False


@pytest.fixture
def ws(tmp_path):
    w = LiveWorkspace(tmp_path / "data", "sqlite", accounts=()).init(load=())
    yield w
    w.close()


@pytest.mark.skipif(not Path("/proc/self/task").is_dir() or (os.cpu_count() or 1) < 2, reason="needs Linux /proc and 2 CPUs")
def test_serve_forks_one_worker_per_core_and_they_die_with_it(ws):
    from reportsmith.web.commands import default_workers

    ws.start()
    assert "在浏览器中打开 http://127.0.0.1:" in ws.logfile.read_text(encoding="utf-8")
    workers = _children(ws.proc.pid)
    assert len(workers) == default_workers() >= 2
    assert all(_answers(ws.base) for _ in range(10))
    ws.kill()  # SIGKILL of the server process, as a crash
    # The kernel ends each worker at once (its parent-death signal); on a loaded machine that can
    # take a moment, an orphan would live on for ever.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(procs.running(w) for w in workers):
        time.sleep(0.02)
    assert not any(procs.running(w) for w in workers), "a worker outlived the killed server"
    assert not _answers(ws.base), "a worker of the killed server still answers"
    ws.start()  # the port is free again
    assert _answers(ws.base)


def test_a_taken_port_is_refused_with_a_message(ws):
    ws.start()
    proc = subprocess.run([str(BIN / "reportsmith"), "serve", "--data", str(ws.data), "--port", str(ws.port)],
                          env=ws.env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert f"无法在 127.0.0.1:{ws.port} 上启动服务器：端口已被其他程序占用" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert _answers(ws.base)  # the running server is not disturbed


def test_one_worker_serves_from_a_single_process(ws):
    ws.start(workers=1)
    assert _answers(ws.base)
    assert _children(ws.proc.pid) == []
