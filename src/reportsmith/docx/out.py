"""The one place that knows .docx XML details for output.

* :func:`xml_safe` removes characters XML 1.0 cannot hold (``\\x00``, ``\\x0b``,
  ``\\x0c`` pasted from Word, lone surrogates …) so that a document is never corrupt.
* :func:`save_deterministic` writes a python-docx document so that the same inputs
  give the same bytes: core-property dates come from the caller (never the clock),
  zip entries get a fixed date and fixed attributes, member order is stable.
* :class:`TemplatePackage`, :func:`fill_part`, :func:`fix_tables` do what
  ``DocxTemplate.render`` does, on a template parsed once for many reports.
* :func:`set_fonts` / :func:`east_asian_font` write and read ``w:rFonts``:
  python-docx's ``font.name`` sets only the Latin font, and Chinese text then falls
  back to whatever the reader's Word picks.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from reportsmith.core.atomic import atomic_path
from reportsmith.core.errors import TemplateError

LATIN_FONT = "Times New Roman"

# Everything XML 1.0 allows: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
_FORBIDDEN = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# Zip cannot store dates before 1980.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def xml_safe(text: str) -> tuple[str, list[str]]:
    """``text`` without the characters XML 1.0 forbids, and the code points removed.

    >>> xml_safe("A\\x0bB\\x00")
    ('AB', ['U+000B', 'U+0000'])
    """
    removed: list[str] = []
    for ch in _FORBIDDEN.findall(text):
        label = f"U+{ord(ch):04X}"
        if label not in removed:
            removed.append(label)
    if not removed:
        return text, []
    return _FORBIDDEN.sub("", text), removed


def _zip_time(when: datetime) -> tuple[int, int, int, int, int, int]:
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    return max(stamp, _ZIP_EPOCH)


def package_members(document: Any, reuse: dict[str, bytes] | None = None) -> list[tuple[str, bytes]]:
    """``(member name, bytes)`` of a python-docx document, exactly as ``document.save`` writes them.

    ``reuse`` maps member names of parts the caller knows to be unchanged to their
    bytes, so that a part is not serialized again for every report (a batch).
    """
    from docx.opc.packuri import PACKAGE_URI
    from docx.opc.pkgwriter import _ContentTypesItem

    package = document.part.package
    parts = package.parts
    for part in parts:
        part.before_marshal()
    reuse = reuse or {}
    # The order of docx.opc.pkgwriter.PackageWriter: content types, package rels, then each part and its rels.
    members = [("[Content_Types].xml", _ContentTypesItem.from_parts(parts).blob), (PACKAGE_URI.rels_uri.membername, package.rels.xml)]
    for part in parts:
        name = part.partname.membername
        members.append((name, reuse[name] if name in reuse else part.blob))
        if len(part.rels):
            members.append((part.partname.rels_uri.membername, part.rels.xml))
    return members


def zip_members(members: list[tuple[str, bytes]], when: datetime) -> bytes:
    """A zip of ``members`` whose bytes depend only on the members and ``when``.

    ``[Content_Types].xml`` goes first (some readers expect it there); the other
    members keep their order, which for python-docx follows the relationship graph.
    """
    date_time = _zip_time(when)
    members = sorted(members, key=lambda m: m[0] != "[Content_Types].xml")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            # ZipInfo takes create_system from the running platform; fix it.
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zout.writestr(info, data)
    return out.getvalue()


def normalize_zip(data: bytes, when: datetime) -> bytes:
    """Rewrite a zip so that its bytes depend only on its members and ``when`` (see :func:`zip_members`)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        return zip_members([(name, zin.read(name)) for name in zin.namelist()], when)


def set_core_properties(document: Any, when: datetime, *, title: str | None = None) -> None:
    """Stamp ``when`` (not the clock) into created/modified/last printed; revision 1."""
    cp = document.core_properties
    cp.created = when
    cp.modified = when
    cp.last_printed = when
    cp.revision = 1
    cp.last_modified_by = "reportsmith"
    if title is not None:
        cp.title = title


