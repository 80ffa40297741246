"""Write Word comments (批注) into an existing .docx without touching its text or formatting.

:func:`add_comments` anchors each :class:`Comment` at one paragraph of the main story,
given by its index in reading order (the order :func:`reportsmith.docx.read.read_docx`
lists paragraphs) and its text, which is checked before the comment is placed: when the
index does not hold that text, the paragraph with that text nearest to it is used.

Only what a comment needs changes: ``w:commentRangeStart``/``w:commentRangeEnd`` and a
reference run are added to the anchored paragraphs, the comments part is added (or the
new comments appended to an existing one) with its relationship and content type. Every
other member of the package is copied byte for byte, in its original order. Comments
carry no date, so the same inputs give the same bytes.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from lxml import etree

from reportsmith.core.atomic import atomic_path
from reportsmith.docx.order import paragraph_elements
from reportsmith.docx.read import open_docx

__all__ = ["Comment", "add_comments", "paragraph_elements", "read_comments"]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
COMMENTS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


@dataclass(frozen=True)
class Comment:
    """One comment: where (paragraph index in reading order, and that paragraph's text) and what."""

    paragraph: int
    anchor_text: str
    text: str  # lines become the comment's paragraphs
    author: str = "reportsmith"
    initials: str = "RS"


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _text(p) -> str:
    """Visible text of a paragraph (deletions, text boxes and fallbacks left out), whitespace removed."""
    parts = []
    for t in p.iter(_w("t")):
        anc = t.getparent()
        skip = False
        while anc is not None and anc is not p:
            name = _local(anc)
            if name in ("del", "txbxContent", "Fallback"):
                skip = True
                break
            anc = anc.getparent()
        if not skip:
            parts.append(t.text or "")
    return "".join("".join(parts).split())


def _pick(paragraphs: list, texts: list[str], index: int, anchor: str) -> int:
    """The index of the paragraph to anchor at: ``index`` when it holds ``anchor``, else the nearest that does."""
    want = "".join(anchor.split())
    if 0 <= index < len(paragraphs) and texts[index] == want:
        return index
    by_distance = sorted(range(len(paragraphs)), key=lambda i: (abs(i - index), i))
    if want:
        for test in (lambda t: t == want, lambda t: t.startswith(want) or (t and want.startswith(t)), lambda t: want in t):
            for i in by_distance:
                if texts[i] and test(texts[i]):
                    return i
    if 0 <= index < len(paragraphs):
        return index
    return next((i for i, t in enumerate(texts) if t), 0)


def _comment_element(cid: int, c: Comment):
    el = etree.Element(_w("comment"), nsmap={"w": W})
    el.set(_w("id"), str(cid))
    el.set(_w("author"), c.author)
    el.set(_w("initials"), c.initials)
    lines = [line for line in c.text.split("\n")] or [""]
    for n, line in enumerate(lines):
        p = etree.SubElement(el, _w("p"))
        if n == 0:
            etree.SubElement(etree.SubElement(p, _w("r")), _w("annotationRef"))
        t = etree.SubElement(etree.SubElement(p, _w("r")), _w("t"))
        t.text = line
        t.set(_XML_SPACE, "preserve")
    return el


def _anchor(p, cid: int) -> None:
    start = etree.Element(_w("commentRangeStart"))
    start.set(_w("id"), str(cid))
    ppr = p.find(_w("pPr"))
    if ppr is not None:
        ppr.addnext(start)
    else:
        p.insert(0, start)
    end = etree.SubElement(p, _w("commentRangeEnd"))
    end.set(_w("id"), str(cid))
    ref = etree.SubElement(etree.SubElement(p, _w("r")), _w("commentReference"))
    ref.set(_w("id"), str(cid))


def _serialize(root, original: bytes) -> bytes:
    standalone = True if b'standalone="yes"' in original[:200] else None
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=standalone)


