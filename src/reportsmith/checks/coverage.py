"""Topic coverage of one heading against 附件3.

A topic is covered when the writer keyed it explicitly, or when one of its cue words
(``data/outline.yaml``) occurs in that heading's printed text (writer paragraphs and data
sentences). Text is compared in :func:`cue_form`, so full-width letters and line breaks
inside Chinese words do not hide a cue.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Sequence

import regex

from reportsmith.outline import headings as outline
from reportsmith.records.assembled import AssembledSection
from reportsmith.records.checkresult import TopicCoverage


# Whitespace between two non-ASCII characters (a line wrapped inside a Chinese word, a
# full-width space typed as a pause) does not break a cue; between Latin letters it does.
_CJK_GAP = regex.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")


def cue_form(text: str) -> str:
    """``text`` as cue words are compared: NFKC (full-width ＲＡ＆Ｄ → RA&D, ＋ → +), casefolded,
    whitespace inside Chinese removed.

    >>> cue_form("Ｒ＆Ｄ 研发\n投入")
    'r&d 研发投入'
    """
    return _CJK_GAP.sub("", unicodedata.normalize("NFKC", text).casefold())


@lru_cache(maxsize=None)
def _cue_pattern(cue: str) -> regex.Pattern:
    """A cue inside a longer Chinese word is found (研发投入 in 研发投入强度), but a Latin cue
    must not be part of a longer Latin word (IPO is not found in "tripod")."""
    form = cue_form(cue)
    left = r"(?<![a-z0-9])" if form[:1].isascii() and form[:1].isalnum() else ""
    right = r"(?![a-z0-9])" if form[-1:].isascii() and form[-1:].isalnum() else ""
    return regex.compile(left + regex.escape(form) + right)


def _first_cue(forms: Sequence[str], cues: Sequence[str]) -> str | None:
    """The first of ``cues`` found in one of the paragraphs (in cue form) — never across two."""
    return next((c for c in cues if any(_cue_pattern(c).search(f) for f in forms)), None)


def topic_coverage(section: AssembledSection | None, heading: outline.Heading) -> list[TopicCoverage]:
    """Each topic of ``heading``: keyed, or the first cue word found in the section's text, or missing.

    The topic's own name counts as a cue, so a writer who names the topic covers it.
    """
    forms = [cue_form(p) for p in section.printed_paragraphs] if section else []
    keyed = section.keyed_topics if section else frozenset()
    out = []
    for topic in heading.topics:
        if topic.name in keyed:
            out.append(TopicCoverage(heading.title, topic.name, True, "keyed"))
            continue
        cue = _first_cue(forms, (topic.name, *topic.cues))
        out.append(TopicCoverage(heading.title, topic.name, cue is not None, f"cue:{cue}" if cue else None))
    return out
