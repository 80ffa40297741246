"""Load benchmark of the online workspace: 48 writers and 5 reviewers against ``reportsmith serve``.

    .venv/bin/python benchmarks/bench_load.py [--duration 60] [--backends sqlite,postgresql] [--write]

For each database: a fresh data folder (48 cluster accounts, the demo inputs loaded), the real
server (waitress) on 127.0.0.1 only, then for a fixed duration

- 48 writers, one per cluster, each logged in with its own account: every ~3 s (jittered) an
  autosave of one heading (``PUT /api/clusters/<账号>/sections/<标题>`` with the version it
  holds) and a live check (the heading check of the editor when the workspace has it, else
  ``GET /api/clusters/<账号>/check``);
- 5 reviewers refreshing the dashboard (``/desk/``, or the cluster list before the desk) every ~3 s.

The client is bounded: one thread per simulated user, one request at a time each. It reports
p50/p95/p99 latency per request type, errors (any status other than the expected one), and
lost updates (an acknowledged save whose version and text are not in the history afterwards).
Targets on a 2-core machine: p95 < 300 ms for saves and live checks, 0 errors, 0 lost updates.
The load average is printed with the figures: other processes on the machine slow it down.
``--write`` puts the table into benchmarks/results.md (between its bench_load markers).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "web"))

from live import LiveWorkspace, Session, pg_available, section_path  # noqa: E402  (the tests' live-server helper)

RESULTS = REPO / "benchmarks" / "results.md"
START, END = "<!-- bench_load start -->", "<!-- bench_load end -->"
REVIEWERS = 5
INTERVAL = 3.0

_SETUP = r"""
import sys
from reportsmith.web.setup import prepare
prepare(sys.argv[1])
from reportsmith.web.accounts.models import User
for u in User.objects.all():
    u.set_password(sys.argv[2]); u.must_change_password = False; u.save()
print(User.objects.filter(role="cluster").count())
"""


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(q / 100 * len(s) + 0.5)) - 1))
    return s[k]


def _live_check_path(session, account: str, heading: str) -> str:
    """The editor's heading check if the workspace has one (GET answers 200), else the report check."""
    q = urllib.parse.quote(heading)
    for candidate in (f"/api/clusters/{account}/sections/{q}/check", f"/api/clusters/{account}/check"):
        if session.get(candidate).status == 200:
            return candidate
    return f"/api/clusters/{account}/check"


