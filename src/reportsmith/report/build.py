"""Build one cluster's Word report: assemble the inputs, render, optionally PDF and evidence bundle.

``build(folder, out_dir)`` writes ``out_dir/<account>/<集群名称><year>年度总结报告.docx``
atomically: a failed build leaves no partial file and never replaces a good earlier
one. The same inputs give the same bytes.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from reportsmith.records.assembled import Assembled
from reportsmith.core.atomic import atomic_path
from reportsmith.core.errors import Finding, Severity
from reportsmith.registry.clusters import Cluster, get_cluster
from reportsmith.core.resources import load_data

if TYPE_CHECKING:
    from reportsmith.report.render import Renderer

PDF_TIMEOUT_S = 180
BUNDLE_DIR = "佐证材料"


@dataclass
class BuildResult:
    """What a build wrote and what it found; ``findings`` include those of the inputs."""

    docx: Path
    pdf: Path | None
    findings: list[Finding]
    assembled: Assembled
    bundle: list[Path] = field(default_factory=list)


def output_path(out_dir: str | Path, cluster: Cluster | str, year: int) -> Path:
    """``out_dir/<account>/<集群名称><year>年度总结报告.docx``.

    >>> output_path("out", "whkjcyjq", 2024).name
    '武汉东湖高新区地球空间信息及应用服务创新型产业集群2024年度总结报告.docx'
    """
    c = cluster if isinstance(cluster, Cluster) else get_cluster(cluster)
    return Path(out_dir) / c.account / f"{c.name}{year}年度总结报告.docx"


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


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


def font_substitutes(installed: set[str]) -> dict[str, str]:
    """Layout font → the first installed stand-in (``data/layout.yaml``), for layout fonts not installed."""
    out = {}
    for font, candidates in load_data("layout.yaml")["pdf_font_substitutes"].items():
        stand_in = next((c for c in candidates if c in installed), None)
        if font not in installed and stand_in:
            out[font] = stand_in
    return out


def _write_profile(profile: Path) -> None:
    """Seed a LibreOffice user profile with a font replacement table.

    Without 仿宋_GB2312, 黑体 … LibreOffice draws every style in one fallback font and the
    PDF loses the difference between title, headings and body. "Always" replacement is
    safe here because only fonts that are not installed are listed.
    """
    installed = installed_fonts()
    pairs = font_substitutes(installed) if installed is not None else {}
    if not pairs:
        return
    prop = '<prop oor:name="{}" oor:op="fuse"><value>{}</value></prop>'
    nodes = "".join(
        f'<node oor:name="_{n}" oor:op="replace">'
        + prop.format("Always", "true")
        + prop.format("OnScreenOnly", "false")
        + prop.format("ReplaceFont", escape(font))
        + prop.format("SubstituteFont", escape(stand_in))
        + "</node>"
        for n, (font, stand_in) in enumerate(sorted(pairs.items()))
    )
    xcu = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        '<item oor:path="/org.openoffice.Office.Common/Font/Substitution">'
        + prop.format("Replacement", "true")
        + '</item><item oor:path="/org.openoffice.Office.Common/Font/Substitution/FontPairs">'
        + nodes
        + "</item></oor:items>\n"
    )
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(xcu, encoding="utf-8")


def convert_pdf(docx_path: Path) -> tuple[Path | None, list[Finding]]:
    """Convert with LibreOffice into a temporary folder, then move the PDF beside the .docx atomically.

    Fonts of the layout that are not installed are replaced as ``data/layout.yaml`` says.
    Without LibreOffice, or when it fails, the .docx stays and a warning says so.
    """
    target = docx_path.with_suffix(".pdf")
    soffice = _soffice()
    if soffice is None:
        return None, [
            Finding(
                Severity.WARNING,
                "build.no_libreoffice",
                "未找到 LibreOffice（soffice 命令），没有生成 PDF；Word 文档已正常生成",
                file=str(docx_path),
                hint="安装 LibreOffice（如 apt install libreoffice-writer-nogui）后重新运行 --pdf，或在 Word/WPS 中另存为 PDF",
            )
        ]
    with tempfile.TemporaryDirectory(prefix="reportsmith-pdf-") as tmp:
        tmpdir = Path(tmp)
        _write_profile(tmpdir / "profile")
        # A private profile lets several conversions run at once (batch) without locking each other.
        cmd = [
            soffice,
            f"-env:UserInstallation={(tmpdir / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmpdir / "out"),
            str(docx_path),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=PDF_TIMEOUT_S, check=False)
            detail = (proc.stderr or proc.stdout or "").strip().splitlines()[-1:] or [f"退出码 {proc.returncode}"]
        except (OSError, subprocess.TimeoutExpired) as exc:
            detail = [f"{type(exc).__name__}: {exc}"]
        produced = tmpdir / "out" / target.name
        if not produced.is_file():
            return None, [
                Finding(
                    Severity.WARNING,
                    "build.pdf_failed",
                    f"LibreOffice 未能把 Word 文档转换为 PDF（{detail[0]}）；Word 文档已正常生成",
                    file=str(docx_path),
                    hint="请用 Word/WPS 打开该文档另存为 PDF；如反复出现，请检查 LibreOffice 的安装",
                )
            ]
        with atomic_path(target) as part:
            shutil.copyfile(produced, part)
    return target, []


def _bundle(assembled: Assembled, dest: Path) -> tuple[list[Path], list[Finding]]:
    if assembled.checklist is None or not assembled.checklist.items:
        return [], [
            Finding(
                Severity.WARNING,
                "build.no_evidence",
                "evidence.yaml 不存在或没有列出任何佐证材料，未打包",
                file=str(assembled.folder / "evidence.yaml"),
                hint="在 evidence.yaml 中列出机构、规划和政策及其佐证材料文件后再使用 --bundle（reportsmith init 可生成模板）",
            )
        ]
    from reportsmith.evidence.checklist import write_bundle

    return write_bundle(assembled.checklist, assembled.folder, dest), []


def _unique(findings: list[Finding]) -> list[Finding]:
    out: list[Finding] = []
    for f in findings:
        if f not in out:
            out.append(f)
    return out


def build(
    folder: str | Path,
    out_dir: str | Path,
    *,
    template: str | Path | None = None,
    pdf: bool = False,
    bundle: bool = False,
    renderer: Renderer | None = None,
) -> BuildResult:
    """Assemble ``folder`` and write its report under ``out_dir``; raise InputError/TemplateError if impossible.

    ``renderer`` (a :class:`reportsmith.report.render.Renderer`) lets a batch parse the template once.

    >>> build(Path("inputs/whkjcyjq"), Path("out")).docx  # doctest: +SKIP
    """
    from reportsmith.report.pipeline import assemble
    from reportsmith.report.render import Renderer

    folder = Path(folder)
    # Parse the template first: a broken template fails before any input work.
    rend = renderer if renderer is not None else Renderer(template)
    assembled = assemble(folder)
    findings = list(assembled.findings)
    if assembled.checklist is not None:
        findings += assembled.checklist.findings
    target = output_path(out_dir, assembled.cluster, assembled.year)
    # One context build gives both the file and the warnings about removed characters.
    findings += rend.render_report(assembled, target)[1]
    pdf_path = None
    if pdf:
        pdf_path, more = convert_pdf(target)
        findings += more
    bundled: list[Path] = []
    if bundle:
        bundled, more = _bundle(assembled, target.parent / BUNDLE_DIR)
        findings += more
    return BuildResult(docx=target, pdf=pdf_path, findings=_unique(findings), assembled=assembled, bundle=bundled)
