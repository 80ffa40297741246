"""Hand-written figures in the report text checked against the form.

What each written number means is decided from the words around it
(``data/prose_concepts.yaml``): its subject is the nearest cue of a form figure before it
in the same clause ("集群企业总数达300家"), right after it ("85家高新技术企业"), or — in a
clause made only of linking words — the subject of the sentence so far ("集群企业总数
186家，较上年增加16家"). The last keyword before it in the clause says what is stated:

* a level (default) — compared with this year's value;
* a change (增长/增加/提高/新增/下降/减少…): a percentage is a growth rate, "个百分点" a
  change of a ratio, a number in the figure's unit an absolute change — each compared
  with what this year's and last year's values give;
* a share ("占营业收入的12.3%", "占比39.8%") — compared with the derived ratio;
* last year's value ("由170家增加到186家", "上年为170家").

A bound word right before the number (突破/超过/逾, 不足, 近, 约) or right after it
(余/多, 以上, 以下, 左右) turns the comparison into a bound. A keyword applies to every
item of a list after it ("新增高新技术企业13家、规上企业6家" is two 新增). Once a
sentence names a single company, a project or the province, the rest of it is not
compared with the cluster's totals. "较上年有所增加" alone is checked for its direction.

A written number agrees when it equals the true value rounded half-up or truncated to
the written decimals, or computed from the values as the report displays them.

The check is linear in the text: one scan of each sentence with one regular expression
(numbers, cue words and keywords as one alternation), constant work per token.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Mapping

from reportsmith.compute.figures import AMOUNT_KINDS, Figure, figures
from reportsmith.core import numfmt
from reportsmith.core.limits import limit
from reportsmith.core.errors import Finding, Severity
from reportsmith.core.resources import load_data
from reportsmith.form.data import FormData

_SENTENCE = re.compile(r"[^。！？!?；;\n]+")
_CN_DIGITS = "一二两三四五六七八九"
_CN_PLACES = {"十": 10, "百": 100, "千": 1000}
_CN_VALUES = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMBER = (
    r"(?P<sign>-|负)?(?:(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?!\d)"
    # a round number in Chinese: 百亿元, 千家, 两万人, 三百家, 十余家 (not 一家, not 一百五十)
    rf"|(?<![{_CN_DIGITS}十百千])(?P<cn>[{_CN_DIGITS}]?[十百千](?![{_CN_DIGITS}十百千])|[{_CN_DIGITS}](?=[万亿])))"
    r"\s?(?P<more1>余|多)?(?:\s?(?P<mult>万|亿))?(?P<more2>余|多)?"
    r"(?:\s?(?P<unit>个百分点|元|家|个|人|名|件|项|%))?"
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})年")
_MONTHS = re.compile(r"\d{1,2}\s*[-—–~至到]\s*\d{1,2}\s*月")
_UNIT_ALIAS = {"名": "人"}
_MAX_GAP = 12
_HUNDRED = Decimal(100)

# token kinds
_CUE, _KW, _BREAK, _LIST, _NUM = "cue", "kw", "break", "list", "num"


@dataclass(frozen=True)
class _Rules:
    token: re.Pattern  # numbers | words | breaks, one alternation, longest word first
    words: dict[str, tuple[str, str | None]]  # word -> (kind, figure name for cues)
    shares: dict[tuple[str, str | None], str]  # (part, whole or None) -> derived figure
    skip_after: tuple[str, ...]
    after_bounds: tuple[tuple[str, str], ...]
    skip_sentence_words: tuple[str, ...]
    skip_months: bool
    subgroups: frozenset[str]
    near_low: Decimal
    about: Decimal


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    data = load_data("prose_concepts.yaml")
    words: dict[str, tuple[str, str | None]] = {}

    def add(items, kind, value=None):
        for w in items:
            words.setdefault(w, (kind, value))

    for con in data["concepts"]:
        add(con["cues"], _CUE, con["figure"])
    add(data.get("ignore", []), _CUE, None)
    add(data["skip_words"], "skip")
    add(data.get("negating_words", []), "negate")
    add(data.get("other_subjects", []), "other")
    add(data.get("other_regions", []), "region")
    add(data.get("cluster_words", []), "cluster")
    for kind, items in data["directions"].items():
        add(items, "dir_" + kind)
    for kind, items in data["bounds_before"].items():
        add(items, "bound_" + kind)
    for kind, items in data["words"].items():
        add(items, kind)
    alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    token = re.compile(rf"(?P<n>{_NUMBER})|(?P<w>{alternation})|(?P<b>[,，:：()（）])|(?P<l>[、/和及与])")
    shares: dict[tuple[str, str | None], str] = {}
    for s in data.get("shares", []):
        shares.setdefault((s["part"], s["whole"]), s["figure"])
        shares.setdefault((s["part"], None), s["figure"])
    after = [(w, "at_least") for w in ("余", "多")]
    after += [(w, k) for k, items in data["bounds_after"].items() for w in items]
    return _Rules(
        token,
        words,
        shares,
        tuple(data["skip_after"]),
        tuple(after),
        tuple(data["skip_sentence_words"]),
        bool(data.get("skip_sentence_months", False)),
        frozenset(data.get("subgroups", [])),
        Decimal(str(data["near_low"])),
        Decimal(str(data["about_tolerance"])),
    )


@dataclass
class _Clause:
    """What is known inside one clause while it is scanned left to right."""

    mode: str = "level"  # the last keyword's meaning: level / up / down / share
    rate: bool = False  # 增速/增幅 seen: a percentage is a growth rate
    skip: bool = False  # 累计/平均/带动… seen: nothing in this clause is compared
    clean: bool = True  # nothing but keywords so far: the sentence's subject carries over
    cue: tuple[int, str | None] | None = None  # (end of the last cue or of its last number, figure)
    cue_start: int | None = None
    share_at: int = -1  # end of the last 占/占比
    share_part: str | None = None  # the figure the share is of
    bound: str | None = None  # a bound word …
    bound_end: int = -1  # … and where it ends (it counts only right before a number)
    previous: bool = False  # the next number is last year's value
    negate: bool = False  # 亏损 seen: the next number is negative


@dataclass(frozen=True)
class _Claim:
    fig: Figure
    what: str  # level / previous / rate / points / diff
    value: Decimal  # in the figure's own unit (ratios as fractions), or percent / points
    places: int
    scale: Decimal  # written unit per figure unit, for level-like comparisons
    bound: str | None
    step: Decimal | None  # for "180余家": the next round number
    written: str


def _digits(m: re.Match) -> str:
    """The written number as digits ("12,345.6" → "12345.6", "三百" → "300", "两" before 万 → "2")."""
    if m["num"] is not None:
        return m["num"].replace(",", "")
    cn = m["cn"]
    digit = _CN_VALUES.get(cn[0], 1)  # 百亿 is 一百亿
    return str(digit * _CN_PLACES.get(cn[-1], 1))


def _written_value(m: re.Match, fig: Figure) -> tuple[Decimal, int] | None:
    """The written number in the figure's own unit scale and its decimals, or None if the unit does not fit."""
    num = _digits(m)
    places = len(num.split(".")[1]) if "." in num else 0
    value = Decimal(num)
    mult, unit = m["mult"], _UNIT_ALIAS.get(m["unit"], m["unit"])
    if fig.kind in AMOUNT_KINDS:
        if mult is None or unit not in (None, "元"):
            return None
        return value * (10000 if mult == "亿" else 1), places
    if fig.kind == "ratio":
        return (value / 100, places) if unit == "%" and mult is None else None
    if unit != fig.unit or mult == "亿":
        return None
    return value * (10000 if mult == "万" else 1), places


