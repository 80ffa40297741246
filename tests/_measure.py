"""Run one command and report its exit code, wall time and peak memory as JSON.

Started as a small fresh process, so that the peak memory of the command it runs is its
own: on Linux a process keeps the memory high-water mark of the process it was forked
from across exec, and a test runner that has loaded many libraries would inflate it.

    python tests/_measure.py RESULT.json HARD_SECONDS HARD_BYTES -- command args...
"""

import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time


def main() -> None:
    result, hard_seconds, hard_bytes = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    cmd = sys.argv[sys.argv.index("--") + 1 :]

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (hard_bytes, hard_bytes))
        os.setsid()

    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, preexec_fn=limits)
    done, killed = threading.Event(), threading.Event()

    def watchdog() -> None:
        if not done.wait(hard_seconds):
            killed.set()
            os.killpg(proc.pid, signal.SIGKILL)

    threading.Thread(target=watchdog, daemon=True).start()
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    seconds = time.monotonic() - start
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # nothing the command started may outlive it
    except OSError:
        pass
    with open(result, "w", encoding="utf-8") as fh:
        json.dump({"exit_code": os.waitstatus_to_exitcode(status), "seconds": seconds,
                   "megabytes": usage.ru_maxrss / 1024, "killed": killed.is_set()}, fh)


if __name__ == "__main__":
    main()
