"""The one converter from .docx to PDF: build, batch, compendium and preview all use it.

:class:`PdfConverter` keeps one LibreOffice running and converts document after
document through it (UNO, by ``_office_helper.py`` under a Python that has ``uno``):
~0.4 s a report instead of ~1.6 s for an ``soffice --convert-to`` that starts an office
with a fresh profile each time. Where no Python with ``uno`` is found it falls back to
that one-office-per-document way, which also serves as the benchmark's baseline.

* every document has a timeout; a hung or crashed office is killed, the document fails
  with a Chinese warning, and the next document starts a fresh office;
* without LibreOffice the .docx stays and a warning says how to get a PDF;
* ``pdf_a=True`` exports PDF/A-2b (archiving);
* layout fonts that are not installed are replaced for the PDF only, as
  ``data/pdf_fonts.yaml`` says: by fontconfig rules (``FONTCONFIG_FILE``) where LibreOffice
  uses fontconfig (Linux), by LibreOffice's replacement table elsewhere.

One converter per process (:func:`shared_converter`); a batch's worker processes each
own one, which on 2 cores keeps both busy. It is closed when its process exits.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportsmith.core.atomic import atomic_path
from reportsmith.core.errors import Finding, Severity
from reportsmith.core.resources import load_data

DOC_TIMEOUT_S = 120  # one document; the demo reports take well under a second
START_TIMEOUT_S = 90  # LibreOffice's first start with a fresh profile
HELPER = Path(__file__).with_name("_office_helper.py")

_NO_OFFICE_HINT = "安装 LibreOffice（如 apt install libreoffice-writer-nogui）后重新运行 --pdf，或在 Word/WPS 中另存为 PDF"
_FAILED_HINT = "请用 Word/WPS 打开该文档另存为 PDF；如反复出现，请检查 LibreOffice 的安装"


# -- fonts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StandIn:
    """An installed font drawn instead of a layout font that is not installed."""

    family: str
    bold: bool = False


def installed_fonts() -> set[str] | None:
    """Every font family name fontconfig knows (localised names too), or None without ``fc-list``."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        proc = subprocess.run(
            [fc_list, ":", "family"], capture_output=True, encoding="utf-8", errors="replace", timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return {name.strip() for line in proc.stdout.splitlines() for name in line.split(",") if name.strip()}


def font_substitutes(installed: set[str]) -> dict[str, StandIn]:
    """Layout font → its first installed stand-in (``data/pdf_fonts.yaml``), for layout fonts not installed."""
    out = {}
    for font, candidates in load_data("pdf_fonts.yaml")["substitutes"].items():
        if font in installed:
            continue
        for c in candidates:
            stand_in = StandIn(c["family"], bool(c.get("bold"))) if isinstance(c, dict) else StandIn(str(c))
            if stand_in.family in installed:
                out[font] = stand_in
                break
    return out


def fontconfig_rules(pairs: dict[str, StandIn], include: Path) -> str:
    """A ``fonts.conf`` that includes the system one and maps each layout font to its stand-in."""
    rules = []
    for font, s in sorted(pairs.items()):
        weight = '<edit name="weight" mode="assign" binding="strong"><const>bold</const></edit>' if s.bold else ""
        rules.append(
            f'  <match target="pattern"><test name="family" qual="any"><string>{escape(font)}</string></test>'
            f'<edit name="family" mode="assign" binding="strong"><string>{escape(s.family)}</string></edit>{weight}</match>'
        )
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
        f"  <include ignore_missing=\"yes\">{escape(str(include))}</include>\n" + "\n".join(rules) + "\n</fontconfig>\n"
    )


def replacement_table(pairs: dict[str, StandIn]) -> str:
    """LibreOffice's font replacement table (a profile's ``registrymodifications.xcu``), for systems without fontconfig."""
    prop = '<prop oor:name="{}" oor:op="fuse"><value>{}</value></prop>'
    nodes = "".join(
        f'<node oor:name="_{n}" oor:op="replace">'
        + prop.format("Always", "true")
        + prop.format("OnScreenOnly", "false")
        + prop.format("ReplaceFont", escape(font))
        + prop.format("SubstituteFont", escape(s.family))
        + "</node>"
        for n, (font, s) in enumerate(sorted(pairs.items()))
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        '<item oor:path="/org.openoffice.Office.Common/Font/Substitution">'
        + prop.format("Replacement", "true")
        + '</item><item oor:path="/org.openoffice.Office.Common/Font/Substitution/FontPairs">'
        + nodes
        + "</item></oor:items>\n"
    )


