"""Worker processes for the batch that survive their own faults.

Each worker builds one cluster at a time under a budget (``batch`` in data/limits.yaml):
its data segment is capped (``RLIMIT_DATA``), so a cluster that needs too much memory fails
with a message instead of taking the machine down, and the parent kills a worker whose
cluster runs past the time limit. A worker that dies (killed, out of memory) fails only
the cluster it was building; a new worker takes its place and the batch goes on.

Workers end when the batch's own process ends, however it ends (SIGKILL included): each
watches its parent's sentinel in a thread and, on Linux, also asks the kernel for SIGKILL
when its parent dies (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing import connection
from typing import Any, Callable

from reportsmith.batch._work import BatchItem, ClusterResult, failed_result, init_worker, work
from reportsmith.core.limits import MB, limit

KILLED_MESSAGE = (
    "处理进程意外退出（可能内存不足或被系统终止），本集群的报告未生成，也没有留下不完整的文件；"
    "请重新运行 reportsmith batch，已生成且输入未变的报告不会重复生成"
)


def timeout_message(seconds: int) -> str:
    return (f"生成本集群的报告超过了 {seconds} 秒的时限，已停止，也没有留下不完整的文件；"
            "请检查该集群的输入文件是否异常（如粘贴了大量内容），时限可在 data/limits.yaml 的 batch 一节中修改，或写进环境变量 REPORTSMITH_LIMITS 指定的上限文件")


def memory_message(megabytes: int) -> str:
    return (f"生成本集群的报告需要的内存超过了 {megabytes} MB 的上限，已停止；"
            "请检查该集群的输入文件是否异常（如过大的表格或文字），上限可在 data/limits.yaml 的 batch 一节中修改，或写进环境变量 REPORTSMITH_LIMITS 指定的上限文件")


_LIBC: Any = None


def _libc() -> Any:
    global _LIBC
    if _LIBC is None:
        import ctypes

        _LIBC = ctypes.CDLL(None, use_errno=True)
    return _LIBC


def set_name(name: str) -> None:
    """The process name ``ps``/``top`` show (Linux, 15 bytes): ``rs:<账号>`` names the cluster a worker is on."""
    try:
        _libc().prctl(15, name.encode("ascii", "replace")[:15], 0, 0, 0)  # PR_SET_NAME
    except (OSError, AttributeError):
        pass


def _die_with_parent() -> None:
    """End this worker when the batch's process ends, even by SIGKILL."""
    try:
        _libc().prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: when the parent (fork server) dies
    except (OSError, AttributeError):  # not Linux
        pass
    import multiprocessing

    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        connection.wait([parent.sentinel])
        os._exit(70)  # the batch is gone: nobody will read this worker's result

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _limit_memory(megabytes: int) -> None:
    try:
        import resource

        # The data segment (heap and private writable mappings), not the address space:
        # reserved but unused virtual memory (thread stacks, malloc arenas) does not count.
        which = getattr(resource, "RLIMIT_DATA", resource.RLIMIT_AS)
        soft, hard = resource.getrlimit(which)
        want = megabytes * MB
        if hard != resource.RLIM_INFINITY:
            want = min(want, hard)
        resource.setrlimit(which, (want, hard))
    except (ImportError, ValueError, OSError):  # not available on this system
        pass


def worker_main(conn: Any, template: Any, options: dict, megabytes: int) -> None:
    """A worker's life: set its limits, parse the template once, build clusters until told to stop."""
    _die_with_parent()
    init_worker(template)  # ignores SIGINT: the parent decides what stops
    _limit_memory(megabytes)
    while True:
        set_name("rs:idle")
        try:
            item = conn.recv()
        except (EOFError, OSError):
            return
        if item is None:
            return
        set_name(f"rs:{item.key}")
        try:
            res = work(item, **options)
        except MemoryError:
            res = failed_result(item, memory_message(megabytes))
        set_name("rs:idle")  # before the result leaves: a worker named after a cluster has not delivered it
        try:
            conn.send(res)
        except MemoryError:
            conn.send(failed_result(item, memory_message(megabytes)))


@dataclass
class _Worker:
    proc: Any
    conn: Any
    item: BatchItem | None = None
    started: float = 0.0