def _scale(m: re.Match, fig: Figure) -> Decimal:
    if fig.kind == "ratio":
        return Decimal("0.01")
    return Decimal(10000) if m["mult"] == "亿" or (m["mult"] == "万" and fig.kind not in AMOUNT_KINDS) else Decimal(1)


def _agrees(written: Decimal, places: int, scale: Decimal, true: Decimal) -> bool:
    shown = written / scale  # back in the unit the writer used
    exact = numfmt.to_decimal(true) / scale
    candidates = {numfmt.round_half_up(exact, places), numfmt.truncate(exact, places)}
    for display_places in (1, 2):  # a writer rounding the displayed figure again
        if places < display_places:
            candidates.add(numfmt.round_half_up(numfmt.round_half_up(exact, display_places), places))
    return numfmt.round_half_up(shown, places) in candidates


def _shown(fig: Figure, value) -> Decimal:
    """``value`` as the report displays it, back in the figure's unit."""
    d = numfmt.to_decimal(value)
    if fig.kind in AMOUNT_KINDS:
        if numfmt.amount_unit(d) == "亿元":
            return numfmt.round_half_up(d / numfmt.YI, 2) * numfmt.YI
        return numfmt.round_half_up(d, 2)
    if fig.kind == "ratio":
        return numfmt.round_half_up(d * 100, fig.decimals) / 100
    if fig.kind == "number":
        return numfmt.round_half_up(d, fig.decimals)
    return d


