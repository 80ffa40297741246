"""Hostile text stays inert: saved into every heading, it comes back unchanged in the built
.docx and escaped in every page the workspace and the desk show."""

from __future__ import annotations

import io
import json
import urllib.parse

import pytest

from .conftest import ACCOUNT_A, client_for
from .test_access_table import TABLE, _url

# Each string is a paragraph of its own; a heading gets one of them, wrapped in ordinary text.
HOSTILE = [
    "<script>window.__pwned=1;alert('xss')</script>",
    '<img src=x onerror="window.__pwned=1;alert(1)">',
    '<a href="javascript:window.__pwned=1">点我</a>',
    '"><svg/onload=alert(1)>',
    "{{ 7*7 }} {{ settings.SECRET_KEY }} {% debug %} {# 注释 #}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "\u202e注意：这段文字从右向左\u202c，\u2066隔离\u2069",
    "零\u200b宽\u200c字\u200d符\ufeff",
    "𠀀𠀁𪚥𤭢 — 4 字节的汉字",
    "😀👍🏽👨\u200d👩\u200d👧 表情",
    "&lt;b&gt;已转义&lt;/b&gt; &amp; &#x3C;script&#x3E;",
    "' OR 1=1; -- ; DROP TABLE workspace_sectionversion;",
]
RAW_MARKERS = ["<script>window.__pwned", "<img src=x onerror", '<a href="javascript:', "<svg/onload"]


def hostile_text(i: int) -> str:
    return f"第{i}段开头。\n\n{HOSTILE[i % len(HOSTILE)]}\n\n第{i}段结尾，以及 {HOSTILE[(i + 1) % len(HOSTILE)]}"


def _headings() -> list[str]:
    from reportsmith.outline.headings import content_headings

    return [h.title for h in content_headings()]


def save_hostile(client) -> dict[str, str]:
    texts = {}
    for i, heading in enumerate(_headings()):
        path = f"/api/clusters/{ACCOUNT_A}/sections/{urllib.parse.quote(heading)}"
        version = client.get(path).json()["version"]
        text = hostile_text(i)
        r = client.put(path, json.dumps({"text": text, "version": version}, ensure_ascii=False),
                       content_type="application/json")
        assert r.status_code == 200, r.content
        assert r.json()["text"] == text
        assert client.get(path).json()["text"] == text
        texts[heading] = text
    return texts


def test_hostile_text_comes_back_unchanged_in_the_docx(world):
    import docx

    c = client_for(world, "cluster_a")
    texts = save_hostile(c)
    r = c.get(f"/api/clusters/{ACCOUNT_A}/report.docx")
    assert r.status_code == 200, r.content[:500]
    doc = docx.Document(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content))
    paragraphs = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            paragraphs += [cell.text for cell in row.cells]
    for heading, text in texts.items():
        for para in text.split("\n\n"):
            assert para in paragraphs, f"{heading}: paragraph {para!r} not found unchanged in the .docx"


PAGES = [(n, r) for n, methods in TABLE.items() if "GET" in methods for r in ("cluster_a", "reviewer")
         if methods["GET"][r] == 200]


def test_hostile_text_is_escaped_in_every_page(world):
    c = client_for(world, "cluster_a")
    save_hostile(c)
    seen_escaped = 0
    for name, role in PAGES:
        r = client_for(world, role).get(_url(world, name))
        if r.streaming or not r["Content-Type"].startswith("text/html"):
            continue
        html = r.content.decode()
        for marker in RAW_MARKERS:
            assert marker not in html, f"{name} as {role}: hostile markup {marker!r} reached the page unescaped"
        seen_escaped += html.count("&lt;script&gt;window.__pwned")
    assert seen_escaped, "no page shows a heading's text at all: the test would prove nothing"