class Pool:
    """``Pool(ctx, jobs, template, options).run(items, record)``: every item gets exactly one result."""

    def __init__(self, ctx: Any, jobs: int, template: Any, options: dict) -> None:
        self.ctx, self.jobs, self.template, self.options = ctx, jobs, template, options
        self.seconds = limit("batch", "seconds_per_cluster")
        self.megabytes = limit("batch", "memory_mb_per_cluster")
        self.workers: list[_Worker] = []
        self.queue: deque[BatchItem] = deque()

    def _spawn(self) -> _Worker:
        parent_end, child_end = self.ctx.Pipe(duplex=True)
        proc = self.ctx.Process(target=worker_main, args=(child_end, self.template, self.options, self.megabytes),
                                daemon=True, name="reportsmith-batch-worker")
        proc.start()
        child_end.close()
        w = _Worker(proc, parent_end)
        self.workers.append(w)
        return w

    def _retire(self, w: _Worker, *, kill: bool) -> None:
        if kill and w.proc.is_alive():
            w.proc.kill()
        w.proc.join(timeout=10)
        w.conn.close()
        self.workers.remove(w)

    def busy(self) -> list[_Worker]:
        return [w for w in self.workers if w.item is not None]

    def run(self, items: list[BatchItem], record: Callable[[ClusterResult], None]) -> None:
        self.queue = deque(items)
        while self.queue or self.busy():
            self._assign()
            busy = self.busy()
            if not busy:
                continue
            now = time.monotonic()
            deadline = min(w.started for w in busy) + self.seconds
            waits = [w.conn for w in busy] + [w.proc.sentinel for w in busy]
            ready = set(connection.wait(waits, timeout=max(0.0, deadline - now)))
            for w in busy:
                res = self._collect(w, ready)
                if res is not None:
                    record(res)

    def _assign(self) -> None:
        while self.queue:
            idle = next((w for w in self.workers if w.item is None), None)
            if idle is None:
                if len(self.workers) >= self.jobs:
                    return
                idle = self._spawn()
            item = self.queue.popleft()
            try:
                idle.conn.send(item)
            except (OSError, ValueError):  # the worker died while idle: replace it, keep the item
                self._retire(idle, kill=True)
                self.queue.appendleft(item)
                continue
            idle.item, idle.started = item, time.monotonic()

    def _collect(self, w: _Worker, ready: set) -> ClusterResult | None:
        item = w.item
        assert item is not None
        if w.conn in ready:
            try:
                res = w.conn.recv()
            except (EOFError, OSError):
                res = None
            except Exception as exc:  # a result that could not be read back: that cluster only
                res = failed_result(item, f"内部错误：结果无法传回（{type(exc).__name__}）；请把此信息报告给维护者")
            if res is not None:
                w.item = None
                return res
            self._retire(w, kill=True)
            return failed_result(item, KILLED_MESSAGE)
        if w.proc.sentinel in ready or not w.proc.is_alive():
            self._retire(w, kill=True)
            return failed_result(item, KILLED_MESSAGE)
        if time.monotonic() - w.started >= self.seconds:
            self._retire(w, kill=True)
            return failed_result(item, timeout_message(self.seconds))
        return None

    def drop_queued(self) -> None:
        self.queue.clear()

    def wait_running(self, record: Callable[[ClusterResult], None] | None = None) -> None:
        """Let the running clusters finish their atomic writes (Ctrl-C: nothing new starts)."""
        self.queue.clear()
        while self.busy():
            busy = self.busy()
            ready = set(connection.wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=1.0))
            for w in busy:
                res = self._collect(w, ready)
                if res is not None and record:
                    record(res)

    def close(self, *, kill: bool = False) -> None:
        """Stop every worker: politely when idle, at once when ``kill``."""
        for w in list(self.workers):
            if not kill and w.item is None:
                try:
                    w.conn.send(None)
                except (OSError, ValueError):
                    pass
        for w in list(self.workers):
            if kill or w.item is not None:
                w.proc.kill()
            w.proc.join(timeout=10)
            if w.proc.is_alive():
                w.proc.kill()
                w.proc.join()
            w.conn.close()
        self.workers.clear()