def _actual(fig: Figure, what: str) -> tuple[Decimal, list[Decimal]] | None:
    """The true quantity a claim states, and the values a careful writer may have used for it."""
    cur, prev = fig.value, fig.previous
    if what == "level":
        return numfmt.to_decimal(cur), []
    if prev is None:
        return None
    c, p = numfmt.to_decimal(cur), numfmt.to_decimal(prev)
    if what == "previous":
        return p, []
    if what == "diff":
        return c - p, [_shown(fig, c) - _shown(fig, p)]
    if what == "points":
        return (c - p) * _HUNDRED, [(_shown(fig, c) - _shown(fig, p)) * _HUNDRED]
    if p == 0:  # rate
        return None
    sc, sp = _shown(fig, c), _shown(fig, p)
    alt = [(sc - sp) / abs(sp) * _HUNDRED] if sp else []
    return (c - p) / abs(p) * _HUNDRED, alt


def _holds(claim: _Claim, rules: _Rules) -> bool | None:
    """True/False whether the claim agrees with the form; None when it cannot be judged."""
    got = _actual(claim.fig, claim.what)
    if got is None:
        return None
    true, alternatives = got
    v = claim.value
    if claim.what in ("level", "previous", "diff"):
        scale = claim.scale
    else:
        scale = Decimal(1)
    if claim.bound == "at_least":
        return true >= v and (claim.step is None or true < v + claim.step * scale)
    if claim.bound == "at_most":
        return true <= v
    if claim.bound == "near":
        return v * rules.near_low <= true <= v if v > 0 else None
    if claim.bound == "about":
        slack = Decimal(1).scaleb(-claim.places) * scale / 2  # the written number's rounding
        return abs(true - v) <= abs(v) * rules.about + slack
    if _agrees(v, claim.places, scale, true):
        return True
    return any(_agrees(v, claim.places, scale, a) for a in alternatives)


def _place_count(m: re.Match) -> int:
    num = _digits(m)
    return len(num.split(".")[1]) if "." in num else 0


def _step(m: re.Match) -> Decimal | None:
    """"180余家" lies below 190, "200余家" below 300: one unit of the last non-zero digit."""
    if not (m["more1"] or m["more2"]):
        return None
    num = _digits(m)
    if "." in num:
        step = Decimal(1).scaleb(-len(num.split(".")[1]))
    else:
        zeros = len(num) - len(num.rstrip("0"))
        step = Decimal(10) ** zeros if zeros else Decimal(1)
    return step  # in the written unit


def _claim(m: re.Match, fig: Figure, mode: str, *, rate: bool = False, previous: bool = False,
           negate: bool = False, bound: str | None = None) -> _Claim | None:  # fmt: skip
    """What the written number ``m`` states about ``fig``, or None when it states nothing comparable.

    ``mode`` is the meaning of the last keyword before it (level / up / down), ``rate``
    whether 增速/增幅 came before it, ``previous`` whether it is last year's value.
    """
    unit = m["unit"]
    places = _place_count(m)
    sign = -1 if m["sign"] else 1
    direction = -1 if mode == "down" else 1
    if previous:
        what = "previous"
    elif unit == "%" and fig.kind != "ratio" and (rate or mode in ("up", "down")):
        v = Decimal(_digits(m)) * sign * direction
        return _Claim(fig, "rate", v, places, Decimal(1), bound, None, m.group(0))
    elif unit == "个百分点":
        if fig.kind != "ratio" or mode not in ("up", "down"):
            return None
        v = Decimal(_digits(m)) * sign * direction
        return _Claim(fig, "points", v, places, Decimal(1), bound, None, m.group(0))
    elif mode in ("up", "down"):
        if fig.kind == "ratio":
            return None  # "强度提高0.7%": percent or points, unclear
        what = "diff"
    else:
        what = "level"
    written = _written_value(m, fig)
    if written is None:
        return None
    value, places = written
    if sign < 0 or (negate and what == "level") or (mode == "down" and what == "diff"):
        value = -value
    step = _step(m) if bound is None else None
    if step is not None:
        bound = "at_least"
    return _Claim(fig, what, value, places, _scale(m, fig), bound, step, m.group(0))


