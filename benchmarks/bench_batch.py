"""Benchmark of ``reportsmith batch`` against the floor of bare docxtpl rendering.

    python benchmarks/bench_batch.py [--quick] [--sizes 48,480,4800] [--profile]

Measures, each in a fresh child process (so peak memory is per scenario):

(a) the floor: a loop of bare docxtpl renders of templates/outline.docx with the same
    contexts the batch renders, one process;
(b) the batch on the 48 demo clusters, one job and all jobs — as shipped (clusters
    without report.yaml are 未提交) and with every cluster given a complete report;
(c) the same on synthetic sets (copies of the complete demo inputs under synthetic
    accounts, passed to ``run_batch(clusters=…)``) to show how time and memory grow;
(d) ``submitted.check_docx`` (what ``reportsmith check FILE.docx`` runs) over the 48
    built reports; and the start-up time of ``reportsmith --help``.

Prints a table and writes benchmarks/results.md. Every ratio is to the floor measured at
the start of the same run, on the same machine. Durations on 2 CPUs (idle machine):
``--quick`` (48 synthetic clusters only) about 30 s; the default (``--sizes 48,480``)
about 1 minute; ``--sizes 48,480,4800`` 5 to 10 minutes more (4,800 clusters with one
job, then with all jobs). A loaded machine is slower; results.md records the load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "inputs"
TEMPLATE = ROOT / "templates" / "outline.docx"
RESULTS = Path(__file__).resolve().parent / "results.md"
PDF_MARKER = "<!-- bench_pdf.py -->"


def _peak_rss_mb() -> float:
    """Peak RSS of this process and of its waited-for children (workers), in MB (Linux: KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    scale = 1 if sys.platform == "darwin" else 1024  # macOS reports bytes
    return max(own, kids) * scale / 1e6


# --- children ------------------------------------------------------------------------------


def _complete_folders() -> list[Path]:
    return [p for p in sorted(DEMO.iterdir()) if (p / "report.yaml").is_file()]


def child_floor(args: dict) -> dict:
    from docxtpl import DocxTemplate

    from reportsmith.report.render import make_context
    from reportsmith.report.pipeline import assemble

    contexts = [make_context(assemble(Path(f)))[0] for f in args["folders"]]
    out = Path(args["out"])
    out.mkdir(parents=True, exist_ok=True)
    n = args["n"]
    start = time.perf_counter()
    for i in range(n):
        tpl = DocxTemplate(str(TEMPLATE))
        tpl.render(contexts[i % len(contexts)], autoescape=True)
        tpl.save(str(out / f"{i:05d}.docx"))
    wall = time.perf_counter() - start
    return {"wall": wall, "reports": n, "rss": _peak_rss_mb()}


def child_batch(args: dict) -> dict:
    from reportsmith.batch.run import run_batch
    from reportsmith.registry.clusters import Cluster

    clusters = None
    if args.get("clusters"):
        clusters = [Cluster(**c) for c in json.loads(Path(args["clusters"]).read_text(encoding="utf-8"))]
    start = time.perf_counter()
    result = run_batch(Path(args["inputs"]), Path(args["out"]), jobs=args["jobs"], force=True, clusters=clusters)
    wall = time.perf_counter() - start
    built = sum(1 for r in result.clusters if r.output)
    return {"wall": wall, "reports": built, "clusters": len(result.clusters), "rss": _peak_rss_mb()}


def child_check(args: dict) -> dict:
    from reportsmith.checks.submitted import check_docx

    files = sorted(Path(args["out"]).glob("*/*.docx"))
    start = time.perf_counter()
    for f in files:
        check_docx(f)
    wall = time.perf_counter() - start
    return {"wall": wall, "reports": len(files), "rss": _peak_rss_mb()}


CHILDREN = {"floor": child_floor, "batch": child_batch, "check": child_check}


def _run_child(kind: str, **args) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, json.dumps(args, ensure_ascii=False)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- synthetic inputs ----------------------------------------------------------------------


def make_synthetic(root: Path, n: int) -> tuple[Path, Path]:
    """``n`` cluster folders ``syn00001…``, each a copy of a complete demo cluster, and the cluster list."""
    from reportsmith.registry.clusters import get_cluster

    inputs = root / f"inputs-{n}"
    sources = _complete_folders()
    clusters = []
    for i in range(n):
        src = sources[i % len(sources)]
        account = f"syn{i + 1:05d}"
        shutil.copytree(src, inputs / account, symlinks=True)
        base = get_cluster(src.name)
        clusters.append({"level": base.level, "seq": i + 1, "name": base.name, "units": list(base.units), "account": account})
    listing = root / f"clusters-{n}.json"
    listing.write_text(json.dumps(clusters, ensure_ascii=False), encoding="utf-8")
    return inputs, listing


def make_full_demo(root: Path) -> Path:
    """The 48 demo folders, each with a complete report (a complete demo's, its cluster rewritten)."""
    import re

    inputs = root / "inputs-demo-full"
    shutil.copytree(DEMO, inputs, symlinks=True)
    sources = _complete_folders()
    for i, folder in enumerate(sorted(p for p in inputs.iterdir() if p.is_dir())):
        if (folder / "report.yaml").is_file():
            continue
        src = sources[i % len(sources)]
        text = (src / "report.yaml").read_text(encoding="utf-8")
        (folder / "report.yaml").write_text(re.sub(r"(?m)^cluster:.*$", f"cluster: {folder.name}", text, count=1), encoding="utf-8")
    return inputs


# --- orchestration -------------------------------------------------------------------------


def _help_time() -> float:
    exe = Path(sys.executable).with_name("reportsmith")
    times = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([str(exe), "--help"], capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return min(times)


def _cli_time(inputs: Path, out: Path, jobs: int) -> float:
    exe = Path(sys.executable).with_name("reportsmith")
    start = time.perf_counter()
    subprocess.run([str(exe), "batch", str(inputs), "-o", str(out), "--jobs", str(jobs), "--force"], capture_output=True)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="48 clusters only")
    ap.add_argument("--sizes", default="48,480", help="synthetic set sizes (default 48,480; add 4800 to see the growth further)")
    ap.add_argument("--profile", action="store_true", help="profile one-job batch on 48 clusters and print hot spots")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    ns = ap.parse_args(argv)
    if ns.child:
        print(json.dumps(CHILDREN[ns.child[0]](json.loads(ns.child[1]))))
        return 0
    sizes = [48] if ns.quick else [int(s) for s in ns.sizes.split(",") if s.strip()]
    cpus = os.cpu_count() or 1
    load_before = os.getloadavg()
    rows: list[tuple] = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        root = Path(tmp)
        folders = [str(p) for p in _complete_folders()]
        floor = _run_child("floor", folders=folders, n=48, out=str(root / "floor"))
        per_floor = floor["wall"] / floor["reports"]
        rows.append(("(a) 基线：裸 docxtpl 渲染", 48, floor["reports"], 1, floor["wall"], floor["rss"]))
        shipped = _run_child("batch", inputs=str(DEMO), out=str(root / "out-shipped"), jobs=1)
        rows.append(("(b) batch，示例输入原样", shipped["clusters"], shipped["reports"], 1, shipped["wall"], shipped["rss"]))
        full = make_full_demo(root)
        for jobs in sorted({1, cpus}):
            r = _run_child("batch", inputs=str(full), out=str(root / f"out-demo-{jobs}"), jobs=jobs)
            rows.append(("(b) batch，48 个集群均有报告", 48, r["reports"], jobs, r["wall"], r["rss"]))
        cli = _cli_time(full, root / "out-cli", cpus)
        rows.append(("(b) reportsmith batch 命令（含启动）", 48, 48, cpus, cli, None))
        for n in sizes:
            inputs, listing = make_synthetic(root, n)
            for jobs in sorted({1, cpus}):
                r = _run_child("batch", inputs=str(inputs), out=str(root / f"out-{n}-{jobs}"), jobs=jobs, clusters=str(listing))
                rows.append(("(c) batch，合成集群", n, r["reports"], jobs, r["wall"], r["rss"]))
            shutil.rmtree(inputs)
            for jobs in sorted({1, cpus}):
                shutil.rmtree(root / f"out-{n}-{jobs}", ignore_errors=True)
        chk = _run_child("check", out=str(root / "out-demo-1"))
        rows.append(("(d) 检查已生成的 .docx", 48, chk["reports"], 1, chk["wall"], chk["rss"]))
        if ns.profile:
            _profile(full, root / "out-profile")
    help_s = _help_time()
    text = _table(rows, per_floor, help_s)
    print(text)
    # bench_pdf.py's section (from its marker on) is kept.
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.is_file() else ""
    kept = old[old.index(PDF_MARKER) :] if PDF_MARKER in old else ""
    RESULTS.write_text(_results_md(text, sizes, load_before) + ("\n" + kept if kept else ""), encoding="utf-8")
    print(f"\n已写入 {RESULTS.relative_to(ROOT)}")
    return 0


def _table(rows: list[tuple], per_floor: float, help_s: float) -> str:
    head = "| 场景 | 集群数 | 生成报告数 | 进程数 | 总耗时 (s) | 每份报告 (ms) | 峰值 RSS (MB) | 与基线之比 |"
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, n, reports, jobs, wall, rss in rows:
        per = wall / reports if reports else float("nan")
        ratio = per / per_floor if reports else float("nan")
        rss_text = f"{rss:.0f}" if rss is not None else "—"
        lines.append(f"| {name} | {n} | {reports} | {jobs} | {wall:.2f} | {per * 1000:.1f} | {rss_text} | {ratio:.2f}× |")
    lines.append(f"\n`reportsmith --help`：{help_s:.3f} s（5 次取最快）")
    return "\n".join(lines)


def _results_md(table: str, sizes: list[int], load_before: tuple[float, float, float]) -> str:
    import docxtpl

    def load(values: tuple[float, ...]) -> str:
        return " / ".join(f"{x:.2f}" for x in values)

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30 if hasattr(os, "sysconf") else float("nan")
    machine = [
        f"- 平台：{platform.platform()}",
        f"- 处理器：{platform.processor() or platform.machine()}，{os.cpu_count()} 个逻辑 CPU；内存 {memory:.1f} GiB",
        f"- Python：{platform.python_version()}（{platform.python_implementation()}）；docxtpl {docxtpl.__version__}",
        f"- 系统负载（1/5/15 分钟平均）：开始时 {load(load_before)}，结束时 {load(os.getloadavg())}"
        "（高于 CPU 数说明有其他进程在争用 CPU，耗时偏大）",
    ]
    return "\n".join(
        [
            "# 批量生成的性能测试结果",
            "",
            "由 `python benchmarks/bench_batch.py --sizes " + ",".join(map(str, sizes)) + "` 生成。"
            "每个场景在单独的子进程中运行；峰值 RSS 为该场景中单个进程（主进程或工作进程）的最大常驻内存。",
            "",
            "“与基线之比”= 每份报告耗时 ÷ 基线（裸 docxtpl 渲染同样内容）每份报告耗时。**基线与表中其他各行在同一次运行中、"
            "同一台机器上先后测得**，比值因此可以比较；绝对耗时随机器和负载而变，不同运行之间不宜直接比较。",
            "batch 的耗时还包括读取和校验输入、检查字数与覆盖、计算派生指标、核对佐证材料和写出汇总表。",
            "",
            "## 机器",
            *machine,
            "",
            "## 结果",
            "",
            table,
            "",
        ]
    )


def _profile(inputs: Path, out: Path) -> None:
    import cProfile
    import pstats

    from reportsmith.batch.run import run_batch

    prof = cProfile.Profile()
    prof.enable()
    run_batch(inputs, out, jobs=1, force=True)
    prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
    pstats.Stats(prof).sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    sys.exit(main())
