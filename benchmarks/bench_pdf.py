"""Benchmark of ``reportsmith batch --pdf``: one long-running LibreOffice per worker vs one LibreOffice per report.

    python benchmarks/bench_pdf.py [--rounds N] [--jobs J] [--no-write]

Runs the real command ``reportsmith batch inputs -o <tmp> --pdf --force --jobs J`` on the 48
demo clusters, alternately with the converter as shipped (each worker process keeps one
office running, UNO) and with ``REPORTSMITH_PDF_MODE=oneshot`` (``soffice --convert-to``
with a fresh profile for every report — how PDFs were made before). Both are measured in
the same run, on the same machine, ``--rounds`` times each (alternating, so a change in
machine load affects both); the best time of each counts. A batch without ``--pdf``
is timed too, to show the PDF part alone. Prints the ratio and, unless ``--no-write``,
records it in benchmarks/results.md (the section from the ``bench_pdf.py`` marker on).

Takes about 1.5 minutes a round on 2 CPUs (one-shot ~60 s, long-running ~15 s).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "inputs"
RESULTS = Path(__file__).resolve().parent / "results.md"
MARKER = "<!-- bench_pdf.py -->"


def _batch(out: Path, *, pdf: bool, jobs: int, mode: str | None) -> tuple[float, int]:
    """Seconds for one batch run, and the number of PDFs it left."""
    shutil.rmtree(out, ignore_errors=True)
    exe = Path(sys.executable).with_name("reportsmith")
    env = {k: v for k, v in os.environ.items() if k != "REPORTSMITH_PDF_MODE"}
    if mode:
        env["REPORTSMITH_PDF_MODE"] = mode
    cmd = [str(exe), "batch", str(DEMO), "-o", str(out), "--force", "--jobs", str(jobs)] + (["--pdf"] if pdf else [])
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"batch failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return elapsed, len(list(out.glob("*/*.pdf")))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    if shutil.which("soffice") is None:
        print("未安装 LibreOffice（soffice），无法测试 PDF 转换")
        return 2
    load_before = os.getloadavg()
    times: dict[str, list[float]] = {"none": [], "server": [], "oneshot": []}
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp:
        out = Path(tmp) / "out"
        for r in range(args.rounds):
            t, _ = _batch(out, pdf=False, jobs=args.jobs, mode=None)
            times["none"].append(t)
            order = ["server", "oneshot"] if r % 2 == 0 else ["oneshot", "server"]
            for mode in order:
                t, n = _batch(out, pdf=True, jobs=args.jobs, mode=mode)
                times[mode].append(t)
                counts[mode] = n
                print(f"第 {r + 1} 轮 {mode:8s} {t:7.2f} s（{n} 份 PDF）", flush=True)
    best = {k: min(v) for k, v in times.items()}
    ratio = best["oneshot"] / best["server"]
    pdf_ratio = (best["oneshot"] - best["none"]) / max(best["server"] - best["none"], 1e-9)
    n = counts["server"]
    rows = [
        ("batch，不转换 PDF", best["none"], "—"),
        ("batch --pdf，每份报告启动一次 LibreOffice（原方式）", best["oneshot"], f"{best['oneshot'] / n:.2f}"),
        ("batch --pdf，每个进程保持一个 LibreOffice（现方式）", best["server"], f"{best['server'] / n:.2f}"),
    ]
    table = "\n".join(
        ["| 场景 | 总耗时 (s) | 每份 PDF (s) |", "|---|---:|---:|"] + [f"| {a} | {b:.2f} | {c} |" for a, b, c in rows]
    )
    summary = (
        f"**batch --pdf 提速 {ratio:.1f} 倍**（{best['oneshot']:.2f} s → {best['server']:.2f} s）；"
        f"只看 PDF 转换部分（减去不转换 PDF 的 batch 耗时）为 {pdf_ratio:.1f} 倍。"
    )
    print(table)
    print(summary)
    if counts["server"] != counts["oneshot"]:
        print(f"注意：两种方式生成的 PDF 份数不同（{counts['server']} / {counts['oneshot']}）")
    if not args.no_write:
        _write(table, summary, args, n, load_before)
        print(f"已写入 {RESULTS.relative_to(ROOT)}")
    return 0


def _write(table: str, summary: str, args: argparse.Namespace, n: int, load_before: tuple[float, ...]) -> None:
    version = subprocess.run(["soffice", "--version"], capture_output=True, text=True).stdout.strip()

    def load(values: tuple[float, ...]) -> str:
        return " / ".join(f"{x:.2f}" for x in values)

    section = "\n".join(
        [
            MARKER,
            "## PDF 转换（batch --pdf）",
            "",
            f"由 `python benchmarks/bench_pdf.py --rounds {args.rounds} --jobs {args.jobs}` 生成：48 个示例集群"
            f"（{n} 份报告）的 `reportsmith batch --pdf --force --jobs {args.jobs}`，两种转换方式在同一次运行中交替测得，各取最快一次。",
            "",
            f"- {platform.platform()}，{os.cpu_count()} 个逻辑 CPU；{version}",
            f"- 系统负载（1/5/15 分钟平均）：开始时 {load(load_before)}，结束时 {load(os.getloadavg())}"
            "（高于 CPU 数说明有其他进程在争用 CPU，耗时偏大；两种方式交替测量，比值受影响较小）",
            "",
            table,
            "",
            summary,
            "",
        ]
    )
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.is_file() else ""
    head = old[: old.index(MARKER)].rstrip() + "\n\n" if MARKER in old else (old.rstrip() + "\n\n" if old else "")
    RESULTS.write_text(head + section, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