def _rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def add_comments(src: str | Path, dest: str | Path, comments: Sequence[Comment]) -> list[int]:
    """Write ``src`` with ``comments`` added to ``dest`` (atomically); return the paragraph index each went to.

    ``src`` is opened with the safe reader's checks (size, members, DTDs refused).
    """
    src, dest = Path(src), Path(dest)
    doc = open_docx(src)
    try:
        main = doc.main_part
        root = doc.xml(main)
        original_main = doc.read(main) or b""
        rels_name = _rels_name(main)
        rels = doc.xml(rels_name)
        if rels is None:
            rels = etree.Element(f"{{{PKG_REL}}}Relationships", nsmap={None: PKG_REL})
        folder = posixpath.dirname(main)
        comments_part = None
        for rel in rels:
            if rel.get("Type") == COMMENTS_REL and rel.get("TargetMode") != "External":
                target = rel.get("Target") or ""
                comments_part = posixpath.normpath(target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target))
        existing = doc.xml(comments_part) if comments_part and comments_part in doc.names else None
        changed: dict[str, bytes] = {}
        added: dict[str, bytes] = {}
        paragraphs = paragraph_elements(root)
        texts = [_text(p) for p in paragraphs]
        used_ids = {int(v) for v in root.xpath("//w:commentReference/@w:id | //w:commentRangeStart/@w:id", namespaces={"w": W}) if v.lstrip("-").isdigit()}
        if existing is not None:
            used_ids |= {int(v) for v in existing.xpath("w:comment/@w:id", namespaces={"w": W}) if v.lstrip("-").isdigit()}
        next_id = max(used_ids, default=-1) + 1
        part_root = existing if existing is not None else etree.Element(_w("comments"), nsmap={"w": W})
        placed: list[int] = []
        for c in comments:
            i = _pick(paragraphs, texts, c.paragraph, c.anchor_text)
            placed.append(i)
            if paragraphs:
                _anchor(paragraphs[i], next_id)
            part_root.append(_comment_element(next_id, c))
            next_id += 1
        changed[main] = _serialize(root, original_main)
        if existing is not None:
            changed[comments_part] = _serialize(part_root, doc.read(comments_part) or b"")
        else:
            comments_part = _free_name(doc.names, posixpath.join(folder, "comments.xml"))
            added[comments_part] = _serialize(part_root, b'standalone="yes"')
            ids = {rel.get("Id") for rel in rels}
            n = 1
            while f"rId{n}" in ids:
                n += 1
            rel = etree.SubElement(rels, f"{{{PKG_REL}}}Relationship")
            rel.set("Id", f"rId{n}")
            rel.set("Type", COMMENTS_REL)
            rel.set("Target", posixpath.relpath(comments_part, folder or "."))
            original_rels = doc.read(rels_name)
            (changed if original_rels is not None else added)[rels_name] = _serialize(rels, original_rels or b'standalone="yes"')
            types = doc.xml("[Content_Types].xml")
            if types is not None:
                over = etree.SubElement(types, f"{{{CT}}}Override")
                over.set("PartName", "/" + comments_part)
                over.set("ContentType", COMMENTS_TYPE)
                changed["[Content_Types].xml"] = _serialize(types, doc.read("[Content_Types].xml") or b"")
        _write(doc, dest, changed, added)
    finally:
        doc.close()
    return placed


def _free_name(names: frozenset[str], wanted: str) -> str:
    if wanted not in names:
        return wanted
    stem, ext = posixpath.splitext(wanted)
    n = 1
    while f"{stem}{n}{ext}" in names:
        n += 1
    return f"{stem}{n}{ext}"


def _write(doc, dest: Path, changed: dict[str, bytes], added: dict[str, bytes]) -> None:
    with atomic_path(dest) as tmp, zipfile.ZipFile(tmp, "w") as out:
        for info in doc._zip.infolist():
            data = changed.get(info.filename)
            if data is None:
                data = doc.read(info.filename) or b""
            copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            copy.compress_type = info.compress_type
            copy.external_attr = info.external_attr
            out.writestr(copy, data)
        for name in sorted(added):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(info, added[name])


def read_comments(path: str | Path) -> list[tuple[int, str, str]]:
    """``(paragraph index in reading order, author, text)`` of every comment anchored in the main story."""
    doc = open_docx(path)
    try:
        root = doc.xml(doc.main_part)
        comments_part = doc.related("/comments")
        part = doc.xml(comments_part) if comments_part else None
    finally:
        doc.close()
    bodies: dict[str, tuple[str, str]] = {}
    for c in part if part is not None else ():
        if _local(c) == "comment":
            text = "\n".join("".join(t.text or "" for t in p.iter(_w("t"))) for p in c.iter(_w("p")))
            bodies[c.get(_w("id"))] = (c.get(_w("author")) or "", text)
    out = []
    for i, p in enumerate(paragraph_elements(root)):
        for start in p.iter(_w("commentRangeStart")):
            cid = start.get(_w("id"))
            if cid in bodies:
                out.append((i, *bodies[cid]))
    return out
