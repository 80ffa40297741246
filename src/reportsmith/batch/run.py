"""Build and check every cluster's report at once, in parallel, restartably.

:func:`run_batch` takes the clusters of the registry (or an explicit list), sends each
one that has a ``report.yaml`` to a pool of worker processes — each worker parses the
Word template once (one :class:`render.Renderer` per worker) — and collects one
:class:`ClusterResult` per cluster. A cluster is isolated: an unreadable input fails that
cluster with its message; every other cluster is still built. A cluster without
``report.yaml`` is 未提交 (listed, its form still counted in the roll-up).

Restartable: a re-run renders only the reports whose inputs changed or whose output is
missing or altered (:mod:`reportsmith.batch.stamp`); the check always runs, so the summary
is current. Ctrl-C drops the clusters not started and lets the running ones finish their
atomic write; a second Ctrl-C stops the workers at once. A killed worker fails the
remaining clusters. Either way temporary files are swept: no partial report survives.
What a worker does with one cluster is in :mod:`reportsmith.batch._work`.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Callable, Sequence

from reportsmith.registry import clusters as registry
from reportsmith.batch._work import (
    DetailSpool,
    STATUS_BUILT,
    STATUS_FAILED,
    STATUS_MISSING,
    STATUS_PROBLEMS,
    BatchItem,
    ClusterResult,
    failed_result,
    init_worker,
    os_error_text,
    work,
)
from reportsmith.batch.results import BatchResult, Stray
from reportsmith.batch.stamp import engine_fingerprint, sweep_partials
from reportsmith.core.errors import InputError
from reportsmith.registry.clusters import Cluster
from reportsmith.batch.rollup import RollupSums
from reportsmith.core.resources import default_template
from reportsmith.core.textutil import did_you_mean

__all__ = [
    "STATUS_BUILT",
    "STATUS_PROBLEMS",
    "STATUS_FAILED",
    "STATUS_MISSING",
    "BatchItem",
    "BatchResult",
    "ClusterResult",
    "Stray",
    "run_batch",
    "select_items",
]

Progress = Callable[[int, int, ClusterResult], None]

KILLED_MESSAGE = (
    "处理进程意外退出（可能内存不足或被系统终止），本集群的报告未生成，也没有留下不完整的文件；"
    "请重新运行 reportsmith batch，已生成且输入未变的报告不会重复生成"
)


def select_items(inputs: Path, only: Sequence[str] | None = None, clusters: Sequence[Cluster] | None = None) -> list[BatchItem]:
    """The clusters to process, in registry order: ``inputs/<account>`` for each.

    ``clusters`` overrides the registry (the benchmark passes synthetic clusters whose
    accounts are folder names); ``only`` keeps the listed accounts and raises
    :class:`InputError` with a did-you-mean for an account that is not in the list.
    """
    pool = list(clusters) if clusters is not None else list(registry.load_clusters())
    if only:
        known = {c.account: c for c in pool}
        wanted: list[str] = []
        for a in only:
            for part in str(a).replace("，", ",").split(","):
                part = part.strip()
                if part and part not in wanted:
                    wanted.append(part)
        for a in wanted:
            if a not in known:
                best = did_you_mean(a, known)
                raise InputError(
                    f"账号“{a}”不在集群名单中",
                    key="--only",
                    hint=(f"是否想写“{best}”？" if best else "请检查拼写。") + " 可用 reportsmith clusters 查看全部账号",
                )
        pool = [c for c in pool if c.account in wanted]
    return [BatchItem(key=c.account, cluster=c, folder=inputs / c.account) for c in pool]


def find_strays(inputs: Path, accounts: Sequence[str]) -> list[Stray]:
    """Folders under ``inputs`` that match no account (hidden and ``_``-prefixed ones are ignored)."""
    if not inputs.is_dir():
        return []
    known = set(accounts)
    out = []
    for p in sorted(inputs.iterdir()):
        if p.is_dir() and not p.name.startswith((".", "_")) and p.name not in known:
            out.append(Stray(folder=p.name, suggestion=did_you_mean(p.name, known)))
    return out


def run_batch(
    inputs: Path,
    out: Path,
    *,
    jobs: int | None = None,
    only: list[str] | None = None,
    pdf: bool = False,
    pdf_a: bool = False,
    force: bool = False,
    progress: Progress | None = None,
    clusters: Sequence[Cluster] | None = None,
    template: Path | None = None,
    summary: bool = True,
    on_interrupt: Callable[[], None] | None = None,
    chart: bool = False,
) -> BatchResult:
    """Build and check every cluster; write the summary files; return every result.

    ``chart`` puts each cluster's indicator chart into 附件1 of its report.

    ``pdf_a`` makes the PDFs PDF/A-2b (implies ``pdf``). ``jobs`` defaults to the number of CPUs; with 1 the work runs in this process.
    ``progress(done, total, result)`` is called after each cluster; ``on_interrupt()``
    when Ctrl-C arrives while workers are running, before waiting for them. Raises
    :class:`InputError` if ``inputs`` is not a folder or an ``only`` account is unknown,
    and the template's error if the template cannot be parsed — before anything is built.
    """
    inputs, out = Path(inputs), Path(out)
    if not inputs.is_dir():
        raise InputError("输入文件夹不存在", file=inputs, hint="请给出存放各集群文件夹（inputs/<账号>/）的目录")
    items = select_items(inputs, only, clusters)
    _prepare_out(out)
    strays = find_strays(inputs, [c.account for c in (clusters or registry.load_clusters())]) if not only else []
    template = Path(template) if template else default_template()
    engine = engine_fingerprint(template)
    init_worker(template, in_worker=False)  # parses the template here: a broken template stops the run now
    if chart:  # a report with its chart is another output: the restart stamps must tell them apart
        engine += "+chart"
    options = {"out": out, "pdf": pdf or pdf_a, "pdf_a": pdf_a, "force": force, "engine": engine, "chart": chart}

    total = len(items)
    results: dict[str, ClusterResult] = {}
    by_key = {i.key: i for i in items}
    sums, spool, shared = RollupSums(), DetailSpool(), {}

    def record(res: ClusterResult) -> None:
        _settle(res, by_key[res.key], sums, spool, shared)
        results[res.key] = res
        if progress:
            progress(len(results), total, res)

    # 未提交 clusters go to the workers too: reading their forms is work worth sharing out.
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(items) or 1))
    try:
        if jobs == 1:
            for item in items:
                record(work(item, **options))
        else:
            _run_pool(items, jobs, template, options, record, on_interrupt)
    finally:
        # A killed or stopped worker (or an earlier crash) leaves its temporary file behind.
        sweep_partials(out, [i.key for i in items])

    ordered = [results[i.key] for i in items]
    result = BatchResult(inputs=inputs, out=out, clusters=ordered, strays=strays, rollup=sums)
    if summary:
        from reportsmith.batch.summary import write_summary

        try:
            result.files = write_summary(result)
        except OSError as exc:  # e.g. summary.xlsx open in Excel (Windows locks it), or the disk is full
            raise InputError(
                f"汇总文件 {os_error_text(exc, out)}",
                hint="如该文件正在 Excel 中打开，请先关闭；再检查写入权限和磁盘空间，然后重新运行。各集群的报告已生成，重新运行不会重复生成",
            ) from None
    return result


def _settle(res: ClusterResult, item: BatchItem, sums: RollupSums, spool: DetailSpool, shared: dict) -> None:
    """Keep only what the summary needs of a result, so that memory stays flat however many clusters.

    The form goes into the running sums; the problems go to the spool on disk; the strings
    a worker's result brings back as fresh copies are replaced by ones held once.
    """
    res.key, res.cluster = item.key, item.cluster
    if res.form is not None:
        sums.add(item.cluster.level, res.form)
        res.form_year, res.form = res.form.year, None
    spool.keep(res)
    res.status = sys.intern(res.status)
    if res.band is not None:
        res.band, res.band_label = sys.intern(res.band), sys.intern(res.band_label)
    res.missing_topics = tuple(shared.setdefault(p, p) for p in res.missing_topics)
    res.negated_topics = tuple(shared.setdefault(p, p) for p in res.negated_topics)


def _prepare_out(out: Path) -> None:
    """Create the output folder now, so that an unusable one stops the run before any work."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"输出文件夹 {os_error_text(exc, out)}", hint="请用 -o 指定一个可以写入的文件夹") from None


