"""公文 text checks: punctuation, paired marks, repeats, numbers, names, spacing, dates and units.

The rules are data (``data/wording_rules.yaml``): each has an id, a family, a message,
a suggestion and a severity, and either a regular expression with its fix or the name of
one of the built-in checks below, whose word lists live in the same file.

:func:`wording_hits` returns one :class:`Hit` per problem (heading, paragraph, offsets,
the words found and their correction) for callers that mark the text itself (批注, live
feedback); :func:`check_wording` turns the same hits into :class:`Finding` records for
``check``. Only the writer's own paragraphs are read, except by the number-style rule,
which compares the writer's numbers with the data sentences printed beside them.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

import regex

from reportsmith.core.errors import Finding, Severity
from reportsmith.core.resources import load_data

__all__ = [
    "Hit",
    "TextSection",
    "Rule",
    "rules",
    "families",
    "wording_hits",
    "check_wording",
    "disabled_findings",
    "resolve_disabled",
    "hit_finding",
    "institution_names",
    "check_report_wording",
    "in_paragraph",
]

RULE_FILE = "wording_rules.yaml"
RULE_PREFIX = "wording."
_HAN = r"\p{Han}"
_SPACE = " \t\u3000\u00a0"


@dataclass(frozen=True)
class Rule:
    id: str
    family: str
    name: str
    check: str
    message: str
    suggestion: str
    severity: Severity
    pattern: regex.Pattern | None = None
    fix: str | None = None
    docx_only: bool = False


@dataclass(frozen=True)
class Hit:
    """One problem in one paragraph: ``text`` is ``paragraph[start:end]``, ``fix`` its correction
    (None when no single correction can be given)."""

    rule: str
    family: str
    section: str
    paragraph: int
    start: int
    end: int
    text: str
    fix: str | None
    context: str
    message: str


@dataclass
class TextSection:
    """A heading's text as the checks read it: the writer's paragraphs and the data sentences."""

    title: str
    paragraphs: Sequence[str]
    highlights: Sequence[str] = ()


@dataclass
class _Ctx:
    year: int | None
    cluster: Any
    evidence: tuple[str, ...]
    docx: bool
    lists: Mapping[str, Any]
    data_text: str = ""
    writer_text: str = ""
    style: str | None = None  # "comma" / "plain": the report's number style


@lru_cache(maxsize=1)
def _config() -> tuple[tuple[Rule, ...], dict[str, str], dict[str, Any]]:
    raw = load_data(RULE_FILE)
    out = []
    for r in raw["rules"]:
        pattern = regex.compile(r["pattern"], regex.V1) if r.get("pattern") else None
        out.append(
            Rule(
                id=r["id"],
                family=r["family"],
                name=r["name"],
                check=r["check"],
                message=r["message"],
                suggestion=r.get("suggestion", ""),
                severity=Severity(r.get("severity", "warning")),
                pattern=pattern,
                fix=r.get("fix"),
                docx_only=bool(r.get("docx_only", False)),
            )
        )
    return tuple(out), dict(raw["families"]), dict(raw["lists"])


def rules() -> tuple[Rule, ...]:
    return _config()[0]


def families() -> dict[str, str]:
    """Family id → Chinese name, in file order."""
    return _config()[1]


def _lists() -> dict[str, Any]:
    return _config()[2]


# ---------------------------------------------------------------- helpers

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９．", "0123456789.")


_HAN_RE = regex.compile(_HAN)


def _is_han(ch: str) -> bool:
    return bool(ch) and _HAN_RE.match(ch) is not None


def _prev_char(text: str, i: int) -> str:
    j = i - 1
    while j >= 0 and text[j] in _SPACE:
        j -= 1
    return text[j] if j >= 0 else ""


def _next_char(text: str, i: int) -> str:
    j = i
    while j < len(text) and text[j] in _SPACE:
        j += 1
    return text[j] if j < len(text) else ""


def _expand_spaces(text: str, start: int, end: int) -> tuple[int, int]:
    while start > 0 and text[start - 1] in _SPACE:
        start -= 1
    while end < len(text) and text[end] in _SPACE:
        end += 1
    return start, end


_Found = tuple[int, int, str | None]  # start, end, fix (None: no single fix)


# ---------------------------------------------------------------- built-in checks


@lru_cache(maxsize=8)
def _halfwidth_re(chars: str) -> regex.Pattern:
    return regex.compile(f"[{regex.escape(chars)}]")


def _halfwidth_punct(text: str, ctx: _Ctx) -> list[_Found]:
    table: Mapping[str, str] = ctx.lists["halfwidth_punct"]
    out: list[_Found] = []
    for m in _halfwidth_re("".join(table)).finditer(text):
        i, ch = m.start(), m.group()
        if ch == "." and (text[i : i + 2] == ".." or (i > 0 and text[i - 1] == ".")):
            continue  # an ellipsis: the number family reports it
        before, after = _prev_char(text, i), _next_char(text, i + 1)
        closing = "”’）》】"
        if ch == ".":
            flagged = _is_han(before) or before in closing
        elif ch == ":" and before.isdigit() and after.isdigit():
            flagged = False
        else:
            flagged = _is_han(before) or before in closing or _is_han(after)
        if flagged:
            start, end = _expand_spaces(text, i, i + 1)
            out.append((start, end, table[ch]))
    return out


_PAREN = regex.compile(r"\(([^()\n]{0,80})\)")


def _halfwidth_paren(text: str, ctx: _Ctx) -> list[_Found]:
    out: list[_Found] = []
    used: set[int] = set()
    for m in _PAREN.finditer(text):
        inner = m.group(1)
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if _HAN_RE.search(inner) or _is_han(before) or _is_han(after):
            out.append((m.start(), m.end(), f"（{inner}）"))
            used.update((m.start(), m.end() - 1))
    if "(" not in text and ")" not in text:
        return out
    for i, ch in enumerate(text):
        if ch in "()" and i not in used:
            if _is_han(_prev_char(text, i)) or _is_han(_next_char(text, i + 1)):
                out.append((i, i + 1, "（" if ch == "(" else "）"))
    return out


_PAIRS = {"“": "”", "‘": "’", "（": "）", "《": "》", "【": "】"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}
_ENUMERATION = regex.compile(r"(?:^|[，。；：、\s])[0-9A-Za-z]{1,2}）$")
_MARKS = regex.compile("[" + "".join(_PAIRS) + "".join(_CLOSERS) + "]")


def _paired_marks(text: str, ctx: _Ctx) -> list[_Found]:
    """Unbalanced or wrongly nested marks, each reported once.

    A closer whose opener is further down the stack is the misplaced one when the marks
    opened above it are closed later in the paragraph (“《…“…》…”); otherwise those
    inner marks are the ones never closed (“…‘…”).
    """
    out: list[_Found] = []
    stack: list[tuple[str, int]] = []
    for m in _MARKS.finditer(text):
        i, ch = m.start(), m.group()
        if ch in "“‘" and stack and stack[-1][0] == ch:
            # Chinese quotes do not nest in themselves: an opener typed for the closer.
            out.append((i, i + 1, _PAIRS[ch]))
            stack.pop()
        elif ch in _PAIRS:
            stack.append((ch, i))
        elif ch in _CLOSERS:
            opener = _CLOSERS[ch]
            if stack and stack[-1][0] == opener:
                stack.pop()
                continue
            if ch == "’" and 0 < i < len(text) - 1 and text[i - 1].isascii() and text[i + 1].isascii():
                continue  # an apostrophe in English: China’s
            if ch == "）" and _ENUMERATION.search(text[: i + 1]):
                continue  # a list number: 1）
            depth = next((k for k in range(len(stack) - 1, -1, -1) if stack[k][0] == opener), None)
            if depth is None:
                out.append((i, i + 1, None))
                continue
            inner = stack[depth + 1 :]
            if all(_PAIRS[o] in text[i + 1 :] for o, _ in inner):
                out.append((i, i + 1, None))
                del stack[depth]
            else:
                out += [(j, j + 1, None) for _, j in inner]
                del stack[depth:]
    out += [(i, i + 1, None) for _, i in stack]
    return sorted(out)


def _straight_quotes(text: str, ctx: _Ctx) -> list[_Found]:
    if ('"' not in text and "'" not in text) or not _HAN_RE.search(text):
        return []
    out: list[_Found] = []
    quotes = [i for i, ch in enumerate(text) if ch == '"']
    for a, b in zip(quotes[0::2], quotes[1::2]):
        if b - a <= 80:
            out.append((a, b + 1, f"“{text[a + 1 : b]}”"))
        else:
            out += [(a, a + 1, "“"), (b, b + 1, "”")]
    if len(quotes) % 2:
        out.append((quotes[-1], quotes[-1] + 1, None))
    for i in (i for i, ch in enumerate(text) if ch == "'"):
        if _is_han(_prev_char(text, i)) or _is_han(_next_char(text, i + 1)):
            out.append((i, i + 1, None))
    return out


def _allowed_repeat(text: str, start: int, end: int, ctx: _Ctx) -> bool:
    for word in ctx.lists["reduplication"]:
        for m in regex.finditer(regex.escape(word), text):
            if m.start() <= start and end <= m.end():
                return True
    return False


@lru_cache(maxsize=8)
def _repeat_char_re(chars: str) -> regex.Pattern:
    return regex.compile(rf"([{regex.escape(chars)}])\1")


_REPEAT_WORD = regex.compile(r"(\p{Han}{2,6})\1")


def _repeated_char(text: str, ctx: _Ctx) -> list[_Found]:
    starts = ctx.lists["repeat_word_starts"]
    out: list[_Found] = []
    for m in _repeat_char_re("".join(ctx.lists["repeat_chars"])).finditer(text):
        if _allowed_repeat(text, m.start(), m.end(), ctx):
            continue
        if any(text.startswith(w, m.start() + 1) for w in starts):
            continue  # the second character begins the next word: 从从业人员, 为了了解
        out.append((m.start(), m.end(), m.group(1)))
    return out


def _ends_a_word(text: str, start: int, unit: str, ctx: _Ctx) -> bool:
    """Whether the first copy of a repeated word ends a longer word the report uses elsewhere
    without the repeat (“长江生物生物药”: the company 长江生物 and its 生物药)."""
    head = text[max(0, start - 2) : start] + unit
    if len(head) <= len(unit):
        return False
    whole = ctx.writer_text or text
    return any(not whole.startswith(unit, m.end()) for m in regex.finditer(regex.escape(head), whole))


def _repeated_word(text: str, ctx: _Ctx) -> list[_Found]:
    out: list[_Found] = []
    for m in _REPEAT_WORD.finditer(text):
        if len(set(m.group(1))) == 1:
            continue  # a run of one character (AAAA) is the single-character rule's business
        if _allowed_repeat(text, m.start(), m.end(), ctx) or _ends_a_word(text, m.start(), m.group(1), ctx):
            continue
        out.append((m.start(), m.end(), m.group(1)))
    return out


@lru_cache(maxsize=8)
def _number_re(units: tuple[str, ...]) -> regex.Pattern:
    alts = "|".join(regex.escape(u) for u in sorted(units, key=len, reverse=True))
    return regex.compile(rf"(?<![\d.,，A-Za-z])(\d{{1,3}}(?:,\d{{3}})+|\d{{4,}})(?:\.\d+)?(?=(?:余|多)?(?:{alts}))")


def _styled_numbers(text: str, ctx: _Ctx) -> list[tuple[int, int, str]]:
    """Numbers of 1,000 or more followed by a unit: (start, end, "comma" / "plain")."""
    out = []
    for m in _number_re(tuple(ctx.lists["count_units"])).finditer(text):
        out.append((m.start(), m.end(), "comma" if "," in m.group(1) else "plain"))
    return out


def _thousands_style(text: str, ctx: _Ctx) -> list[_Found]:
    if ctx.style is None:
        return []
    out: list[_Found] = []
    for start, end, style in _styled_numbers(text, ctx):
        if style == ctx.style:
            continue
        digits = text[start:end]
        if ctx.style == "comma":
            whole, _, frac = digits.partition(".")
            fix = f"{int(whole):,}" + (f".{frac}" if frac else "")
        else:
            fix = digits.replace(",", "")
        out.append((start, end, fix))
    return out


def _report_style(sections: Sequence[TextSection], ctx: _Ctx) -> str | None:
    data = [s for sec in sections for h in sec.highlights for *_, s in _styled_numbers(h, ctx)]
    if data:
        return "comma" if "comma" in data else "plain"
    writer = [s for sec in sections for p in sec.paragraphs for *_, s in _styled_numbers(p, ctx)]
    if len(set(writer)) < 2:
        return None
    commas = writer.count("comma")
    return "comma" if commas >= len(writer) - commas else "plain"


_CLAUSE_START = "，。；：！？、,;:!?（(“‘《【\n "


_SHORT_YEAR = regex.compile(r"(?<![\d.０-９A-Za-z])(\d{2})年(?!代)")


def _short_year(text: str, ctx: _Ctx) -> list[_Found]:
    if ctx.year:
        low, high = ctx.year % 100 - 6, ctx.year % 100 + 2
    else:
        low, high = 15, 30
    before_cues = sorted(ctx.lists["duration_before"], key=len, reverse=True)
    after_cues = ctx.lists["duration_after"]
    out: list[_Found] = []
    for m in _SHORT_YEAR.finditer(text):
        n = int(m.group(1))
        if not low <= n <= high:
            continue
        head = text[max(0, m.start() - 4) : m.start()]
        tail = text[m.end() : m.end() + 4]
        if any(head.endswith(c) for c in before_cues) or any(tail.startswith(c) for c in after_cues):
            continue
        # Like a year: a point in time follows, or it opens a clause, or a preposition of time precedes.
        opens = not head or head[-1] in _CLAUSE_START
        if not (
            opens
            or any(tail.startswith(c) for c in ctx.lists["year_after"])
            or any(head.endswith(c) for c in ctx.lists["year_before"])
        ):
            continue
        out.append((m.start(), m.end(), f"20{m.group(1)}年"))
    return out


_NAME_CHARS = regex.compile(r"^[\p{Han}（）()A-Za-z0-9]+$")


def _near_names(text: str, names: Sequence[str], threshold: float) -> list[_Found]:
    """Places where ``text`` names something close to, but not exactly, one of ``names``.

    Each name is looked for by its last two characters; the words ending there are
    compared with the name (several lengths around the name's own); the closest one is
    reported when it is at least ``threshold`` similar and not the name itself.
    """
    return list(_near_names_cached(text, tuple(names), threshold))


@lru_cache(maxsize=16)
def _name_index(names: tuple[str, ...]) -> tuple[dict[str, list[str]], dict[str, set[str]], int]:
    """Names by their last two characters, each name's character pairs, the longest length."""
    by_anchor: dict[str, list[str]] = {}
    for n in names:
        if len(n) >= 5:
            by_anchor.setdefault(n[-2:], []).append(n)
    pairs = {n: {n[i : i + 2] for i in range(len(n) - 1)} for n in names}
    return by_anchor, pairs, max((len(n) for n in names), default=0)


@lru_cache(maxsize=4096)
def _near_names_cached(text: str, names: tuple[str, ...], threshold: float) -> tuple[_Found, ...]:
    by_anchor, pairs, longest = _name_index(names)
    out: list[_Found] = []
    taken: list[tuple[int, int]] = []
    exact = set(names)
    for anchor, group in by_anchor.items():
        lengths = {len(n) for n in group}
        at = text.find(anchor)
        while at >= 0:
            end = at + len(anchor)
            at = text.find(anchor, at + 1)
            if any(text[end - n : end] in exact for n in lengths if n <= end):
                continue
            best: tuple[float, int, str] | None = None
            window = text[max(0, end - longest - 3) : end]
            window_pairs = {window[i : i + 2] for i in range(len(window) - 1)}
            for n in group:
                # A quick screen before the exact comparison: a near miss shares most of the
                # name's character pairs (a dropped or changed character breaks at most two).
                if len(pairs[n] & window_pairs) < 0.5 * len(pairs[n]):
                    continue
                for length in range(max(len(anchor) + 1, len(n) - 4), len(n) + 4):
                    if length > end:
                        break
                    cand = text[end - length : end]
                    if not _NAME_CHARS.match(cand):
                        break
                    ratio = difflib.SequenceMatcher(None, cand, n, autojunk=False).ratio()
                    if best is None or ratio > best[0]:
                        best = (ratio, length, n)
            if best and best[0] >= threshold:
                start = end - best[1]
                if best[2].endswith(text[start:end]):
                    # The tail of a listed name inside a longer phrase (“生物医药科技企业孵化器”
                    # beside “三峡科技企业孵化器”) is a description, and a tail several names
                    # share (“高新区管委会”) is a generic reference, not a misspelt name.
                    if (start > 0 and _is_han(text[start - 1])) or sum(n.endswith(text[start:end]) for n in names) > 1:
                        continue
                if not any(s < end and start < e for s, e in taken):
                    taken.append((start, end))
                    out.append((start, end, best[2]))
    return tuple(out)


def _cluster_list() -> tuple[Any, ...]:
    from reportsmith.registry.clusters import load_clusters

    return tuple(load_clusters())


def _cluster_names(text: str, ctx: _Ctx) -> list[_Found]:
    names = [c.name for c in _cluster_list()]
    return _near_names(text, names, float(ctx.lists["name_similarity"]))


def _unit_names(text: str, ctx: _Ctx) -> list[_Found]:
    units = sorted({u for c in _cluster_list() for u in c.units})
    return _near_names(text, units, float(ctx.lists["name_similarity"]))


def _institution_names(text: str, ctx: _Ctx) -> list[_Found]:
    return _near_names(text, ctx.evidence, float(ctx.lists["name_similarity"]))


_DATE_SEP = regex.compile(r"(?<![\d.A-Za-z])((?:19|20)\d\d)([./-])(\d{1,2})\2(\d{1,2})(?![\d.])")
_DATE_ZERO = regex.compile(r"(?<!\d)(?:((?:19|20)\d\d)年)?(\d{1,2})月(?:(\d{1,2})日)?")


def _date_format(text: str, ctx: _Ctx) -> list[_Found]:
    out: list[_Found] = []
    for m in _DATE_SEP.finditer(text):
        y, _, mo, d = m.groups()
        if 1 <= int(mo) <= 12 and 1 <= int(d) <= 31:
            out.append((m.start(), m.end(), f"{y}年{int(mo)}月{int(d)}日"))
    for m in _DATE_ZERO.finditer(text):
        y, mo, d = m.groups()
        if mo.startswith("0") or (d or "").startswith("0"):
            fixed = (f"{y}年" if y else "") + f"{int(mo)}月" + (f"{int(d)}日" if d else "")
            out.append((m.start(), m.end(), fixed))
    return out


_BARE_MONEY = regex.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(亿|万)")


def _money_unit(text: str, ctx: _Ctx) -> list[_Found]:
    cues = ctx.lists["money_cues"]
    after_ok = ctx.lists["non_money_after"]
    out: list[_Found] = []
    for m in _BARE_MONEY.finditer(text):
        rest = text[m.end() :]
        if any(rest.startswith(a) for a in after_ok):
            continue
        if regex.match(r"\s*(?:至|到|～|~|—|-|－|、|或|和)\s*\d+(?:\.\d+)?" + m.group(2) + "元", rest):
            continue  # a range whose second figure carries the unit: 1亿至10亿元
        clause = regex.split(r"[，。；：！？,;:\n]", text[: m.start()])[-1]
        if any(c in clause for c in cues):
            out.append((m.start(), m.end(), m.group() + "元"))
    return out


_BIG_UNIT = regex.compile(r"(?<![\d.])(\d+(?:\.\d+)?)([千百])万(元?)")


def _big_unit(text: str, ctx: _Ctx) -> list[_Found]:
    out: list[_Found] = []
    for m in _BIG_UNIT.finditer(text):
        from decimal import Decimal

        wan = Decimal(m.group(1)) * (1000 if m.group(2) == "千" else 100)
        out.append((m.start(), m.end(), f"{wan.normalize():f}万{m.group(3)}"))
    return out


_CHECKS: dict[str, Callable[[str, _Ctx], list[_Found]]] = {
    "halfwidth_punct": _halfwidth_punct,
    "halfwidth_paren": _halfwidth_paren,
    "paired_marks": _paired_marks,
    "straight_quotes": _straight_quotes,
    "repeated_char": _repeated_char,
    "repeated_word": _repeated_word,
    "thousands_style": _thousands_style,
    "short_year": _short_year,
    "cluster_names": _cluster_names,
    "unit_names": _unit_names,
    "institution_names": _institution_names,
    "date_format": _date_format,
    "money_unit": _money_unit,
    "big_unit": _big_unit,
}


def _pattern_check(rule: Rule, text: str) -> list[_Found]:
    assert rule.pattern is not None
    out: list[_Found] = []
    for m in rule.pattern.finditer(text):
        if m.end() == m.start():
            continue
        if rule.fix is None:
            fix = None
        elif rule.fix == "halfwidth":
            fix = m.group().translate(_FULLWIDTH_DIGITS)
        else:
            fix = m.expand(rule.fix)
        out.append((m.start(), m.end(), fix))
    return out


# ---------------------------------------------------------------- public API


def _as_sections(sections: Any) -> list[TextSection]:
    if isinstance(sections, Mapping):
        return [TextSection(str(k), [v] if isinstance(v, str) else list(v)) for k, v in sections.items()]
    out = []
    for s in sections:
        if isinstance(s, TextSection):
            out.append(s)
        else:  # an AssembledSection
            out.append(TextSection(s.heading.title, list(s.paragraphs), list(getattr(s, "highlights", []) or [])))
    return out


def resolve_disabled(disabled: Iterable[str] | None) -> set[str]:
    """Rule ids switched off by ``disabled`` keys (rule ids, with or without ``wording.``, or family ids)."""
    out: set[str] = set()
    for key in disabled or ():
        key = str(key).strip()
        key = key[len(RULE_PREFIX) :] if key.startswith(RULE_PREFIX) else key
        out |= {r.id for r in rules() if r.id == key or r.family == key}
    return out


def _context(text: str, start: int, end: int, width: int = 8) -> tuple[str, int, int]:
    a, b = max(0, start - width), min(len(text), end + width)
    return text[a:b], start - a, end - a


def wording_hits(
    sections: Any,
    cluster: Any = None,
    evidence: Iterable[str] | None = None,
    *,
    disabled: Iterable[str] | None = None,
    year: int | None = None,
    docx: bool = False,
) -> list[Hit]:
    """Every wording problem in the writer's paragraphs of ``sections``.

    ``sections``: AssembledSection or :class:`TextSection` objects, or a mapping heading →
    paragraphs; ``cluster``: the report's cluster (not needed: every cluster of 附件1 is
    compared); ``evidence``: institution names listed in evidence.yaml; ``disabled``: rule or
    family ids switched off; ``docx``: the paragraphs come from a received Word file (leading
    spaces kept). Hits come in reading order.
    """
    secs = _as_sections(sections)
    off = resolve_disabled(disabled)
    ctx = _Ctx(year=year, cluster=cluster, evidence=tuple(evidence or ()), docx=docx, lists=_lists())
    active = [r for r in rules() if r.id not in off and (docx or not r.docx_only)]
    ctx.writer_text = "\n".join(p for sec in secs for p in sec.paragraphs)
    if any(r.check == "thousands_style" for r in active):
        ctx.style = _report_style(secs, ctx)
    hits: list[Hit] = []
    for sec in secs:
        for pi, para in enumerate(sec.paragraphs):
            found: list[tuple[int, int, str | None, Rule]] = []
            for rule in active:
                spans = _pattern_check(rule, para) if rule.check == "pattern" else _CHECKS[rule.check](para, ctx)
                found += [(s, e, fix, rule) for s, e, fix in spans]
            found.sort(key=lambda f: (f[0], f[1]))
            for s, e, fix, rule in found:
                snippet, _, _ = _context(para, s, e)
                hits.append(Hit(rule.id, rule.family, sec.title, pi, s, e, para[s:e], fix, snippet, rule.message))
    return hits


def _shown(text: str) -> str:
    """Spaces made visible in a quotation."""
    return text.replace("\u3000", "［全角空格］").replace(" ", "［空格］").replace("\t", "［制表符］")


def hit_finding(hit: Hit, *, file: str | None = None) -> Finding:
    rule = next(r for r in rules() if r.id == hit.rule)
    family = families().get(rule.family, rule.family)
    quoted = _shown(hit.text)
    if hit.fix is not None:
        hint = f"改为“{_shown(hit.fix)}”" if hit.fix else (rule.suggestion or "删去")
        hint += f"；{rule.suggestion}" if rule.suggestion and rule.family in ("number", "date_unit") and rule.check != "pattern" else ""
    else:
        hint = rule.suggestion
    if rule.check in ("cluster_names", "unit_names", "institution_names") and hit.fix:
        hint = f"应为“{hit.fix}”"
    where = hit.context.replace("\n", " ")
    message = f"{family}：“{where}”中的“{quoted}”——{rule.message}"
    return Finding(
        rule.severity,
        RULE_PREFIX + rule.id,
        message,
        file=file,
        key=hit.section,
        hint=hint,
        measured=hit.text,
        limit=hit.fix,
    )


def check_wording(
    sections: Any,
    cluster: Any = None,
    evidence: Iterable[str] | None = None,
    *,
    disabled: Iterable[str] | None = None,
    year: int | None = None,
    docx: bool = False,
    file: str | None = None,
) -> list[Finding]:
    """:func:`wording_hits` as findings: the heading (``key``), the words quoted in context,
    the correction (``hint``; ``measured`` is the words found, ``limit`` the correction)."""
    return [
        hit_finding(h, file=file)
        for h in wording_hits(sections, cluster, evidence, disabled=disabled, year=year, docx=docx)
    ]


def disabled_findings(disabled: Mapping[str, Any] | None, *, file: str | None = None, key: str = "关闭检查") -> list[Finding]:
    """One info finding per rule the writer switched off (with the reason), and a warning for
    an id that names no rule."""
    out: list[Finding] = []
    ids = [r.id for r in rules()]
    for name, reason in (disabled or {}).items():
        switched = sorted(resolve_disabled([name]))
        reason_text = str(reason or "").strip()
        if not switched:
            from reportsmith.core.textutil import suggestion

            out.append(
                Finding(
                    Severity.WARNING,
                    "wording.unknown_rule",
                    f"“{key}”中的“{name}”不是文字检查的规则编号",
                    file=file,
                    key=key,
                    hint=suggestion(str(name), ids + list(families())) + "规则编号见 reportsmith 自带的 wording_rules.yaml",
                )
            )
            continue
        out.append(
            Finding(
                Severity.INFO if reason_text else Severity.WARNING,
                "wording.disabled",
                f"已关闭文字检查“{name}”（{'、'.join(switched)}），理由：{reason_text or '未写理由'}",
                file=file,
                key=key,
                hint=None if reason_text else f"请在“{name}:”后写明关闭的理由",
            )
        )
    return out


INSTITUTION_GROUPS = ("创新服务机构", "研发机构")


def institution_names(assembled: Any) -> list[str]:
    """The institutions listed in evidence.yaml (创新服务机构, 研发机构) of an assembled report."""
    checklist = getattr(assembled, "checklist", None)
    if checklist is None:
        return []
    return [i.name for i in checklist.items if i.group in INSTITUTION_GROUPS and i.name]


def _source_lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read().splitlines()
    except (OSError, UnicodeDecodeError):
        return []


def _line_of(hit: Hit, lines: Sequence[str], start: int | None) -> int | None:
    """The report.yaml line holding the hit's words (searched from its heading's line on)."""
    if not lines:
        return start
    a = max(0, (start or 1) - 1)
    probes = [hit.context.strip(), hit.context[max(0, hit.context.find(hit.text) - 3) :].strip()[:12]]
    probes += [hit.text] if len(hit.text.strip()) >= 2 else []
    for probe in probes:
        if not probe:
            continue
        for i in range(a, len(lines)):
            if probe in lines[i]:
                return i + 1
    return start


def check_report_wording(assembled: Any, report: Any) -> tuple[list[Finding], list[dict[str, Any]]]:
    """Wording findings of an assembled report.yaml, pointed at their lines, and the rules the
    writer switched off (``[{"rule", "rules", "reason"}]``) with findings about that list."""
    disabled: Mapping[str, str] = getattr(report, "disabled_checks", {}) or {}
    file = report.source
    hits = wording_hits(
        assembled.sections, assembled.cluster, institution_names(assembled), disabled=disabled.keys(), year=assembled.year
    )
    lines = _source_lines(file)
    heading_lines = {title: s.line for title, s in report.sections.items()}
    located = [
        dataclasses.replace(hit_finding(h, file=file), line=_line_of(h, lines, heading_lines.get(h.section))) for h in hits
    ]
    off = [
        {"rule": name, "rules": sorted(resolve_disabled([name])), "reason": reason}
        for name, reason in disabled.items()
        if resolve_disabled([name])
    ]
    # Rules switched off with a reason are listed apart (``off``); a missing reason or an
    # unknown id is a finding.
    notes = [
        dataclasses.replace(f, line=getattr(report, "disabled_checks_line", None))
        for f in disabled_findings(disabled, file=file)
        if f.severity is not Severity.INFO
    ]
    return located + notes, off


_QUOTED_CONTEXT = regex.compile(r"^[^：]*：“(.*?)”中的“")


def in_paragraph(finding: Finding, text: str) -> bool:
    """Whether ``finding`` (from :func:`check_wording`) is about the paragraph ``text``: its
    quoted words stand there in the same context. Lets 批注 sit on the paragraph itself."""
    m = _QUOTED_CONTEXT.match(finding.message)
    if not m or not finding.rule.startswith(RULE_PREFIX):
        return False
    return m.group(1) in text.replace("\n", " ")