def _share_figure(st: _Clause, name: str, rules: _Rules, figs: Mapping[str, Figure]) -> str | None:
    """The derived ratio a share ("占营业收入的12.3%", "占比39.8%") states, or None."""
    part = st.share_part
    whole = st.cue[1] if st.cue is not None and st.cue[0] > st.share_at else None
    share = rules.shares.get((part, whole)) if part else None
    if share is None and part is not None and whole is None:
        share = rules.shares.get((part, None))
    if share is not None:
        return share
    return name if name in figs and figs[name].kind == "ratio" else None


def _expected_text(claim: _Claim) -> str:
    fig = claim.fig
    if claim.what == "level":
        if fig.kind in AMOUNT_KINDS and numfmt.amount_unit(fig.value) == "亿元":
            return f"{fig.display}（{numfmt.format_amount(fig.value, '万元')}）"
        return fig.display
    if claim.what == "previous":
        return f"上年为{fig.previous_display}"
    change = fig.change
    if claim.what == "diff" and fig.kind == "count":
        change = fig.added or change
    return f"本年{fig.display}、上年{fig.previous_display}，{change}"


def _limit_text(claim: _Claim) -> str:
    fig = claim.fig
    if claim.what == "level":
        return fig.display
    if claim.what == "previous":
        return fig.previous_display
    if claim.what == "diff" and fig.kind == "count":
        return fig.added or fig.change
    return fig.change


def _finding(claim: _Claim, phrase: str, sentence: str, heading: str, file: str | None) -> Finding:
    fig = claim.fig
    if claim.what == "level":
        expected = f"统计报表中“{fig.name}”为{_expected_text(claim)}"
        hint = (f"请核对后改为报表数值，或写成 {{{{ {fig.name} }}}} 由报表自动填入；"
                "按报表数值四舍五入到所写位数即视为一致")  # fmt: skip
    elif claim.what == "previous":
        expected = f"统计报表中“{fig.name}”{_expected_text(claim)}"
        hint = f"请核对上年数，或写成 {{{{ {fig.name} | 上年 }}}} 由报表自动填入"
    else:
        expected = f"按统计报表，“{fig.name}”{_expected_text(claim)}"
        filt = "新增" if claim.what == "diff" and fig.kind == "count" else "同比"
        hint = f"请核对后改为报表算出的变化，或写成 {{{{ {fig.name} | {filt} }}}} 由报表自动填入"
    return Finding(
        Severity.WARNING,
        "prose.figure_mismatch",
        f"正文写“{phrase}”，{expected}；所在句子：“{sentence}”",
        file=file,
        key=heading,
        hint=hint,
        measured=claim.written,
        limit=_limit_text(claim),
    )


def _direction_finding(fig: Figure, word: str, kind: str, phrase, sentence, heading, file) -> Finding | None:
    if fig.previous is None or not fig.available:
        return None
    c, p = _shown(fig, fig.value), _shown(fig, fig.previous)
    if kind == "up":
        ok = c > p
    elif kind == "down":
        ok = c < p
    else:
        ok = c == p or fig.change == "与上年持平" or (p and abs((c - p) / p) < Decimal("0.01"))
    if ok:
        return None
    return Finding(
        Severity.WARNING,
        "prose.figure_mismatch",
        f"正文写“{phrase}”，按统计报表，“{fig.name}”本年{fig.display}、上年{fig.previous_display}，"
        f"{fig.change or '与上年持平'}；所在句子：“{sentence}”",
        file=file,
        key=heading,
        hint=f"请核对增减方向，或写成 {{{{ {fig.name} | 同比 }}}} 由报表自动填入",
        measured=word,
        limit=fig.change,
    )