def save_deterministic(
    document: Any, path: str | Path, when: datetime, *, title: str | None = None, reuse: dict[str, bytes] | None = None
) -> Path:
    """Save a python-docx ``document`` atomically with bytes that depend only on its content and ``when``.

    The zip is written once, in memory, with fixed entry dates (no save-then-rezip);
    ``reuse`` as in :func:`package_members`.

    >>> save_deterministic(doc, "out/x.docx", datetime(2024, 12, 31))  # doctest: +SKIP
    """
    set_core_properties(document, when, title=title)
    data = zip_members(package_members(document, reuse), when)
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path


# --- docxtpl, on a template parsed once (see render.Renderer) -----------------------------

_PARAGRAPH_BREAK = re.compile(r"\n<w:p([ >])")
_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.S)  # as docxtpl's resolve_listing
_LISTING_CHARS = re.compile("[\t\a\n\f]")
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NEEDS_FIX: Any = None  # compiled XPath, see _table_needs_fix


def _table_needs_fix(table: Any, n: int) -> bool:
    # True when docxtpl's fix_tables would change the table: a row with more cells than
    # grid columns, no row spanning all of them — or a gridSpan it might read otherwise.
    global _NEEDS_FIX
    if _NEEDS_FIX is None:
        from lxml import etree

        _NEEDS_FIX = etree.XPath(
            ".//w:tr[count(w:tc) > $n]"
            " or .//w:tc[count(w:tcPr) > 1] or .//w:tcPr[count(w:gridSpan) > 1]"
            " or .//w:gridSpan[not(@w:val) or string(number(@w:val)) != @w:val]"
            " or not(.//w:tr[sum(w:tc/w:tcPr/w:gridSpan/@w:val) + count(w:tc[not(w:tcPr/w:gridSpan)]) >= $n])",
            namespaces={"w": _W_NS},
        )
    return bool(_NEEDS_FIX(table, n=n))


class TemplatePackage:
    """A parsed docxtpl template kept for many renders: the parts a render changes, the bytes of those it never does."""

    def __init__(self, tpl: Any, sources: list[tuple[str, str]]) -> None:
        from docx.oxml.parser import parse_xml

        self._parse = parse_xml
        document = tpl.docx
        self.body = sources[0][1]
        hf = [rel for uri in (tpl.HEADER_URI, tpl.FOOTER_URI) for rel, _part in tpl.get_headers_footers(uri)]
        self.headers_footers = [
            (rel, source, tpl.get_headers_footers_encoding(tpl.get_part_xml(document.part.rels[rel].target_part)))
            for rel, (_label, source) in zip(hf, sources[1:])
        ]
        self._core = document.part.package._core_properties_part  # created here if the template has none
        self._core_xml = self._core.blob
        footnotes = [p for p in document.part.package.parts if p.content_type.endswith(".footnotes+xml")]
        self._footnotes = [(p, p._blob) for p in footnotes if hasattr(p, "_blob")]
        changing = {document.part, self._core, *footnotes, *(document.part.rels[rel].target_part for rel in hf)}
        self.unchanged = {p.partname.membername: p.blob for p in document.part.package.parts if p not in changing}

    def reset(self) -> None:
        """Core properties and footnotes as in the template (docxtpl renders them from their text)."""
        self._core._element = self._parse(self._core_xml)
        for part, blob in self._footnotes:
            part._blob = blob


def fill_part(tpl: Any, template: Any, context: dict[str, Any]) -> str:
    """``DocxTemplate.render_xml_part`` for a source already prepared and compiled."""
    xml = _PARAGRAPH_BREAK.sub(r"<w:p\1", template.render(context))
    xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    return _resolve_listing(tpl, xml)


