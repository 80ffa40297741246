"""Processes as Linux's /proc shows them, for tests that start, stop or kill them."""

from __future__ import annotations

import time
from pathlib import Path
from typing import NamedTuple


class Stat(NamedTuple):
    name: str  # "(comm)", as /proc writes it
    state: str  # R, S, D, T, Z (ended, not yet reaped), X …
    ppid: int
    pgrp: int


def stat(pid: int | str) -> Stat | None:
    """The process's state, parent and group, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
        end = text.rindex(")")  # the name may itself hold spaces and parentheses
        state, ppid, pgrp = text[end + 2 :].split()[:3]
        return Stat(text[text.index("(") : end + 1], state, int(ppid), int(pgrp))
    except (OSError, ValueError, IndexError):
        return None


def running(pid: int) -> bool:
    """Not ended: a killed process not yet reaped is a zombie."""
    s = stat(pid)
    return s is not None and s.state not in ("Z", "X")


def ended_within(pid: int, seconds: float) -> bool:
    """Whether the process ended (exited, or a zombie awaiting its reaper) within ``seconds``."""
    deadline = time.monotonic() + seconds
    while running(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def all_pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").glob("[0-9]*")]


def descendants(pid: int) -> list[int]:
    """Every process started by ``pid``, its children's children included."""
    parents = {p: s.ppid for p in all_pids() if (s := stat(p)) is not None}
    out, todo = [], [pid]
    while todo:
        parent = todo.pop()
        children = [p for p, pp in parents.items() if pp == parent]
        out += children
        todo += children
    return out


def descends_from(pid: int, ancestor: int) -> bool:
    while pid > 1:
        if pid == ancestor:
            return True
        s = stat(pid)
        if s is None:
            return False
        pid = s.ppid
    return False


def group_running(group: int) -> list[str]:
    """The names of the processes of a process group that have not ended."""
    return [s.name for p in all_pids() if (s := stat(p)) is not None and s.pgrp == group and s.state not in ("Z", "X")]
