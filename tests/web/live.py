"""A real workspace server for the fault, concurrency and backup tests (and the load benchmark).

``LiveWorkspace`` creates a data folder with ``reportsmith users init`` and ``load``, starts
``reportsmith serve`` in a subprocess on 127.0.0.1, and can kill and restart it. ``Session``
is a small cookie-keeping HTTP client that logs in through the form and sends Django's
CSRF token on unsafe requests. ``dump`` reads a data folder's whole state in a separate
process (the test process's Django points at the test database).

On PostgreSQL (``backend="postgresql"``) each workspace gets a database of its own, created
through ``PG_TEST_URL`` (whose role may create databases) and dropped afterwards.
"""

from __future__ import annotations

import csv
import http.cookiejar
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG_TEST_URL = os.environ.get("PG_TEST_URL", "postgres://reportsmith_test:reportsmith_test@127.0.0.1:5432/reportsmith_test")
PASSWORD = "Kx8-sample-Passw0rd"
ACCOUNT_A = "whkjcyjq"
ACCOUNT_B = "whdzcyjq"


def pg_available() -> bool:
    try:
        import psycopg

        psycopg.connect(PG_TEST_URL, connect_timeout=3).close()
        return True
    except Exception:
        return False


def backends() -> list:
    """``sqlite`` always; ``postgresql`` when reachable (required when REPORTSMITH_REQUIRE_PG is set)."""
    import pytest

    pg = pytest.param("postgresql", marks=pytest.mark.skipif(
        not pg_available() and not os.environ.get("REPORTSMITH_REQUIRE_PG"),
        reason=f"PostgreSQL not reachable at {PG_TEST_URL} (.ci/run starts it)"))
    return ["sqlite", pg]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveWorkspace:
    def __init__(self, data: Path, backend: str = "sqlite", accounts: tuple[str, ...] = (ACCOUNT_A, ACCOUNT_B, "shenhe")):
        self.data = Path(data)
        self.backend = backend
        self.env = dict(os.environ, REPORTSMITH_FAST_HASHER="1", PYTHONUNBUFFERED="1")
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.env.pop("REPORTSMITH_DATA", None)
        self.env.pop("DATABASE_URL", None)
        self.dbname = None
        if backend == "postgresql":
            import psycopg

            self.dbname = "rs_live_" + secrets.token_hex(4)
            with psycopg.connect(PG_TEST_URL, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.dbname}"')
            parts = urllib.parse.urlsplit(PG_TEST_URL)
            self.env["DATABASE_URL"] = urllib.parse.urlunsplit(parts._replace(path="/" + self.dbname))
        self.proc: subprocess.Popen | None = None
        self.port = free_port()
        self.accounts = accounts

    # -- commands
    def run(self, *args: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run([str(BIN / "reportsmith"), *args], env=self.env, input=input, text=True,
                              capture_output=True, timeout=300)
        if check and proc.returncode != 0:
            raise AssertionError(f"reportsmith {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc

    def init(self, load: tuple[str, ...] = (ACCOUNT_A,)) -> "LiveWorkspace":
        self.run("users", "init", "--data", str(self.data), "-o", str(self.data / "accounts.csv"), "--reviewer", "shenhe")
        for account in self.accounts:
            self.run("users", "passwd", account, "--data", str(self.data), input=PASSWORD + "\n")
        for account in load:
            self.run("load", str(REPO / "inputs" / account), "--data", str(self.data))
        return self

    # -- server
    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60, workers: int | None = None) -> "LiveWorkspace":
        """``reportsmith serve`` as deployed (its default number of worker processes unless told)."""
        self.logfile = self.data / f"serve-{time.time_ns()}.log"
        extra = ["--workers", str(workers)] if workers else []
        with open(self.logfile, "w") as log:
            self.proc = subprocess.Popen([str(BIN / "reportsmith"), "serve", "--data", str(self.data), "--host", "127.0.0.1",
                                          "--port", str(self.port), "--threads", "8", *extra], env=self.env,
                                         stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited with {self.proc.returncode}: {self.logfile.read_text()}")
            try:
                urllib.request.urlopen(self.base + "/login/", timeout=2).read()
                return self
            except (urllib.error.URLError, ConnectionError, socket.timeout):
                time.sleep(0.2)
        raise AssertionError("serve did not answer in time")

    def kill(self) -> None:
        """SIGKILL: no shutdown handler, no flush — as a power cut would leave it."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)
        self.proc = None

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.proc = None

    def close(self) -> None:
        self.stop()
        if self.dbname:
            import psycopg

            with psycopg.connect(PG_TEST_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')

    def session(self, username: str) -> "Session":
        return Session(self.base).login(username, PASSWORD)

    def dump(self) -> dict:
        return dump(self.data, self.env)


class Response:
    def __init__(self, status: int, body: bytes, headers):
        self.status, self.body, self.headers = status, body, headers

    def json(self):
        return json.loads(self.body)


class Session:
    """Cookies, CSRF token, and nothing else: the requests a browser would send."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a, **k):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def request(self, method: str, path: str, *, data: bytes | None = None, headers: dict | None = None,
                timeout: float = 60) -> Response:
        h = dict(headers or {})
        if method not in ("GET", "HEAD") and self.cookie("csrftoken"):
            h.setdefault("X-CSRFToken", self.cookie("csrftoken"))
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=h)
        try:
            with self.opener.open(req, timeout=timeout) as r:
                return Response(r.status, r.read(), r.headers)
        except urllib.error.HTTPError as e:
            return Response(e.code, e.read(), e.headers)

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def put_json(self, path: str, obj) -> Response:
        return self.request("PUT", path, data=json.dumps(obj, ensure_ascii=False).encode(),
                            headers={"Content-Type": "application/json"})

    def post_form(self, path: str, fields: dict) -> Response:
        fields = {"csrfmiddlewaretoken": self.cookie("csrftoken") or "", **fields}
        return self.request("POST", path, data=urllib.parse.urlencode(fields).encode(),
                            headers={"Content-Type": "application/x-www-form-urlencoded"})

    def post_multipart(self, path: str, fields: dict, files: dict[str, tuple[str, bytes, str]]) -> Response:
        """A form with files, as a browser sends it: ``files`` maps a field to (file name, bytes, type)."""
        boundary = "----reportsmith" + secrets.token_hex(12)
        parts = []
        for key, value in {"csrfmiddlewaretoken": self.cookie("csrftoken") or "", **fields}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
        for key, (name, data, ctype) in files.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; filename="{name}"\r\n'
                         f"Content-Type: {ctype}\r\n\r\n".encode() + data + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request("POST", path, data=b"".join(parts),
                            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def login(self, username: str, password: str) -> "Session":
        self.get("/login/")
        r = self.post_form("/login/", {"username": username, "password": password})
        assert r.status == 302, f"log-in of {username} failed: {r.status}"
        return self


def section_path(account: str, heading: str) -> str:
    return f"/api/clusters/{account}/sections/{urllib.parse.quote(heading)}"


_DUMP = r"""
import hashlib, json, sys
from pathlib import Path
from reportsmith.web.setup import prepare
data = prepare(sys.argv[1], migrate=False)
from django.db import connection
from reportsmith.web.accounts.models import User
from reportsmith.web.workspace.models import ClusterSpace, SectionVersion, StoredFile
out = {
  "accounts": sorted([u.username, u.role, u.cluster, u.password] for u in User.objects.all()),
  "sections": sorted([v.space.account, v.heading, v.version, v.content] for v in SectionVersion.objects.select_related("space")),
  "spaces": sorted([s.account, s.state, s.form, s.evidence, s.report_meta] for s in ClusterSpace.objects.all()),
  "files": sorted([f.space.account, f.path, f.sha256, f.size] for f in StoredFile.objects.select_related("space")),
}
blobs = {}
for p in sorted((data / "files").rglob("*")):
    if p.is_file():
        blobs[p.relative_to(data).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
out["blobs"] = blobs
if connection.vendor == "sqlite":
    with connection.cursor() as c:
        c.execute("PRAGMA integrity_check")
        out["integrity"] = [r[0] for r in c.fetchall()]
else:
    with connection.cursor() as c:
        # PostgreSQL: every index valid and every foreign key satisfied.
        c.execute("SELECT count(*) FROM pg_index WHERE NOT indisvalid")
        bad = c.fetchone()[0]
        c.execute("SELECT count(*) FROM workspace_sectionversion v LEFT JOIN workspace_clusterspace s ON s.id = v.space_id WHERE s.id IS NULL")
        bad += c.fetchone()[0]
        out["integrity"] = ["ok"] if bad == 0 else [f"{bad} problems"]
json.dump(out, sys.stdout, ensure_ascii=False, default=str)
"""


def dump(data: Path, env: dict) -> dict:
    proc = subprocess.run([sys.executable, "-c", _DUMP, str(data)], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)
