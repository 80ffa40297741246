"""Word-compatible 字数: the one counter every length figure in reportsmith uses.

附件3 asks for "字数控制在3500字左右", and reviewers read 字数 from Word's (or WPS's)
字数统计, so this module counts exactly as Word does.

Specification (the project's 字数 spec, kept here verbatim in substance)
------------------------------------------------------------------------
字数 = (number of East Asian characters, each counted once) + (number of maximal runs of
characters that are neither East Asian nor whitespace).

* East Asian: every character of the Han script (all extensions and compatibility
  ideographs), Hiragana, Katakana, Hangul, Bopomofo; the blocks CJK Symbols and Punctuation
  (U+3000–303F, but U+3000 is whitespace), Halfwidth and Fullwidth Forms (U+FF00–FFEF),
  Enclosed CJK Letters and Months, CJK Compatibility, CJK Compatibility Forms, Vertical
  Forms, Kangxi Radicals, CJK Radicals Supplement, Ideographic Symbols and Punctuation,
  Katakana Phonetic Extensions; and ・ ー.
* Also East Asian here: the punctuation Chinese input methods produce from shared code
  points — “ ” ‘ ’ — … · ― ◇. Word counts them by the East Asian font hint of the text they
  are typed in; in a Chinese report they are Chinese punctuation, so each counts 1. (Not
  confirmed on Word for every case; a decision kept in one data table so it can change.)
* Not East Asian: Enclosed Alphanumerics (①②③ is one run), Latin, digits, half-width
  punctuation.
* Whitespace (space, tab, line break, U+3000) separates runs and counts nothing.
* A run such as ``2024``, ``4.5%``, ``R&D``, ``1,234.56``, ``GB/T`` counts 1 however long
  it is, whether or not it touches Chinese text.

Also reported: 汉字 (Han characters only), 字符数(不计空格) (every character except
whitespace) and 字符数(计空格) (every character except paragraph marks and line breaks).

The sets live in ``data/zishu.yaml`` (scripts, blocks, extra characters and the
ambiguous-punctuation table) and are compiled into ``regex`` classes
(``\\p{Script=Han}``, ``\\p{Block=…}``).

Why the CJK rule is written here: textstat (like most English text statistics) splits
words on whitespace only, so it counts a whole Chinese paragraph as one word and one
sentence. We use textstat only for the part where its result is right — counting the
whitespace-separated runs of the non-East-Asian remainder (``lexicon_count`` with
``removepunct=False`` is ``len(text.split())``) — and count East Asian characters here.
No textstat function that needs syllables is used.

Choices beyond the spec: "whitespace" is what Python's ``str.isspace`` accepts (the same
split textstat uses, so the two never disagree); invisible format characters (Unicode
category Cf: zero-width space, BOM, soft hyphen) neither count nor split a run, as Word
does not show them as characters of a word.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache

import regex

from reportsmith.core.resources import load_data

# Paragraph marks and line breaks: the boundaries str.splitlines() knows. Word's
# 字符数(计空格) counts spaces and tabs but not these.
_LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")


@dataclass(frozen=True)
class Counts:
    """The four figures Word's 字数统计 shows, for one text.

    >>> count("Hello 世界")
    Counts(zishu=3, hanzi=2, chars_no_spaces=7, chars_with_spaces=8)
    """

    zishu: int
    hanzi: int
    chars_no_spaces: int
    chars_with_spaces: int

    def to_json(self) -> dict[str, int]:
        """The four figures under the keys ``reportsmith count --json`` prints."""
        return asdict(self)


def _escape_class_char(ch: str) -> str:
    return "\\" + ch if ch in "\\]-^[" else ch


def _lexicon_count(text: str) -> int:
    # Imported on first use: textstat loads a pronunciation dictionary when imported
    # (about 0.6 s), which commands that never count should not pay for.
    import textstat

    return textstat.lexicon_count(text, removepunct=False)


@lru_cache(maxsize=1)
def _patterns() -> tuple[regex.Pattern, regex.Pattern, regex.Pattern]:
    """(East Asian, Han, invisible format char) patterns, built from data/zishu.yaml."""
    data = load_data("zishu.yaml")
    parts = [f"\\p{{Script={s}}}" for s in data["scripts"]]
    parts += [f"\\p{{Block={b}}}" for b in data["blocks"]]
    chars = list(data["extra"]) + list(data["ambiguous_punctuation"])
    parts += [_escape_class_char(c) for c in chars]
    # V1 set difference: U+3000 lies in the CJK Symbols block but is whitespace.
    east_asian = regex.compile(f"(?V1)[[{''.join(parts)}]--[\\p{{White_Space}}]]")
    han = regex.compile(r"\p{Script=Han}")
    invisible = regex.compile(r"\p{Cf}")
    return east_asian, han, invisible


def count(text: str) -> Counts:
    """Count ``text`` as Word's 字数统计 does.

    >>> count("营业收入达到1234.56亿元，同比增长12.3%。").zishu
    16
    """
    east_asian, han, invisible = _patterns()
    n_east_asian = len(east_asian.findall(text))
    # Each East Asian character ends a run, so it becomes a separator; invisible format
    # characters are dropped so that they neither count nor split a run.
    remainder = east_asian.sub(" ", invisible.sub("", text))
    runs = _lexicon_count(remainder) if remainder.strip() else 0
    return Counts(
        zishu=n_east_asian + runs,
        hanzi=len(han.findall(text)),
        chars_no_spaces=sum(1 for ch in text if not ch.isspace()),
        chars_with_spaces=sum(1 for ch in text if ch not in _LINE_BREAKS),
    )


def zishu(text: str) -> int:
    """The 字数 of ``text`` (Word's rule).

    >>> zishu("“十四五”规划")
    7
    """
    return count(text).zishu