def _qualified(st: _Clause, tok: re.Match, rules: _Rules, name: str) -> bool:
    """Whether this cue directly follows a cue naming a part of the firms (规上企业营业收入)."""
    if st.cue is None or st.cue[0] != tok.start() or st.cue[1] is None:
        return False
    return st.cue[1] in rules.subgroups and name not in rules.subgroups


_QUOTE = 60  # characters of a long sentence quoted around the figure


def _phrase(norm: str, start: int, end: int) -> str:
    """The written phrase norm[start:end], at most _QUOTE characters (its end kept)."""
    start = max(start, end - _QUOTE)
    return norm[start:end].strip()


def _quote(sentence: str, norm: str, pos: int) -> str:
    """The sentence, or for a long one the part around ``pos``: bounded work per finding."""
    if len(sentence) <= 2 * _QUOTE:
        return sentence
    start = max(0, pos - _QUOTE)
    text = norm[start : pos + _QUOTE]
    return ("…" if start else "") + text + ("…" if pos + _QUOTE < len(norm) else "")


def _normalize_years(norm: str, year: int) -> str | None:
    """None when the sentence speaks of a year other than the report's or the one before."""
    last = str(year - 1)
    for y in _YEAR.findall(norm):
        if int(y) not in (year, year - 1):
            return None
    # "较2023年增长" reads as "较上年增长"; a bare "2023年" marks last year's value
    return norm.replace(f"较{last}年", "较上年").replace(f"比{last}年", "比上年").replace(f"{last}年", "上年")


def _sentence_findings(sentence: str, figs: Mapping[str, Figure], form: FormData, heading: str,
                       file: str | None, rules: _Rules, stated: set[str] | None = None) -> list[Finding]:  # fmt: skip
    """The mismatches of one sentence; ``stated`` collects the figures it states at their level as the form has them."""
    norm = unicodedata.normalize("NFKC", sentence)
    if any(w in norm for w in rules.skip_sentence_words) or (rules.skip_months and _MONTHS.search(norm)):
        return []
    norm = _normalize_years(norm, form.year)
    if norm is None:
        return []
    out: list[Finding] = []
    tokens = list(rules.token.finditer(norm))
    subject: str | None = None  # the sentence's subject so far (figure name)
    other = False  # a company / project / province named: the rest is not the cluster's
    st = _Clause()
    clause_start = 0
    last_end = 0
    for i, tok in enumerate(tokens):
        gap = norm[last_end : tok.start()]
        if gap.strip() and st.clean:
            st.clean = False
        last_end = tok.end()
        if tok["b"]:
            st = _Clause()
            clause_start = tok.end()
            if tok["b"] in "(（":  # an aside ("高于全省平均水平（2.1%）") does not inherit the subject
                st.clean = False
            continue
        if tok["l"]:
            continue
        if tok["w"]:
            word = tok["w"]
            kind, value = rules.words[word]
            if kind == _CUE:
                if value is not None and _qualified(st, tok, rules, value):
                    value = None  # "规上企业营业收入": the revenue of a part of the firms
                st.cue = (tok.end(), value)
                st.cue_start = tok.start()
                st.clean = False if value is None else st.clean
                if value is not None and not other:
                    subject = value
                continue
            if kind == "other":
                other = True
                continue
            if kind == "region":
                if st.clean and st.cue is None:
                    other = True
                continue
            if kind == "cluster":
                if st.clean and st.cue is None:
                    other = False
                st.clean = False
                continue
            if kind == "skip":
                st.skip = True
                continue
            if kind == "negate":
                st.negate = True
                continue
            if kind == "rate":
                st.rate = True
                continue
            if kind.startswith("bound_"):
                b = kind[6:]
                if b == "previous":
                    st.previous = True
                else:
                    st.bound, st.bound_end = b, tok.end()
                continue
            if kind == "previous":
                st.previous = True
                continue
            if kind.startswith("dir_"):
                name = st.cue[1] if st.cue else (subject if st.clean else None)
                fig = figs.get(name) if name and not other and not st.skip else None
                if fig is not None:
                    f = _direction_finding(fig, word, kind[4:], _phrase(norm, clause_start, tok.end()),
                                           _quote(sentence, norm, tok.start()), heading, file)  # fmt: skip
                    if f:
                        out.append(f)
                continue
            if kind == "share":
                st.mode, st.share_at = "share", tok.end()
                st.share_part = st.cue[1] if st.cue else subject
                continue
            if kind in ("level", "up", "down"):
                st.mode = kind
            continue  # filler
        # a number
        m = tok
        bound = st.bound if st.bound_end == m.start() else None
        previous = st.previous
        st.bound, st.previous = None, False
        if not (m["mult"] or m["unit"]) or st.skip or other:
            st.negate = False
            continue
        after = norm[m.end() : m.end() + 4]
        if after.startswith(rules.skip_after):
            st.negate = False
            continue
        for w, b in rules.after_bounds:
            if after.startswith(w) and bound is None:
                bound = b
        # the subject: a cue before it in this clause, a cue right after it, or the sentence's
        name = None
        if st.cue is not None and st.cue[1] is not None and m.start() - st.cue[0] <= _MAX_GAP:
            name = st.cue[1]
        elif st.cue is None:
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if nxt is not None and nxt["w"] and nxt.start() == m.end() and rules.words[nxt["w"]][0] == _CUE:
                name = rules.words[nxt["w"]][1]
            elif st.clean and subject is not None:
                name = subject
        if name is None:
            continue
        share = st.mode == "share"
        if share:
            name = _share_figure(st, name, rules, figs) if m["unit"] == "%" else None
        fig = figs.get(name) if name else None
        if fig is None or not fig.available:
            continue
        if share:
            claim = _claim(m, fig, "level", negate=st.negate, bound=bound)
        else:
            claim = _claim(m, fig, st.mode, rate=st.rate, previous=previous, negate=st.negate, bound=bound)
        st.negate = False
        if st.cue is not None:
            st.cue = (m.end(), st.cue[1])
        if claim is None:
            continue
        ok = _holds(claim, rules)
        if ok and stated is not None and claim.what == "level" and claim.bound is None:
            stated.add(claim.fig.name)
        if ok is False:
            start = st.cue_start if st.cue_start is not None else clause_start
            phrase = _phrase(norm, start, m.end())
            out.append(_finding(claim, phrase, _quote(sentence, norm, m.start()), heading, file))
    return out