def _system_fonts_conf() -> Path | None:
    """The fontconfig configuration LibreOffice reads, where it reads one (not on Windows or macOS)."""
    if sys.platform.startswith(("win", "darwin")):
        return None
    path = Path(os.environ.get("FONTCONFIG_FILE") or "/etc/fonts/fonts.conf")
    return path if path.is_file() else None


# -- finding LibreOffice -------------------------------------------------------------


def find_soffice() -> str | None:
    """LibreOffice's ``soffice`` on PATH, or where its installers put it on Windows and macOS."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    places = [Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")] if sys.platform == "darwin" else []
    if os.name == "nt":
        places = [Path(os.environ.get(v, "")) / "LibreOffice" / "program" / "soffice.exe" for v in ("ProgramFiles", "ProgramFiles(x86)") if os.environ.get(v)]
    return next((str(p) for p in places if p.is_file()), None)


_UNO_PYTHON: dict[str, str | None] = {}


def find_uno_python(soffice: str) -> str | None:
    """A Python that can ``import uno``: this one, LibreOffice's own, or the system's (Debian's python3-uno)."""
    if soffice in _UNO_PYTHON:
        return _UNO_PYTHON[soffice]
    program = Path(os.path.realpath(soffice)).parent
    candidates = [sys.executable, str(program / "python"), str(program / "python.exe"), "/usr/bin/python3"]
    found = None
    for py in dict.fromkeys(candidates):
        if not Path(py).is_file():
            continue
        try:
            probe = subprocess.run([py, "-c", "import uno"], capture_output=True, timeout=60, env=_helper_env(), check=False)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            found = py
            break
    _UNO_PYTHON[soffice] = found
    return found


def _helper_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}
    env.update(extra or {})
    return env


def _filter_options(pdf_a: bool) -> dict[str, Any]:
    options: dict[str, Any] = {"ExportBookmarks": True, "ExportNotes": False, "UseTaggedPDF": pdf_a}
    if pdf_a:
        options["SelectPdfVersion"] = 2  # PDF/A-2b
    return options


def _kill_tree(proc: subprocess.Popen) -> None:
    """Kill a process started in its own session together with everything it started (soffice.bin)."""
    if proc.poll() is None or os.name != "nt":
        try:
            if os.name == "nt":
                subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True, check=False)
            else:
                os.killpg(proc.pid, signal.SIGKILL)
        except (OSError, ProcessLookupError):
            pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def _session_kwargs() -> dict[str, Any]:
    if os.name == "nt":
        return {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}
    return {"start_new_session": True}


# -- the converter -------------------------------------------------------------------


