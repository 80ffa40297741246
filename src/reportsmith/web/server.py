"""The production servers behind ``reportsmith serve``.

The engine's checks are CPU-bound Python: one process uses one core whatever its threads.
With more than one worker, gunicorn forks that many processes (each with a pool of threads)
that share the listening socket; with one, waitress serves in this process (and it is the
server where ``fork`` does not exist). Django is set up and the database migrated before the
fork (:func:`reportsmith.web.setup.prepare`); no database connection crosses the fork.
"""

from __future__ import annotations

import os
import signal


def run(host: str, port: int, *, workers: int, threads: int) -> None:
    """Serve the workspace on ``host:port`` until stopped (Ctrl+C or SIGTERM)."""
    if workers > 1 and hasattr(os, "fork"):
        _gunicorn(host, port, workers, threads)
    else:
        _waitress(host, port, threads)


def _waitress(host: str, port: int, threads: int) -> None:
    from waitress import serve

    from .wsgi import application

    serve(application, host=host, port=port, threads=threads, ident="reportsmith", _quiet=True)


def _die_with_parent(server, worker) -> None:
    """A worker ends when the master process does (Linux): a killed server leaves no orphan
    still answering on its port."""
    try:
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != worker.ppid:  # the master died before prctl took effect
        os._exit(1)


def _gunicorn(host: str, port: int, workers: int, threads: int) -> None:
    import socket

    from gunicorn.app.base import BaseApplication

    # gunicorn only logs a bind failure and exits: fail here with the reason instead.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    class Server(BaseApplication):
        def load_config(self):
            for key, value in {
                "bind": [bind], "workers": workers, "threads": threads, "worker_class": "gthread",
                "preload_app": True, "timeout": 300, "graceful_timeout": 20, "keepalive": 5,
                "accesslog": None, "errorlog": "-", "loglevel": "warning", "proc_name": "reportsmith",
                "post_fork": _die_with_parent,
            }.items():
                self.cfg.set(key, value)

        def load(self):
            from django.db import connections

            from .wsgi import application

            connections.close_all()  # each worker opens its own
            return application

    Server().run()
