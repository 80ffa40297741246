"""The work of the batch on one cluster, as run inside a worker process.

Kept apart from :mod:`reportsmith.batch.run` (which schedules) so that what a worker imports
and holds is visible in one place: one :class:`render.Renderer` per process, created by
:func:`init_worker`, and :func:`work`, which turns one cluster folder into a picklable
:class:`ClusterResult` — never raising for a bad input.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import re
import signal
import tempfile
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportsmith.batch.stamp import inputs_fingerprint, up_to_date, write_stamp
from reportsmith.core.errors import Finding, ReportsmithError, Severity
from reportsmith.form.data import FormData
from reportsmith.registry.clusters import Cluster

STATUS_BUILT = "已生成"
STATUS_PROBLEMS = "有问题"
STATUS_FAILED = "无法生成"
STATUS_MISSING = "未提交"


@dataclass(frozen=True)
class BatchItem:
    """One cluster to process: ``key`` names its output folder (the account)."""

    key: str
    cluster: Cluster
    folder: Path


@dataclass(slots=True)
class ClusterResult:
    """What the batch learned about one cluster; every figure comes from its check.

    Kept lean, because the batch holds one per cluster until the summary is written: the
    problems travel as JSON bytes (``details``) that the batch moves to a :class:`DetailSpool`
    on disk, and ``form`` only travels to the batch, which adds it to the roll-up's running
    sums and drops it (``form_year`` stays).
    """

    key: str
    cluster: Cluster
    status: str
    message: str = ""  # why it could not be built, or why it is 未提交
    page_message: str = ""  # the same with file paths relative to the output folder (for the summary)
    year: int | None = None
    zishu: int | None = None
    band: str | None = None
    band_label: str = ""
    coverage: float | None = None
    topics_total: int = 0
    topics_covered: int = 0
    missing_topics: tuple[tuple[str, str], ...] = ()  # (heading, topic), not covered: missing or only negated
    negated_topics: tuple[tuple[str, str], ...] = ()  # (heading, topic), those of missing_topics only negated
    evidence_missing: int | None = None
    evidence_items: int | None = None  # institutions, plans and policies listed; 0: nothing listed yet
    written: bool = True  # False: an untouched draft, no text of the writer's own under any heading
    form_errors: int | None = None
    errors: int = 0
    warnings: int = 0
    output: str | None = None  # relative to out/, with forward slashes
    pdf: str | None = None
    rebuilt: bool = False
    details: bytes | None = None  # the problems as JSON (see _details_json), until spooled
    form: FormData | None = None  # on its way to the province roll-up
    form_year: int | None = None
    spooled: tuple["DetailSpool", int, int] | None = field(default=None, repr=False, compare=False)

    @property
    def problems(self) -> list[str]:
        """What a reviewer should look at, as sentences: the failure, then errors and warnings."""
        return ([self.message] if self.message else []) + self._details()["problems"]

    @property
    def page_problems(self) -> list[str]:
        """:attr:`problems` with file paths relative to the output folder, as the summary shows them."""
        details = self._details()
        message = self.page_message or self.message
        return ([message] if message else []) + details.get("page", details["problems"])

    @property
    def problem_records(self) -> list[dict[str, Any]]:
        """The errors and warnings as ``Finding.to_dict`` records (for ``--json``)."""
        return self._details()["records"]

    def _details(self) -> dict[str, Any]:
        if self.details is not None:
            return json.loads(self.details)
        if self.spooled is not None:
            spool, offset, length = self.spooled
            return json.loads(spool.read(offset, length))
        return {"problems": [], "records": []}

    def to_json(self) -> dict[str, Any]:
        c = self.cluster
        return {
            "account": self.key,
            "level": c.level,
            "seq": c.seq,
            "name": c.name,
            "units": list(c.units),
            "status": self.status,
            "message": self.message,
            "zishu": self.zishu,
            "band": self.band,
            "band_label": self.band_label,
            "coverage": None if self.coverage is None else round(self.coverage, 4),
            "missing_topics": [
                {"heading": h, "topic": t, "outcome": "negated" if (h, t) in self.negated_topics else "missing"}
                for h, t in self.missing_topics
            ],
            "evidence_missing": self.evidence_missing,
            "evidence_items": self.evidence_items,
            "written": self.written,
            "form_errors": self.form_errors,
            "errors": self.errors,
            "warnings": self.warnings,
            "output": self.output,
            "pdf": self.pdf,
            "rebuilt": self.rebuilt,
            "problems": self.problem_records,
        }


def relative_to(path: str | Path, base: Path) -> str:
    """``path`` as seen from the folder ``base``, with forward slashes: the summary names no
    absolute path of the machine that ran the batch.

    >>> relative_to("inputs/whkjcyjq/report.yaml", Path("out"))
    '../inputs/whkjcyjq/report.yaml'
    """
    try:
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(base))
    except ValueError:  # another drive on Windows: only the file's own name
        return Path(path).name
    return rel.replace(os.sep, "/")


def _relative_files(findings: list[Finding], out: Path | None) -> list[Finding]:
    if out is None:
        return findings
    return [dataclasses.replace(f, file=relative_to(f.file, out)) if f.file else f for f in findings]


def _details_json(findings: list[Finding], out: Path | None = None) -> bytes:
    """The problems among ``findings`` as sentences and as records, in one JSON document
    (file paths relative to ``out``, the batch's output folder)."""
    problems = [f for f in findings if f.is_problem]
    data: dict[str, Any] = {"problems": [f"{f.severity.label}：{f.text()}" for f in problems]}
    if out is not None:
        data["page"] = [f"{f.severity.label}：{f.text()}" for f in _relative_files(problems, out)]
    data["records"] = [f.to_dict() for f in problems]
    return json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")


class DetailSpool:
    """Each cluster's problem details in an unnamed temporary file, so memory does not grow with clusters.

    The file is deleted by the system when closed (or when the process ends), never left behind.
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()
        # Closed when the last result that reads it is gone (or at exit): no open-file warning.
        self.close = weakref.finalize(self, self._file.close)

    def keep(self, res: ClusterResult) -> None:
        """Move ``res.details`` to the file; ``res.problems`` reads it back when asked."""
        if res.details is None:
            return
        self._file.seek(0, os.SEEK_END)
        res.spooled = (self, self._file.tell(), len(res.details))
        self._file.write(res.details)
        res.details = None

    def read(self, offset: int, length: int) -> bytes:
        self._file.seek(offset)
        return self._file.read(length)


# --- the worker's state -----------------------------------------------------------------------

_RENDERER: Any = None
_TEMPLATE: Path | None = None


def init_worker(template: Path, *, in_worker: bool = True) -> None:
    """Parse the template once for this process (the pool's initializer)."""
    global _RENDERER, _TEMPLATE
    if in_worker:
        # Ctrl-C reaches the whole process group; the parent decides what stops, so a
        # worker finishes the report it is writing (atomically) instead of dying mid-way.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _RENDERER is not None and _TEMPLATE == template:
        return
    from reportsmith.report.render import Renderer

    _RENDERER, _TEMPLATE = Renderer(template), template


def work(item: BatchItem, *, out: Path, pdf: bool, force: bool, engine: str, pdf_a: bool = False, chart: bool = False) -> ClusterResult:
    """Check and (re)build one cluster; any failure becomes a 无法生成 result, never an exception."""
    if not (item.folder / "report.yaml").is_file():
        return _unsubmitted(item, out)
    try:
        return _build(item, out, pdf=pdf or pdf_a, pdf_a=pdf_a, force=force, engine=engine, chart=chart)
    except ReportsmithError as exc:
        res = failed_result(item, exc.text(), form=_form_quietly(item.folder)[0])
        if exc.file:
            exc.file = relative_to(exc.file, out)
            res.page_message = exc.text()
        return res
    except OSError as exc:  # permissions, a full disk, a report open in Word (Windows locks it)
        advice = "（请检查读写权限与磁盘空间；如该报告正在 Word/WPS 中打开，请先关闭后重新运行）"
        res = failed_result(item, os_error_text(exc, item.folder) + advice, form=_form_quietly(item.folder)[0])
        res.page_message = os_error_text(exc, item.folder, base=out) + advice
        return res
    except Exception as exc:  # a bug must not take the other clusters down
        return failed_result(item, f"内部错误：{type(exc).__name__}: {exc}（请把此信息报告给维护者）", form=_form_quietly(item.folder)[0])


_OS_REASONS = {
    errno.EACCES: "没有读写权限",
    errno.EPERM: "没有读写权限",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "所在磁盘只读",
    errno.EISDIR: "该位置已有一个同名文件夹",
    errno.ENOTDIR: "路径中有一段是文件而不是文件夹",
    errno.EEXIST: "该位置已有一个同名文件",
    errno.ENOENT: "文件或文件夹不存在",
}
_TEMP_NAME = re.compile(r"^\.(?P<name>.+)\.[^.]+\.part$")  # atomic.atomic_path's temporary files


def os_error_text(exc: OSError, default: Path, *, base: Path | None = None) -> str:
    """``out/x/报告.docx：无法读取或写入（没有读写权限）`` — the real file, not its temporary twin
    (its path relative to ``base`` when given)."""
    name = Path(exc.filename) if exc.filename else default
    if m := _TEMP_NAME.match(name.name):
        name = name.with_name(m["name"])
    reason = _OS_REASONS.get(exc.errno or 0, exc.strerror or type(exc).__name__)
    return f"{relative_to(name, base) if base is not None else name}：无法读取或写入（{reason}）"


def failed_result(item: BatchItem, message: str, *, form: FormData | None = None) -> ClusterResult:
    """A 无法生成 result; ``form`` (if readable) still goes into the province roll-up."""
    return ClusterResult(key=item.key, cluster=item.cluster, status=STATUS_FAILED, message=message, form=form)


def _unsubmitted(item: BatchItem, out: Path | None = None) -> ClusterResult:
    form, findings = _form_quietly(item.folder)
    message = "未提交：没有 {}（可用 reportsmith init " + item.key + " 生成填报文件）"
    res = ClusterResult(key=item.key, cluster=item.cluster, status=STATUS_MISSING, message=message.format(item.folder / "report.yaml"),
                        form=form, details=_details_json(findings, out))
    if out is not None:
        res.page_message = message.format(relative_to(item.folder / "report.yaml", out))
    _count(res, findings)
    return res


def _form_quietly(folder: Path) -> tuple[FormData | None, list[Finding]]:
    """The folder's form and its findings, or (None, [...]) — the roll-up counts what can be read."""
    path = folder / "form.yaml"
    if not path.is_file():
        return None, []
    from reportsmith.form.load import check_form_file

    try:
        return check_form_file(path)
    except ReportsmithError as exc:
        return None, [Finding(Severity.ERROR, "form.unreadable", exc.message, file=exc.file, line=exc.line, key=exc.key, hint=exc.hint)]


def _build(item: BatchItem, out: Path, *, pdf: bool, pdf_a: bool, force: bool, engine: str, chart: bool = False) -> ClusterResult:
    from reportsmith.report.build import output_path
    from reportsmith.report.pipeline import load_and_assemble
    from reportsmith.checks.sections import check_assembled
    from reportsmith.report.render import render_findings

    assembled, report = load_and_assemble(item.folder)
    check = check_assembled(assembled, report)
    docx = output_path(out, item.cluster, assembled.year)
    fingerprint = inputs_fingerprint(item.folder, item.cluster, engine)
    rebuilt = force or not up_to_date(docx, fingerprint, pdf, pdf_a)
    pdf_path: Path | None = docx.with_suffix(".pdf") if pdf else None
    findings = list(check.findings)
    if rebuilt:
        findings += _RENDERER.render_report(assembled, docx)[1]
        if chart:
            from reportsmith.report.charts import add_indicator_chart

            add_indicator_chart(assembled, docx)
        if pdf_path is not None:
            findings += _convert_pdf(docx, pdf_a)
        write_stamp(docx, fingerprint, pdf_a=pdf_a and pdf_path is not None)
    else:
        # Up to date: the warnings rendering would give (characters removed) still belong in the summary.
        findings += render_findings(assembled)
    res = ClusterResult(
        key=item.key,
        cluster=item.cluster,
        status=STATUS_PROBLEMS if any(f.is_problem for f in findings) else STATUS_BUILT,
        year=assembled.year,
        zishu=check.zishu,
        band=check.band,
        band_label=check.band_label,
        coverage=check.coverage,
        topics_total=len(check.topics),
        topics_covered=sum(1 for t in check.topics if t.covered),
        missing_topics=tuple((t.heading, t.topic) for t in check.missing_topics),
        negated_topics=tuple((t.heading, t.topic) for t in check.negated_topics),
        output=docx.relative_to(out).as_posix(),
        pdf=pdf_path.relative_to(out).as_posix() if pdf_path is not None and pdf_path.is_file() else None,
        rebuilt=rebuilt,
        details=_details_json(findings, out),
        form=assembled.form,
        written=any(s.paragraphs for s in assembled.sections),
    )
    if assembled.checklist is not None:
        res.evidence_missing = sum(1 for i in assembled.checklist.items if i.missing)
        res.evidence_items = len(assembled.checklist.items)
    _count(res, findings)
    return res


def _count(res: ClusterResult, findings: list[Finding]) -> None:
    res.errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    res.warnings = sum(1 for f in findings if f.severity is Severity.WARNING)
    if res.form is not None or any(_is_form_finding(f) for f in findings):
        res.form_errors = sum(1 for f in findings if f.severity is Severity.ERROR and _is_form_finding(f))


def _is_form_finding(f: Finding) -> bool:
    return f.rule.startswith("form.")


def _convert_pdf(docx: Path, pdf_a: bool) -> list[Finding]:
    # This process's long-running LibreOffice: each batch worker owns one (2 on 2 cores).
    from reportsmith.report.pdf import convert_pdf

    return convert_pdf(docx, pdf_a=pdf_a)[1]