class PdfConverter:
    """Converts .docx files to PDF beside them; ``mode`` is ``auto`` (long-running office when
    possible), ``server`` (long-running office or nothing) or ``oneshot`` (one office per document)."""

    def __init__(self, *, timeout: float = DOC_TIMEOUT_S, mode: str | None = None) -> None:
        self.timeout = timeout
        # REPORTSMITH_PDF_MODE=oneshot lets benchmarks/bench_pdf.py time the old way through the real batch.
        self.mode = mode or os.environ.get("REPORTSMITH_PDF_MODE") or "auto"
        self.soffice = find_soffice()
        self._work: Path | None = None
        self._env: dict[str, str] = {}
        self._xcu: str | None = None
        self._proc: subprocess.Popen | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._count = 0
        self._lock = threading.Lock()
        self._office_pid: int | None = None
        self.starts = 0  # how many offices this converter has started (tests, benchmark)

    # -- public

    def convert(self, docx: str | Path, *, pdf_a: bool = False, wait: float | None = None) -> tuple[Path | None, list[Finding]]:
        """Write ``<docx>.pdf`` atomically; on failure return ``(None, [warning])`` and leave any earlier PDF alone.

        Conversions through one converter run one at a time (threads queue on its lock). ``wait``
        bounds how long a caller queues, in seconds (a web request must not queue behind a hung
        office for minutes); after it the document is not converted and a warning says the
        converter is busy. ``None`` queues as long as it takes.
        """
        docx = Path(docx).resolve()
        if self._proc is None or self._proc.poll() is not None:
            self.soffice = find_soffice()  # installed (or removed) since the last office started
        if self.soffice is None:
            return None, [
                Finding(
                    Severity.WARNING,
                    "build.no_libreoffice",
                    "未找到 LibreOffice（soffice 命令），没有生成 PDF；Word 文档已正常生成",
                    file=str(docx),
                    hint=_NO_OFFICE_HINT,
                )
            ]
        if not self._lock.acquire(timeout=-1 if wait is None else max(wait, 0)):
            return None, [
                Finding(
                    Severity.WARNING,
                    "build.pdf_busy",
                    f"PDF 转换正忙（前面的文档 {wait:g} 秒内未转换完），没有生成 PDF；Word 文档已正常生成",
                    file=str(docx),
                    hint="请稍后再试，或用 Word/WPS 打开该文档另存为 PDF",
                )
            ]
        try:
            self._prepare()
            assert self._work is not None
            self._count += 1
            produced = self._work / "out" / f"{self._count}" / f"{docx.stem}.pdf"
            produced.parent.mkdir(parents=True)
            if self._use_server():
                error = self._via_server(docx, produced, pdf_a)
            else:
                error = self._oneshot(docx, produced, pdf_a)
            target = docx.with_suffix(".pdf")
            try:
                if error is None and produced.is_file() and produced.stat().st_size > 0:
                    with atomic_path(target) as part:
                        shutil.copyfile(produced, part)
                    return target, []
            finally:
                shutil.rmtree(produced.parent, ignore_errors=True)
        finally:
            self._lock.release()
        return None, [
            Finding(
                Severity.WARNING,
                "build.pdf_failed",
                f"LibreOffice 未能把 Word 文档转换为 PDF（{error or '没有生成文件'}）；Word 文档已正常生成",
                file=str(docx),
                hint=_FAILED_HINT,
            )
        ]

    def close(self) -> None:
        """Shut the office down and remove the working folder (idempotent)."""
        with self._lock:
            self._stop(graceful=True)
            if self._work is not None:
                shutil.rmtree(self._work, ignore_errors=True)
                self._work = None

    def __enter__(self) -> PdfConverter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def office_pid(self) -> int | None:
        """The running office's process id (the long-running mode), for tests."""
        return self._office_pid if self._proc is not None and self._proc.poll() is None else None

    # -- set-up

    def _use_server(self) -> bool:
        if self.mode == "oneshot":
            return False
        return self.mode == "server" or find_uno_python(self.soffice or "") is not None

    def _prepare(self) -> None:
        if self._work is not None:
            return
        self._work = Path(tempfile.mkdtemp(prefix="reportsmith-pdf-"))
        installed = installed_fonts()
        pairs = font_substitutes(installed) if installed is not None else {}
        system_conf = _system_fonts_conf()
        if pairs and system_conf is not None:
            conf = self._work / "fonts.conf"
            conf.write_text(fontconfig_rules(pairs, system_conf), encoding="utf-8")
            self._env = {"FONTCONFIG_FILE": str(conf)}
        elif pairs:
            self._xcu = replacement_table(pairs)

    def _new_profile(self, name: str) -> Path:
        assert self._work is not None
        profile = self._work / name
        shutil.rmtree(profile, ignore_errors=True)
        if self._xcu:
            (profile / "user").mkdir(parents=True)
            (profile / "user" / "registrymodifications.xcu").write_text(self._xcu, encoding="utf-8")
        else:
            profile.mkdir(parents=True)
        return profile

    # -- one long-running office

    def _start(self) -> str | None:
        """Start the helper and its office; None when ready, else why not."""
        self._stop(graceful=False)
        python = find_uno_python(self.soffice or "")
        if python is None:
            return "找不到可以连接 LibreOffice 的 Python（Debian/Ubuntu 请安装 python3-uno）"
        profile = self._new_profile("profile")
        self._lines = queue.Queue()
        try:
            proc = subprocess.Popen(
                [python, str(HELPER), str(self.soffice), profile.as_uri()],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=_helper_env(self._env),
                encoding="utf-8",
                **_session_kwargs(),
            )
        except OSError as exc:
            return f"无法启动 LibreOffice：{exc}"
        self._proc = proc
        self.starts += 1
        threading.Thread(target=_pump, args=(proc, self._lines), daemon=True).start()
        reply = self._reply(START_TIMEOUT_S)
        if not reply or not reply.get("ready"):
            self._stop(graceful=False)
            return "LibreOffice 未能启动" if reply is not None else f"LibreOffice 超过 {START_TIMEOUT_S} 秒仍未启动"
        self._office_pid = int(reply.get("pid") or 0)
        return None

    def _reply(self, timeout: float) -> dict | None:
        """The helper's next answer; {} when it ended, None when it did not answer in time."""
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            return None
        if line is None:
            return {}
        try:
            return json.loads(line)
        except ValueError:
            return {}

    def _via_server(self, docx: Path, produced: Path, pdf_a: bool) -> str | None:
        request = json.dumps({"src": str(docx), "dst": str(produced), "pdf_a": pdf_a, "options": _filter_options(pdf_a)})
        for attempt in range(2):
            if self._proc is None or self._proc.poll() is not None:
                why = self._start()
                if why is not None:
                    return why
            assert self._proc is not None and self._proc.stdin is not None
            try:
                self._proc.stdin.write(request + "\n")
                self._proc.stdin.flush()
            except OSError:
                self._stop(graceful=False)
                continue  # the office had died between documents: a new one gets this document
            reply = self._reply(self.timeout)
            if reply is None:
                self._stop(graceful=False)
                return f"超过 {self.timeout:g} 秒仍未完成，已停止该次转换"
            if reply.get("ok"):
                return None
            if reply.get("office_died"):
                self._stop(graceful=False)
                # Retried once with a new office: an office that died between two documents can
                # still look alive to the helper while its threads exit, and then this document's
                # call is the one that finds it gone. A document that itself crashes the office
                # crashes the second one too and is reported.
                if attempt == 0:
                    continue
                return "LibreOffice 在转换时意外退出"
            if not reply:
                self._stop(graceful=False)
                return "LibreOffice 在转换时意外退出"
            return _short(str(reply.get("error") or "未知错误"))
        return "LibreOffice 反复意外退出"

    def _stop(self, *, graceful: bool) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if graceful and proc.poll() is None:
            try:
                assert proc.stdin is not None
                proc.stdin.close()  # the helper shuts its office down at the end of its input
                proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                pass
        _kill_tree(proc)  # whatever is left of the session (soffice.bin) goes too
        for stream in (proc.stdin, proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass

    # -- one office per document (no Python with uno; the benchmark's baseline)

    def _oneshot(self, docx: Path, produced: Path, pdf_a: bool) -> str | None:
        profile = self._new_profile(f"oneshot-{self._count}")
        options = {k: {"type": "boolean" if isinstance(v, bool) else "long", "value": str(v).lower()} for k, v in _filter_options(pdf_a).items()}
        cmd = [
            str(self.soffice),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf:writer_pdf_Export:" + json.dumps(options),
            "--outdir",
            str(produced.parent),
            str(docx),
        ]
        self.starts += 1
        try:
            proc = subprocess.Popen(
                cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_helper_env(self._env), encoding="utf-8",
                errors="replace", **_session_kwargs(),
            )
        except OSError as exc:
            return f"无法启动 LibreOffice：{exc}"
        try:
            out, err = proc.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            _kill_tree(proc)
            proc.communicate()
            return f"超过 {self.timeout:g} 秒仍未完成，已停止该次转换"
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        if produced.is_file():
            return None
        last = (err or out or "").strip().splitlines()[-1:]
        return _short(last[0] if last else f"退出码 {proc.returncode}")


def _pump(proc: subprocess.Popen, lines: queue.Queue) -> None:
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            lines.put(line)
    except (OSError, ValueError):
        pass
    lines.put(None)


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- one converter per process ---------------------------------------------------------

_SHARED: PdfConverter | None = None
_SHARED_PID = 0
_SHARED_LOCK = threading.Lock()  # two threads of a web server asking at once get the same converter


def shared_converter() -> PdfConverter:
    """This process's converter, started on first use and closed when the process exits.

    A forked child (a batch worker) never uses its parent's: it gets its own.
    """
    global _SHARED, _SHARED_PID
    with _SHARED_LOCK:
        return _shared_locked()


def _shared_locked() -> PdfConverter:
    global _SHARED, _SHARED_PID
    if _SHARED is None or _SHARED_PID != os.getpid():
        _SHARED, _SHARED_PID = PdfConverter(), os.getpid()
        atexit.register(_SHARED.close)
        from multiprocessing import util

        # A pool worker ends through multiprocessing's own exit, which runs these but not atexit.
        util.Finalize(_SHARED, _SHARED.close, exitpriority=10)
    return _SHARED


def convert_pdf(docx: str | Path, *, pdf_a: bool = False, wait: float | None = None) -> tuple[Path | None, list[Finding]]:
    """Convert with this process's converter: ``(pdf path, [])`` or ``(None, [warning])``."""
    return shared_converter().convert(docx, pdf_a=pdf_a, wait=wait)