def _run_pool(
    items: list[BatchItem],
    jobs: int,
    template: Path,
    options: dict,
    record: Callable[[ClusterResult], None],
    on_interrupt: Callable[[], None] | None,
) -> None:
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=_context(), initializer=init_worker, initargs=(template,))
    pending: dict[Future, BatchItem] = {}
    try:
        pending = {pool.submit(work, item, **options): item for item in items}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                record(_outcome(fut, pending.pop(fut)))
    except KeyboardInterrupt:
        if on_interrupt:
            on_interrupt()
        _stop(pool, list(pending))
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # the workers have exited: sweeping is safe


def _stop(pool: ProcessPoolExecutor, unfinished: list[Future]) -> None:
    """After Ctrl-C: drop the clusters not started and wait for the running ones (workers ignore SIGINT).

    A second Ctrl-C while waiting terminates the workers: their writes are atomic, so what
    they leave is only a temporary file, swept by the caller. The waiting is on the futures,
    not in ``shutdown(wait=True)``: on Python < 3.13 a Ctrl-C inside ``Thread.join`` marks the
    pool's thread as finished while it still runs, and the exit then trips over it.
    """
    # No public way to reach a pool's workers before Python 3.14 (terminate_workers), and
    # shutdown(wait=False) forgets them: keep them to stop them, and to wait for their exit.
    workers = list((getattr(pool, "_processes", None) or {}).values())
    # Cancelled here rather than by shutdown(cancel_futures=True): a future the pool cancels
    # never wakes a wait() on it, so waiting on it would hang.
    running = [fut for fut in unfinished if not fut.cancel()]
    pool.shutdown(wait=False)
    try:
        wait(running)
    except KeyboardInterrupt:
        for proc in workers:
            proc.terminate()
        raise
    finally:
        for proc in workers:
            proc.join()


# Imported once by the fork server, so that workers start with them loaded instead of each
# importing docxtpl, jinja2 and the rest anew.
_PRELOAD = ["reportsmith.batch._work", "reportsmith.report.render", "reportsmith.report.pipeline", "reportsmith.checks.sections", "reportsmith.checks.prose", "textstat"]


def _context() -> Any:
    # Not plain fork: a forked child of a threaded parent (the progress bar runs a thread)
    # may deadlock. The fork server is a clean single-threaded process; where it does not
    # exist (Windows) spawn is used.
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


def _outcome(fut: Future, item: BatchItem) -> ClusterResult:
    try:
        return fut.result()
    except BrokenProcessPool:
        return failed_result(item, KILLED_MESSAGE)
    except Exception as exc:  # a result that could not be sent back, or a bug: that cluster only
        return failed_result(item, f"内部错误：{type(exc).__name__}: {exc}（请把此信息报告给维护者）")
