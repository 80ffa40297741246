"""Build ``templates/outline.docx`` from code, so that its styles are reviewable.

Styles and page come from ``data/layout.yaml`` (GB/T 9704-2012 body typography);
this module writes them into a python-docx document and lays out the docxtpl tags
that :mod:`reportsmith.report.render` fills. python-docx has no API for style aliases,
outline levels, document grids, fields or merged tag rows, so those are written as
XML here. The output is byte-identical on every run (``make template``).
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from typing import Any

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Twips

from reportsmith.docx import out as docxout
from reportsmith.docx._template_content import add_content, twips_mm
from reportsmith.docx.out import element as _el
from reportsmith.docx.out import text_run as _run
from reportsmith.core.resources import load_data

# Fixed, so that regenerating the template gives the same bytes.
TEMPLATE_DATE = datetime(2024, 1, 1)
TEMPLATE_TITLE = "创新型产业集群年度总结报告模板"

# Styles of python-docx's default template that stay: they carry no text formatting.
_KEEP_STYLES = {"DefaultParagraphFont", "TableNormal", "NoList", "TableGrid"}
_APP_XML = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Template>Normal.dotm</Template><Application>reportsmith</Application></Properties>"
)


def layout() -> dict[str, Any]:
    """The layout data (``data/layout.yaml``)."""
    return load_data("layout.yaml")


def text_block_pt(lay: dict[str, Any]) -> tuple[float, float]:
    """Width and height of the text block (版心) in points."""
    page, m = lay["page"], lay["page"]["margin_mm"]
    width = (page["width_mm"] - m["left"] - m["right"]) / 25.4 * 72
    height = (page["height_mm"] - m["top"] - m["bottom"]) / 25.4 * 72
    return width, height


def _char_pitch_pt(lay: dict[str, Any]) -> float:
    return text_block_pt(lay)[0] / lay["page"]["grid"]["chars"]


def _half_points(size: str) -> int:
    return round(layout()["sizes"][size] * 2)


# --- package and styles -------------------------------------------------------------


def _clean_package(document: Any) -> None:
    """Drop what python-docx's default template carries from another program (thumbnail, Word 2010 effects)."""
    pkg = document.part.package
    for rid, rel in list(pkg.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del pkg.rels[rid]
        elif rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part._blob = _APP_XML.encode("utf-8")
    for rid, rel in list(document.part.rels.items()):
        if rel.reltype == RT.CUSTOM_XML or rel.reltype.endswith("/stylesWithEffects"):
            del document.part.rels[rid]
    settings = document.settings.element
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")


def _doc_defaults(styles: Any, lay: dict[str, Any]) -> None:
    for old in styles.findall(qn("w:docDefaults")):
        styles.remove(old)
    defaults = _el("w:docDefaults")
    rpr_default = _el("w:rPrDefault")
    rpr = _el("w:rPr")
    docxout.set_fonts(rpr, lay["styles"][0]["font"], lay["latin_font"])
    size = _half_points(lay["styles"][0]["size"])
    rpr.append(_el("w:kern", val=2))
    rpr.append(_el("w:sz", val=size))
    rpr.append(_el("w:szCs", val=size))
    rpr.append(_el("w:lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA"))
    rpr_default.append(rpr)
    defaults.append(rpr_default)
    defaults.append(_el("w:pPrDefault"))
    styles.insert(0, defaults)


def _style_element(spec: dict[str, Any], lay: dict[str, Any]) -> Any:
    style = _el("w:style", type="paragraph", styleId=spec["id"])
    if spec["id"] == "Normal":
        style.set(qn("w:default"), "1")
    style.append(_el("w:name", val=spec["name"]))
    if spec.get("alias"):
        style.append(_el("w:aliases", val=spec["alias"]))
    if spec["id"] != "Normal":
        style.append(_el("w:basedOn", val="Normal"))
    if spec.get("next"):
        style.append(_el("w:next", val=spec["next"]))
    style.append(_el("w:qFormat"))

    ppr = _el("w:pPr")
    if spec.get("keep_next"):
        ppr.append(_el("w:keepNext"))
    if spec.get("page_break_before"):
        ppr.append(_el("w:pageBreakBefore"))
    if spec.get("snap_to_grid") is False:
        ppr.append(_el("w:snapToGrid", val=0))
    spacing = {"before": round(spec.get("before_pt", 0) * 20), "after": round(spec.get("after_pt", 0) * 20)}
    if spec.get("line_pt"):
        spacing.update(line=round(spec["line_pt"] * 20), lineRule="exact")
    else:
        spacing.update(line=240, lineRule="auto")
    ppr.append(_el("w:spacing", **spacing))
    size = _half_points(spec["size"])
    chars = spec.get("indent_chars", 0)
    # firstLineChars is what Word and WPS use; firstLine (twips) serves readers that ignore it.
    ppr.append(_el("w:ind", firstLineChars=chars * 100, firstLine=chars * size * 10))
    ppr.append(_el("w:jc", val=spec["align"]))
    if "outline" in spec:
        ppr.append(_el("w:outlineLvl", val=spec["outline"]))
    style.append(ppr)

    rpr = _el("w:rPr")
    docxout.set_fonts(rpr, spec["font"], lay["latin_font"])
    bold = 1 if spec.get("bold") else 0
    rpr.append(_el("w:b", val=bold))
    rpr.append(_el("w:bCs", val=bold))
    if spec.get("color"):
        rpr.append(_el("w:color", val=spec["color"]))
    pitch = _char_pitch_pt(lay)
    if spec.get("snap_to_grid", True) and size / 2 > pitch:
        # 28 characters of 三号 need 15.79 pt each: a tracking of -0.25 pt fits them
        # in Word, WPS and LibreOffice alike (GB/T 9704's 28 characters per line).
        rpr.append(_el("w:spacing", val=math.floor((pitch - size / 2) * 20)))
    rpr.append(_el("w:sz", val=size))
    rpr.append(_el("w:szCs", val=size))
    style.append(rpr)
    return style


def _styles(document: Any, lay: dict[str, Any]) -> None:
    styles = document.styles.element
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:styleId")) not in _KEEP_STYLES:
            styles.remove(style)
    _doc_defaults(styles, lay)
    for spec in lay["styles"]:
        styles.append(_style_element(spec, lay))


# --- page ---------------------------------------------------------------------------


def _page(document: Any, lay: dict[str, Any]) -> None:
    page = lay["page"]
    section = document.sections[0]
    section.page_width = Twips(twips_mm(page["width_mm"]))
    section.page_height = Twips(twips_mm(page["height_mm"]))
    m = page["margin_mm"]
    section.top_margin = Twips(twips_mm(m["top"]))
    section.bottom_margin = Twips(twips_mm(m["bottom"]))
    section.left_margin = Twips(twips_mm(m["left"]))
    section.right_margin = Twips(twips_mm(m["right"]))
    section.header_distance = Twips(twips_mm(page["header_mm"]))
    section.footer_distance = Twips(twips_mm(page["footer_mm"]))
    section.gutter = Twips(0)

    # A line grid of 22 lines per page. Not Word's character grid (linesAndChars):
    # LibreOffice gives each 三号 character two cells of it; 28 characters per line
    # come from the styles' slight negative tracking instead (see _style_element).
    line_pitch = int(text_block_pt(lay)[1] / page["grid"]["lines"] * 20)
    sect = section._sectPr
    for old in sect.findall(qn("w:docGrid")):
        sect.remove(old)
    sect.append(_el("w:docGrid", type="lines", linePitch=line_pitch))
    _footer(section)


def _footer(section: Any) -> None:
    """Page number "— N —" as a PAGE field, so Word and LibreOffice number every page."""
    section.footer.is_linked_to_previous = False
    p = section.footer.paragraphs[0]._p
    p.get_or_add_pPr().style = "Footer"
    instr = _el("w:instrText")
    instr.text = " PAGE "
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    for run in (
        _run("— "),
        _run(child=_el("w:fldChar", fldCharType="begin")),
        _run(child=instr),
        _run(child=_el("w:fldChar", fldCharType="separate")),
        _run("1"),
        _run(child=_el("w:fldChar", fldCharType="end")),
        _run(" —"),
    ):
        p.append(run)


def build_template() -> Any:
    """A python-docx document: styles, page, footer and docxtpl tags of the report."""
    lay = layout()
    document = docx.Document()
    _clean_package(document)
    _styles(document, lay)
    # The default template's body holds one empty paragraph before sectPr; drop it.
    body = document.element.body
    for p in body.findall(qn("w:p")):
        body.remove(p)
    _page(document, lay)
    add_content(document, lay)
    cp = document.core_properties
    cp.author = "reportsmith"
    cp.comments = "由 scripts/make_template.py 生成；样式可在 Word/WPS 中修改"
    return document


def write_template(path: str | Path) -> Path:
    """Write the template to ``path`` (atomically, same bytes every run)."""
    return docxout.save_deterministic(build_template(), path, TEMPLATE_DATE, title=TEMPLATE_TITLE)