def check_prose(texts: Mapping[str, str], form: FormData, *, file: str | None = None) -> list[Finding]:
    """Warnings for hand-written figures that disagree with the form (heading title → filled text)."""
    rules = _rules()
    figs = figures(form)
    out = []
    most = limit("text", "max_figures_per_sentence")
    for heading, text in texts.items():
        for sm in _SENTENCE.finditer(text or ""):
            sentence = sm.group(0).strip()
            if not sentence:
                continue
            if len(_DIGITS.findall(sentence)) > most:
                out.append(_crowded(sentence, heading, file, most))
                continue
            out += _sentence_findings(sentence, figs, form, heading, file, rules)
    return out


_DIGITS = re.compile(r"\d+")


def _crowded(sentence: str, heading: str, file: str | None, most: int) -> Finding:
    """One warning for a run-on sentence with more numbers than the check reads (data/limits.yaml)."""
    return Finding(
        Severity.WARNING,
        "prose.too_many_figures",
        f"一句话中的数字超过 {most} 个，未逐一与统计报表核对；句子开头：“{sentence[:40]}…”",
        file=file,
        key=heading,
        hint="请用句号把长句分开，每句只讲几个数字；分句后再检查",
    )


def stated_figures(text: str, form: FormData, figs: Mapping[str, Figure] | None = None) -> set[str]:
    """The form figures that ``text`` states at their level with the form's value, as
    :func:`check_prose` reads it: "营业收入126.9亿元" states 营业收入 when the form has
    1,268,500 万元. A figure written with another value, a change or a bound is not stated.
    """
    rules = _rules()
    figs = figures(form) if figs is None else figs
    out: set[str] = set()
    most = limit("text", "max_figures_per_sentence")
    for sm in _SENTENCE.finditer(text or ""):
        sentence = sm.group(0).strip()
        if sentence and len(_DIGITS.findall(sentence)) <= most:
            _sentence_findings(sentence, figs, form, "", None, rules, stated=out)
    return out
