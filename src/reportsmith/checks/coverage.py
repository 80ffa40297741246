"""Topic coverage of one heading against 附件3: covered, only negated, or missing.

Rules are data: cue words in ``data/outline.yaml``, paraphrases, near-miss exclusions and
negation words in ``data/coverage.yaml`` (whose header explains them in Chinese). In short:
each sentence of the heading's text (split again at ， and ：) is searched for the topic's
phrases; a topic is **covered** when one phrase stands in a clause that does not negate it,
**negated** when every mention is negated ("人才引育方面暂无专门机制。" — the sentence is
quoted so writer and reviewer see it), and **missing** otherwise. A topic marked
``overview`` is also covered by a heading's opening paragraph that gives an overview.
Text is compared in :func:`cue_form`, so full-width letters and line breaks inside Chinese
words do not hide a phrase.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import regex

from reportsmith.core.resources import load_data
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


def topic_coverage(section: AssembledSection | None, heading: outline.Heading) -> list[TopicCoverage]:
    """Each topic of ``heading`` judged on the section's printed text (writer paragraphs and
    data sentences); the opening overview is the writer's first paragraph."""
    if section is None:
        return judge_topics([], heading)
    return judge_topics(
        section.printed_paragraphs,
        heading,
        keyed=section.keyed_topics,
        opening=section.paragraphs[0] if section.paragraphs else None,
    )


# A sentence ends at 。！？；, a clause at ， or ：. A figure (digits, or a
# Chinese number with a counter: 三家, 两项) turns a weak negation into a measurement.
_SENTENCE = regex.compile(r"[^。！？!?；;]+[。！？!?；;]*")
_CLAUSE_SEP = regex.compile(r"[，,：:]")
_DIGIT = regex.compile(r"[0-9０-９一二三四五六七八九十百千万亿两]+(?:[%％]|个|家|项|人|亿|万|件|倍|名|所|台|套)|[0-9０-９]")


def _compile(phrase: str, gap: int) -> regex.Pattern:
    """A phrase of the data files as a pattern on text in cue form: "A…B" is A, then at most
    ``gap`` characters, then B. A Latin phrase must not be part of a longer Latin word
    (IPO is not found in "tripod"); a Chinese one is found inside a longer word."""
    parts = [cue_form(p) for p in phrase.split("…") if p]
    first, last = parts[0], parts[-1]
    left = r"(?<![a-z0-9])" if first[:1].isascii() and first[:1].isalnum() else ""
    right = r"(?![a-z0-9])" if last[-1:].isascii() and last[-1:].isalnum() else ""
    return regex.compile(left + f".{{0,{gap}}}?".join(regex.escape(p) for p in parts) + right)


@dataclass(frozen=True)
class _Rules:
    """The phrases of one topic (its name, outline cues and paraphrases), its near-miss
    exclusions, and its own negation patterns when it has any."""

    name: str
    phrases: tuple[tuple[str, regex.Pattern], ...]
    any_phrase: regex.Pattern  # all phrases in one pattern: most sentences mention no topic
    nots: tuple[regex.Pattern, ...]
    overview: bool
    negated_when: tuple[regex.Pattern, ...]


@dataclass(frozen=True)
class _Global:
    """The negation words, their exceptions and the lead-in endings of ``coverage.yaml``."""

    strong: regex.Pattern
    weak: regex.Pattern
    not_negation: regex.Pattern
    lead_in: tuple[str, ...]
    overview_min: int


def _any_of(phrases: Sequence[str], gap: int) -> regex.Pattern:
    """One pattern finding any of ``phrases``."""
    return regex.compile("|".join(f"(?:{_compile(p, gap).pattern})" for p in phrases))


@lru_cache(maxsize=1)
def _global() -> _Global:
    d = load_data("coverage.yaml")
    gap = d["gap"]
    neg = d["negation"]
    return _Global(
        strong=_any_of(neg["strong"], gap),
        weak=_any_of(neg["weak"], gap),
        not_negation=_any_of(neg["not_negation"], gap),
        lead_in=tuple(d["lead_in"]),
        overview_min=d["overview_min_chars"],
    )


@lru_cache(maxsize=None)
def _rules(topic: outline.Topic) -> _Rules:
    d = load_data("coverage.yaml")
    gap = d["gap"]
    extra = (d.get("topics") or {}).get(topic.name) or {}
    labels = list(dict.fromkeys([topic.name, *topic.cues, *(extra.get("phrases") or [])]))
    phrases = tuple((p, _compile(p, gap)) for p in labels)
    return _Rules(
        name=topic.name,
        phrases=phrases,
        any_phrase=_any_of(labels, gap),
        nots=tuple(_compile(p, gap) for p in extra.get("not") or []),
        overview=bool(extra.get("overview")),
        negated_when=tuple(_compile(p, gap) for p in extra.get("negated_when") or []),
    )


def _mask(text: str, patterns: Sequence[regex.Pattern]) -> str:
    """``text`` with every match of ``patterns`` blanked out (same length, so offsets hold)."""
    for p in patterns:
        text = p.sub(lambda m: "\x00" * len(m.group()), text)
    return text


def _negation(clause: str) -> str | None:
    """"strong" / "weak" / None: how a clause says something does not exist."""
    g = _global()
    c = _mask(clause, (g.not_negation,))
    if g.strong.search(c):
        return "strong"
    return "weak" if g.weak.search(c) else None


