"""Build one cluster's Word report: assemble the inputs, render, optionally PDF and evidence bundle.

``build(folder, out_dir)`` writes ``out_dir/<account>/<集群名称><year>年度总结报告.docx``
atomically: a failed build leaves no partial file and never replaces a good earlier
one. The same inputs give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reportsmith.records.assembled import Assembled
from reportsmith.core.errors import Finding, Severity
from reportsmith.registry.clusters import Cluster, get_cluster

if TYPE_CHECKING:
    from reportsmith.report.render import Renderer

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


def _name_bundled_files(assembled: Assembled) -> None:
    """The checklist's file column names each attached file as it will stand in the bundle
    beside the report (佐证材料/01-光谷创业孵化器.pdf), where its reader will find it."""
    from reportsmith.evidence.checklist import bundle_names

    shown: dict[int, list[str]] = {}
    for item, _written, name in bundle_names(assembled.checklist):
        shown.setdefault(id(item), []).append(f"{BUNDLE_DIR}/{name}")
    for item in assembled.checklist.items:
        if id(item) in shown:
            item.shown_files = shown[id(item)]


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
    pdf_a: bool = False,
    bundle: bool = False,
    renderer: Renderer | None = None,
    chart: bool = False,
) -> BuildResult:
    """Assemble ``folder`` and write its report under ``out_dir``; raise InputError/TemplateError if impossible.

    ``chart`` puts the cluster's indicator chart into 附件1. ``pdf_a`` makes the PDF a PDF/A-2b (implies ``pdf``). ``renderer`` (a :class:`reportsmith.report.render.Renderer`) lets a batch parse the template once.

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
    if bundle and assembled.checklist is not None:
        _name_bundled_files(assembled)
    # One context build gives both the file and the warnings about removed characters.
    findings += rend.render_report(assembled, target)[1]
    if chart:
        from reportsmith.report.charts import add_indicator_chart

        add_indicator_chart(assembled, target)
    pdf_path = None
    if pdf or pdf_a:
        from reportsmith.report.pdf import convert_pdf

        pdf_path, more = convert_pdf(target, pdf_a=pdf_a)
        findings += more
    bundled: list[Path] = []
    if bundle:
        bundled, more = _bundle(assembled, target.parent / BUNDLE_DIR)
        findings += more
    return BuildResult(docx=target, pdf=pdf_path, findings=_unique(findings), assembled=assembled, bundle=bundled)