def run(backend: str, duration: float, password: str = "Kx8-sample-Passw0rd") -> dict:
    import subprocess

    from reportsmith.outline.headings import content_headings
    from reportsmith.registry.clusters import load_clusters

    accounts = [c.account for c in load_clusters()]
    headings = [h.title for h in content_headings()]
    tmp = tempfile.TemporaryDirectory(prefix="rs-load-")
    ws = LiveWorkspace(Path(tmp.name) / "data", backend, accounts=())
    try:
        ws.run("users", "init", "--data", str(ws.data), "-o", str(ws.data / "accounts.csv"),
               *[a for i in range(REVIEWERS) for a in ("--reviewer", f"shenhe{i}")])
        subprocess.run([sys.executable, "-c", _SETUP, str(ws.data), password], env=ws.env, check=True,
                       capture_output=True)
        ws.run("load", str(REPO / "inputs"), "--data", str(ws.data))
        ws.start()
        lat: dict[str, list[float]] = defaultdict(list)
        errors: dict[str, int] = defaultdict(int)
        acknowledged: list[tuple[str, str, int, str]] = []
        lock = threading.Lock()
        stop_at = time.monotonic() + 5 + duration  # 5 s for everyone to log in

        def timed(kind: str, fn, ok=(200,)):
            t0 = time.perf_counter()
            try:
                r = fn()
            except OSError as exc:
                with lock:
                    errors[kind] += 1
                return None, exc
            ms = (time.perf_counter() - t0) * 1000
            with lock:
                lat[kind].append(ms)
                if r.status not in ok:
                    errors[kind] += 1
            return r, None

        def writer(account: str, n: int):
            s = Session(ws.base).login(account, password)
            rnd = random.Random(n)
            heading = headings[n % len(headings)]
            path = section_path(account, heading)
            check_path = _live_check_path(s, account, heading)
            version = s.get(path).json()["version"]
            i = 0
            time.sleep(rnd.uniform(0, INTERVAL))
            while time.monotonic() < stop_at:
                text = f"{heading}：第{i}次自动保存。" + "集群营业收入稳步增长，创新能力持续提升。" * rnd.randint(5, 30)
                r, _ = timed("保存（PUT 标题）", lambda: s.put_json(path, {"text": text, "version": version}))
                if r is not None and r.status == 200:
                    version = r.json()["version"]
                    with lock:
                        acknowledged.append((account, heading, version, text))
                timed("实时检查", lambda: s.get(check_path))
                i += 1
                time.sleep(max(0.0, INTERVAL + rnd.uniform(-1, 1)))

        def reviewer(n: int):
            s = Session(ws.base).login(f"shenhe{n}", password)
            path = "/desk/" if s.get("/desk/").status == 200 else "/clusters/"
            rnd = random.Random(1000 + n)
            while time.monotonic() < stop_at:
                timed("审核台总览", lambda: s.get(path))
                time.sleep(max(0.0, INTERVAL + rnd.uniform(-1, 1)))

        server = _server_pids(ws.proc.pid)
        cpu_before, client_before, t_before = _cpu_seconds(server), _own_cpu(), time.monotonic()
        load_before = os.getloadavg()
        threads = [threading.Thread(target=writer, args=(a, i)) for i, a in enumerate(accounts)]
        threads += [threading.Thread(target=reviewer, args=(i,)) for i in range(REVIEWERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        load_after = os.getloadavg()
        wall = time.monotonic() - t_before
        cpu = {"server": (_cpu_seconds(server) - cpu_before) / wall, "client": (_own_cpu() - client_before) / wall,
               "workers": len(server) - 1 if len(server) > 1 else 1}
        ws.stop()
        dumped = ws.dump()
        history = {(a, h, v): c for a, h, v, c in dumped["sections"]}
        lost = sum(1 for a, h, v, text in acknowledged if history.get((a, h, v)) != text)
        return {"backend": backend, "duration": duration, "lat": dict(lat), "errors": dict(errors),
                "saves": len(acknowledged), "lost": lost, "load": (load_before, load_after), "cpu": cpu,
                "integrity": dumped["integrity"]}
    finally:
        ws.close()
        tmp.cleanup()


def _server_pids(pid: int) -> list[int]:
    """The server process and its worker processes (Linux /proc; just the server elsewhere)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return [pid, *(int(c) for c in children)]


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by these processes (0 where /proc is absent)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _own_cpu() -> float:
    t = os.times()
    return t.user + t.system


def table(results: list[dict]) -> str:
    lines = ["| 数据库 | 请求 | 次数 | p50 (ms) | p95 (ms) | p99 (ms) | 错误 |", "|---|---|---:|---:|---:|---:|---:|"]
    for r in results:
        for kind, values in sorted(r["lat"].items()):
            lines.append(f"| {r['backend']} | {kind} | {len(values)} | {_pct(values, 50):.0f} | {_pct(values, 95):.0f} | "
                         f"{_pct(values, 99):.0f} | {r['errors'].get(kind, 0)} |")
    lines.append("")
    for r in results:
        (b1, b5, b15), (a1, a5, a15) = r["load"]
        lines.append(f"- {r['backend']}：{r['duration']:.0f} 秒内确认保存 {r['saves']} 次，丢失的保存 {r['lost']} 次，"
                     f"数据库完整性检查 {'通过' if r['integrity'] == ['ok'] else r['integrity']}；"
                     f"系统负载（1/5/15 分钟）开始 {b1:.2f} / {b5:.2f} / {b15:.2f}，结束 {a1:.2f} / {a5:.2f} / {a15:.2f}；"
                     f"服务器（{r['cpu']['workers']} 个工作进程）平均占用 {r['cpu']['server']:.2f} 个核，"
                     f"压测客户端 {r['cpu']['client']:.2f} 个核")
    return "\n".join(lines)


def _server() -> str:
    from reportsmith.web.commands import default_workers

    n = default_workers()
    return f"gunicorn {n} 个进程 × 8 线程" if n > 1 else "waitress 单进程 8 线程"


def write_results(text: str) -> None:
    section = (f"{START}\n## 在线工作区负载测试（bench_load.py）\n\n"
               f"由 `python benchmarks/bench_load.py --write` 生成：48 个集群各一名填报人（每约 3 秒自动保存一次并做一次实时检查），"
               f"5 名审核人员每约 3 秒刷新审核台总览；服务器为 `reportsmith serve`（默认设置：{_server()}），只监听 127.0.0.1，"
               f"客户端与服务器在同一台机器上。目标：保存和实时检查 p95 < 300 ms，0 错误，0 丢失。\n\n"
               f"- 平台：{platform.platform()}；{os.cpu_count()} 个逻辑 CPU；Python {platform.python_version()}\n\n"
               f"{text}\n{END}")
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    if START in old and END in old:
        new = old[: old.index(START)] + section + old[old.index(END) + len(END):]
    else:
        new = old.rstrip("\n") + "\n\n" + section + "\n"
    from reportsmith.core.atomic import write_text

    write_text(RESULTS, new)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    results = []
    for backend in args.backends.split(","):
        if backend == "postgresql" and not pg_available():
            print("跳过 PostgreSQL：连不上（设置 PG_TEST_URL，或先启动 PostgreSQL）")
            continue
        print(f"== {backend}：{args.duration:.0f} 秒 ...", flush=True)
        results.append(run(backend, args.duration))
        print(table(results[-1:]), flush=True)
    text = table(results)
    if args.write:
        write_results(text)
        print(f"已写入 {RESULTS}")
    ok = all(r["lost"] == 0 and not any(r["errors"].values()) for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
