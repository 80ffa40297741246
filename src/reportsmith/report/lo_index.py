"""Ask LibreOffice to lay a document out: update its tables of contents, find the page of bookmarks, export a PDF.

Filling the page numbers of a table of contents needs a layout engine. :func:`layout_pages`
starts LibreOffice headless with a private profile (the layout fonts replaced as
``data/layout.yaml`` says, as for ``--pdf``), loads the .docx through LibreOffice's UNO
interface — driven by a small script (``_lo_uno.py``) run by a Python that has the ``uno``
module (Debian: python3-uno) — updates every index, and returns the index text and the page
of each bookmark; optionally the PDF of that layout. Without LibreOffice or its Python
interface it returns ``None`` and a finding that says so.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from reportsmith.core.errors import Finding, Severity
from reportsmith.report import pdf as _pdf

__all__ = ["LayoutPages", "layout_pages", "font_setup"]

TIMEOUT_S = 600
_SCRIPT = Path(__file__).with_name("_lo_uno.py")


@dataclass
class LayoutPages:
    indexes: list[str] = field(default_factory=list)  # text of each index after the update
    pages: dict[str, int] = field(default_factory=dict)  # bookmark → page (1 = first page)


def font_setup(work: Path) -> tuple[dict[str, str], Path]:
    """Environment and profile folder for a LibreOffice that draws the layout fonts as the PDF
    converter (:mod:`reportsmith.report.pdf`) does, so both lay a document out alike."""
    env: dict[str, str] = {}
    xcu = None
    installed = _pdf.installed_fonts()
    pairs = _pdf.font_substitutes(installed) if installed is not None else {}
    system_conf = _pdf._system_fonts_conf()
    if pairs and system_conf is not None:
        conf = work / "fonts.conf"
        conf.write_text(_pdf.fontconfig_rules(pairs, system_conf), encoding="utf-8")
        env = {"FONTCONFIG_FILE": str(conf)}
    elif pairs:
        xcu = _pdf.replacement_table(pairs)
    profile = work / "profile"
    if xcu:
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(xcu, encoding="utf-8")
    else:
        profile.mkdir(parents=True)
    return env, profile


def _missing(file: str, what: str) -> Finding:
    return Finding(
        Severity.WARNING, "compendium.no_layout_engine",
        f"{what}，目录中的页码未能填写（显示为 0）；Word 打开文件时会提示更新目录",
        file=file,
        hint="安装 LibreOffice 及其 Python 接口（如 apt install libreoffice-writer-nogui python3-uno）后重新生成；"
        "或在 Word 中右键目录选择“更新域→只更新页码”",
    )


def layout_pages(docx_path: Path, bookmarks: Sequence[str], *, update: bool = True, pdf: Path | None = None) -> tuple[LayoutPages | None, list[Finding]]:
    """Lay ``docx_path`` out in LibreOffice; see the module docstring."""
    file = str(docx_path)
    soffice = _pdf.find_soffice()
    if soffice is None:
        return None, [_missing(file, "未找到 LibreOffice（soffice 命令）")]
    python = _pdf.find_uno_python(soffice)
    if python is None:
        return None, [_missing(file, "未找到 LibreOffice 的 Python 接口（uno 模块）")]
    with tempfile.TemporaryDirectory(prefix="reportsmith-layout-") as tmp:
        tmpdir = Path(tmp)
        env, profile = font_setup(tmpdir)
        job = {
            "soffice": soffice,
            "profile_url": profile.as_uri(),
            "docx": str(Path(docx_path).resolve()),
            "update": update,
            "bookmarks": list(bookmarks),
            "pdf": str(pdf.resolve()) if pdf else None,
            "timeout": 120,
        }
        (tmpdir / "job.json").write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
        try:
            proc = subprocess.run([python, str(_SCRIPT), str(tmpdir / "job.json")], capture_output=True, text=True,
                                  timeout=TIMEOUT_S, check=False, env=_pdf._helper_env(env))
            data = json.loads(proc.stdout or "{}")
        except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
            data = {"error": f"{type(exc).__name__}: {exc}"}
    if "error" in data or "pages" not in data:
        return None, [Finding(
            Severity.WARNING, "compendium.layout_failed",
            f"LibreOffice 未能排版文档以取得目录页码（{data.get('error', '无输出')}）；目录页码未填写", file=file,
            hint="请在 Word 中打开后右键目录选择“更新域”；如反复出现，请检查 LibreOffice 的安装",
        )]
    return LayoutPages(list(data.get("indexes", [])), {k: int(v) for k, v in data["pages"].items()}), []
