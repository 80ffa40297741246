"""The one place that knows .docx XML details for output.

* :func:`xml_safe` removes characters XML 1.0 cannot hold (``\\x00``, ``\\x0b``,
  ``\\x0c`` pasted from Word, lone surrogates …) so that a document is never corrupt.
* :func:`save_deterministic` writes a python-docx document so that the same inputs
  give the same bytes: core-property dates come from the caller (never the clock),
  zip entries get a fixed date and fixed attributes, member order is stable.
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

from .atomic import atomic_path

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


def _package_bytes(document: Any) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def normalize_zip(data: bytes, when: datetime) -> bytes:
    """Rewrite a zip so that its bytes depend only on its members and ``when``.

    ``[Content_Types].xml`` goes first (some readers expect it there); the other
    members keep python-docx's order, which follows the relationship graph.
    """
    date_time = _zip_time(when)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        names = zin.namelist()
        names.sort(key=lambda n: n != "[Content_Types].xml")
        for name in names:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            # ZipInfo takes create_system from the running platform; fix it.
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zout.writestr(info, zin.read(name))
    return out.getvalue()


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


def save_deterministic(document: Any, path: str | Path, when: datetime, *, title: str | None = None) -> Path:
    """Save a python-docx ``document`` atomically with bytes that depend only on its content and ``when``.

    >>> save_deterministic(doc, "out/x.docx", datetime(2024, 12, 31))  # doctest: +SKIP
    """
    set_core_properties(document, when, title=title)
    data = normalize_zip(_package_bytes(document), when)
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path


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
