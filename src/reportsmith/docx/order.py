"""The paragraphs of a .docx's main story as XML elements, in the order the reader lists them.

:func:`paragraph_elements` walks ``w:body`` as :mod:`reportsmith.docx.read` does (tables cell
by cell, content controls and tracked insertions looked through, the ``mc:Choice`` of
alternate content), so index *i* here is paragraph *i* of ``read_docx(...).paragraphs``:
writers of comments and readers of formatting find the paragraph a check talks about.
"""

from __future__ import annotations

from typing import Iterator

from lxml import etree

__all__ = ["paragraph_elements", "W", "MC"]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_WRAPPERS = {"sdt", "sdtContent", "customXml", "ins", "moveTo"}


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def _blocks(el) -> Iterator:
    """Paragraph elements below ``el`` in the reader's order (tables cell by cell, wrappers looked through)."""
    for c in el:
        if not isinstance(c.tag, str):
            continue
        ns, name = etree.QName(c).namespace, etree.QName(c).localname
        if ns == W and name == "p":
            yield c
        elif ns == W and name == "tbl":
            for tr in _items(c, "tr"):
                trpr = tr.find(_w("trPr"))
                if trpr is not None and trpr.find(_w("del")) is not None:
                    continue
                for tc in _items(tr, "tc"):
                    yield from _blocks(tc)
        elif ns == W and name in _WRAPPERS:
            yield from _blocks(c)
        elif ns == MC and name == "AlternateContent":
            choice = c.find(f"{{{MC}}}Choice")
            if choice is not None:
                yield from _blocks(choice)


def _items(el, wanted: str) -> Iterator:
    for c in el:
        if not isinstance(c.tag, str):
            continue
        q = etree.QName(c)
        if q.namespace == W and q.localname == wanted:
            yield c
        elif q.namespace == W and q.localname in _WRAPPERS:
            yield from _items(c, wanted)
        elif q.namespace == MC and q.localname == "AlternateContent":
            choice = c.find(f"{{{MC}}}Choice")
            if choice is not None:
                yield from _items(choice, wanted)


def paragraph_elements(document_root) -> list:
    """The ``w:p`` elements of the main story, one per paragraph the reader lists.

    A paragraph whose mark was deleted (tracked change) is one paragraph with the next in
    the reader's accepted view; the later element stands for both.
    """
    body = document_root.find(_w("body"))
    out = []
    for p in _blocks(body if body is not None else document_root):
        out.append(p)
    merged = []
    for i, p in enumerate(out):
        ppr = p.find(_w("pPr"))
        rpr = ppr.find(_w("rPr")) if ppr is not None else None
        if rpr is not None and rpr.find(_w("del")) is not None and i + 1 < len(out):
            continue
        merged.append(p)
    return merged