def _clauses(form: str) -> list[tuple[int, int]]:
    """(start, end) of each clause of a sentence, split at ， and ："""
    spans, start = [], 0
    for m in _CLAUSE_SEP.finditer(form):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(form)))
    return spans


def _clause_of(spans: list[tuple[int, int]], pos: int) -> int:
    return next(k for k, (a, b) in enumerate(spans) if a <= pos <= b)


def _mention(rules: _Rules, form: str) -> tuple[str, str] | None:
    """("positive" | "negated", phrase) for one sentence (in cue form), or None without a mention.

    A mention is negated when its clause negates, or when its clause only leads in
    ("人才引育方面，") and a later clause of the sentence negates."""
    if not rules.any_phrase.search(form):
        return None
    text = _mask(form, rules.nots)
    hits = [(label, m) for label, p in rules.phrases for m in p.finditer(text)]
    if not hits:
        return None
    if rules.negated_when:
        return ("negated", hits[0][0]) if any(p.search(form) for p in rules.negated_when) else ("positive", hits[0][0])
    spans = _clauses(form)
    clauses = [form[a:b] for a, b in spans]
    kinds = [_negation(c) for c in clauses]
    # A weak negation in a sentence with a figure is a measurement ("偏低，仅为1.2%"), unless
    # the sentence also negates outright ("尚不充分，本地配套率不足20%").
    measured = _DIGIT.search(form) is not None and "strong" not in kinds
    negs = [k == "strong" or (k == "weak" and not measured) for k in kinds]
    g = _global()
    first_neg = None
    for label, m in hits:
        i = _clause_of(spans, m.start())
        if negs[i]:
            first_neg = first_neg or label
            continue
        if clauses[i].strip().endswith(g.lead_in) and any(negs[i + 1:]):
            first_neg = first_neg or label
            continue
        return ("positive", label)
    return ("negated", first_neg)


def _sentences(paragraph: str) -> list[str]:
    """The sentences of a paragraph, each with its closing mark (。！？；); a line wrapped
    inside Chinese text is joined first, so it splits neither a sentence nor a phrase."""
    paragraph = _CJK_GAP.sub("", paragraph)
    return [s.strip() for s in _SENTENCE.findall(paragraph) if s.strip()]


_FIRST = object()  # judge_topics: the opening paragraph is the first of ``paragraphs``


def judge_topics(
    paragraphs: Sequence[str],
    heading: outline.Heading,
    *,
    keyed: frozenset[str] = frozenset(),
    opening: str | None | object = _FIRST,
) -> list[TopicCoverage]:
    """Each topic of ``heading`` judged on ``paragraphs`` (the heading's text, in order):
    covered (by a phrase, by the writer keying it, or by the ``opening`` overview), only
    negated (the first negating sentence quoted), or missing.

    ``opening`` is the writer's own first paragraph (by default the first of ``paragraphs``;
    None when the writer wrote nothing, so data sentences never count as an overview).
    A keyed topic whose every mention is negated is still reported negated.

    >>> h = outline.find_heading("集群企业典型发展案例")
    >>> t = judge_topics(["“链长＋链主＋链创”三链融合机制尚未建立。"], h)[0]
    >>> t.outcome, t.sentence
    ('negated', '“链长＋链主＋链创”三链融合机制尚未建立。')
    """
    sentences = [(s, cue_form(s)) for p in paragraphs for s in _sentences(p)]
    if opening is _FIRST:
        opening = paragraphs[0] if paragraphs else None
    out = []
    for topic in heading.topics:
        rules = _rules(topic)
        positive = negated = None
        for orig, form in sentences:
            found = _mention(rules, form)
            if found is None:
                continue
            if found[0] == "positive":
                positive = (orig, found[1])
                break
            negated = negated or (orig, found[1])
        keyed_topic = topic.name in keyed
        if positive:
            how = "keyed" if keyed_topic else f"cue:{positive[1]}"
            out.append(TopicCoverage(heading.title, topic.name, True, how, "covered", positive[0]))
        elif negated:
            out.append(TopicCoverage(heading.title, topic.name, False, f"cue:{negated[1]}", "negated", negated[0]))
        elif keyed_topic:
            out.append(TopicCoverage(heading.title, topic.name, True, "keyed", "covered"))
        elif rules.overview and isinstance(opening, str) and _is_overview(opening, heading, topic):
            out.append(TopicCoverage(heading.title, topic.name, True, "overview", "covered", _sentences(opening)[0]))
        else:
            out.append(TopicCoverage(heading.title, topic.name, False, None, "missing"))
    return out


def _is_overview(paragraph: str, heading: outline.Heading, topic: outline.Topic) -> bool:
    """An opening paragraph long enough to be an overview, whose first clause does not
    announce another topic of the heading ("从主要指标看，……" is about the indicators)."""
    form = cue_form(paragraph)
    if len(regex.sub(r"\W", "", form)) < _global().overview_min:
        return False
    first = _CLAUSE_SEP.split(_sentences(form)[0])[0]
    for other in heading.topics:
        if other.name != topic.name:
            r = _rules(other)
            text = _mask(first, r.nots)
            if any(p.search(text) for _, p in r.phrases):
                return False
    return True