def _resolve_listing(tpl: Any, xml: str) -> str:
    """docxtpl's ``resolve_listing`` (``\\n`` → ``w:br`` …), run only on the paragraphs holding such a character.

    It is a sequence of regular expressions over every paragraph and run; on the other
    paragraphs it changes nothing, and most paragraphs are those.
    """
    if not _LISTING_CHARS.search(xml):
        return xml
    return _PARAGRAPH.sub(lambda m: tpl.resolve_listing(m.group(0)) if _LISTING_CHARS.search(m.group(0)) else m.group(0), xml)


def strict_parser() -> Any:
    """The parser for XML this program wrote: never in recover mode (which silently drops
    whatever follows a problem and so would shorten a report), no entities, no network."""
    from lxml import etree

    return etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True, load_dtd=False)


class _StrictEtree:
    """lxml's ``etree`` as docxtpl's ``fix_tables`` sees it, with its ``recover=True`` parser made strict."""

    def __getattr__(self, name: str) -> Any:
        from lxml import etree

        return getattr(etree, name)

    @staticmethod
    def XMLParser(**kwargs: Any) -> Any:  # noqa: N802 - lxml's name
        return strict_parser()


def _strict_docxtpl() -> None:
    import docxtpl.template

    if not isinstance(docxtpl.template.etree, _StrictEtree):
        docxtpl.template.etree = _StrictEtree()


def fix_tables(tpl: Any, xml: str) -> Any:
    """docxtpl's ``fix_tables`` (grid columns matching the cells), which parses the body;
    its per-row Python loop runs only when one XPath test says some table needs it.

    The body is parsed strictly: a text that cannot be written whole raises
    :class:`~reportsmith.core.errors.TemplateError`, never a shorter document.
    """
    from lxml import etree

    _strict_docxtpl()
    try:
        tree = etree.fromstring(xml, parser=strict_parser())
    except etree.XMLSyntaxError as exc:
        raise TemplateError(
            f"填充后的正文无法完整写入 Word 文档（{str(exc)[:100]}），已停止生成",
            hint="请检查模板中的标记是否完整；若问题出在某段正文，请把该段分成较短的几段",
        ) from None
    if tree.nsmap.get("w") != _W_NS:
        return tpl.fix_tables(xml)
    for table in tree.iter(f"{{{_W_NS}}}tbl"):
        grid = table.find(f"{{{_W_NS}}}tblGrid")
        if grid is None or _table_needs_fix(table, n=len(grid.findall(f"{{{_W_NS}}}gridCol"))):
            return tpl.fix_tables(xml)
    return tree


def set_fonts(rpr: Any, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Set ``w:rFonts`` of a ``w:rPr`` to an explicit East Asian and Latin font.

    Theme attributes (``w:asciiTheme`` …) are removed: Word lets them override the
    explicit names.
    """
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in list(rfonts.attrib):
        if attr.endswith("Theme"):
            del rfonts.attrib[attr]
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)


def rfonts_of(element: Any) -> dict[str, str]:
    """``{"eastAsia": …, "ascii": …, "hAnsi": …}`` from an element holding a ``w:rPr`` (style, run, rPrDefault)."""
    rfonts = element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    if rfonts is None:
        return {}
    return {k.split("}")[1]: v for k, v in rfonts.attrib.items()}


def east_asian_font(style: Any) -> str | None:
    """The East Asian font a style sets itself (not inherited), or None."""
    return rfonts_of(style.element).get("eastAsia")


def element(tag: str, **attrs: Any) -> Any:
    """A ``w:`` element with ``w:``-namespaced attributes: ``element("w:jc", val="center")``."""
    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), str(v))
    return el


def text_run(text: str | None = None, child: Any = None) -> Any:
    """A ``w:r`` holding ``text`` (spaces preserved) and/or ``child`` (a field character, a tab …)."""
    r = element("w:r")
    if text is not None:
        t = element("w:t")
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        r.append(t)
    if child is not None:
        r.append(child)
    return r
