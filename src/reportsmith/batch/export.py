"""Everything in one download: a zip of every report, the summary tables, the province roll-up,
the charts, the compendium and the evidence bundles, with a manifest of each file's SHA-256.

:func:`export_all` runs the batch into a temporary folder (reports, ``summary.csv/xlsx``,
``汇总.xlsx``, ``index.html``), adds each cluster's evidence bundle (``<账号>/佐证材料/``), the
charts (``图表/``) and the compendium (``汇编.docx``, and its PDF with ``pdf``), then writes
``manifest.json`` over every file and packs the folder. The zip is deterministic: entries sorted,
fixed dates, so the same inputs give the same bytes. The web desk calls the same function.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from reportsmith.batch import charts
from reportsmith.batch._work import STATUS_BUILT, STATUS_PROBLEMS
from reportsmith.batch.summary import MANIFEST_NAME, batch_year
from reportsmith.core.atomic import atomic_path
from reportsmith.core.errors import Finding, InputError, ReportsmithError, Severity

__all__ = ["ExportResult", "export_all", "read_manifest", "COMPENDIUM_NAME", "CHARTS_DIR"]

COMPENDIUM_NAME = "汇编.docx"
CHARTS_DIR = "图表"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass
class ExportResult:
    path: Path
    files: list[dict] = field(default_factory=list)  # the manifest's entries: path, sha256, bytes
    findings: list[Finding] = field(default_factory=list)
    counts: str = ""
    batch_exit: int = 0  # the batch's exit code: 1 when a cluster has problems or is 未提交


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _bundles(inputs: Path, out: Path, results) -> list[Finding]:
    """Each built cluster's evidence files, copied under ``<账号>/佐证材料/`` in checklist order."""
    from reportsmith.evidence.checklist import write_bundle
    from reportsmith.report.build import BUNDLE_DIR
    from reportsmith.report.pipeline import load_and_assemble

    findings: list[Finding] = []
    for r in results:
        if r.status not in (STATUS_BUILT, STATUS_PROBLEMS):
            continue
        try:
            assembled, _ = load_and_assemble(inputs / r.key)
        except ReportsmithError as exc:
            findings.append(Finding(Severity.WARNING, "export.bundle_failed", f"佐证材料未打包：{exc.message}", file=str(inputs / r.key)))
            continue
        if assembled.checklist is None or not assembled.checklist.items:
            continue
        try:
            write_bundle(assembled.checklist, assembled.folder, out / r.key / BUNDLE_DIR)
        except (ReportsmithError, OSError) as exc:
            message = exc.message if isinstance(exc, ReportsmithError) else str(exc)
            findings.append(Finding(Severity.WARNING, "export.bundle_failed", f"佐证材料未打包：{message}", file=str(inputs / r.key)))
    return findings


def export_all(inputs: Path, zip_path: Path, *, pdf: bool = False, jobs: int | None = None, compendium: bool = True,
               layout: bool = True) -> ExportResult:
    """Build everything from ``inputs`` and pack it into ``zip_path``; see the module docstring."""
    from reportsmith.batch.compendium import compose_compendium
    from reportsmith.batch.run import run_batch

    inputs, zip_path = Path(inputs), Path(zip_path)
    if zip_path.suffix.lower() != ".zip":
        raise InputError("导出文件须以 .zip 结尾", file=zip_path, hint="例如：-o 全部材料.zip")
    findings: list[Finding] = []
    with tempfile.TemporaryDirectory(prefix="reportsmith-export-") as tmp:
        out = Path(tmp) / "export"
        batch = run_batch(inputs, out, jobs=jobs, pdf=pdf)
        year = batch_year(batch)
        findings += _bundles(inputs, out, batch.clusters)
        points = charts.points_from_batch(batch.clusters)
        from reportsmith.batch.compendium import _forms

        charts.write_charts(points, charts.province_indicators(_forms(inputs, batch.clusters)), out / CHARTS_DIR, year=year)
        if compendium:
            try:
                done = compose_compendium(batch, inputs, out / COMPENDIUM_NAME, pdf=pdf, layout=layout)
                findings += done.findings
            except InputError as exc:
                findings.append(Finding(Severity.WARNING, "export.no_compendium", f"未生成汇编：{exc.message}", file=str(inputs), hint=exc.hint))
        entries = []
        for path in sorted(p for p in out.rglob("*") if p.is_file()):
            rel = path.relative_to(out).as_posix()
            if rel == MANIFEST_NAME or any(part.startswith(".") for part in rel.split("/")):
                continue  # the batch's restart stamps are not material
            entries.append({"path": rel, "sha256": _sha256(path), "bytes": path.stat().st_size})
        manifest = json.dumps({"year": year, "files": entries}, ensure_ascii=False, indent=2) + "\n"
        (out / MANIFEST_NAME).write_text(manifest, encoding="utf-8")
        zip_path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(zip_path) as part, zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as zf:
            for rel in sorted([e["path"] for e in entries] + [MANIFEST_NAME]):
                info = zipfile.ZipInfo(rel, date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                info.flag_bits |= 0x800  # UTF-8 names (Chinese file names)
                with (out / rel).open("rb") as src, zf.open(info, "w") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
        counts, code = batch.counts_text(), batch.exit_code
    return ExportResult(zip_path, entries, findings, counts, code)


def read_manifest(zip_path: Path) -> dict:
    """The manifest inside an export (``manifest.json``)."""
    with zipfile.ZipFile(zip_path) as zf:
        return json.loads(zf.read(MANIFEST_NAME).decode("utf-8"))
