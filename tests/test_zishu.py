"""The Word-compatible 字数 counter against every vector of the spec, plus properties."""

from __future__ import annotations

from pathlib import Path

import pytest
import textstat
from hypothesis import given, settings
from hypothesis import strategies as st

from reportsmith.checks.zishu import Counts, count, zishu

VECTORS = Path(__file__).parent / "fixtures" / "zishu_vectors.tsv"


def _vectors() -> list[tuple[str, int, str]]:
    rows = []
    for line in VECTORS.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        text, n, note = line.split("\t")
        rows.append((text, int(n), note))
    return rows


def test_every_spec_vector_is_in_the_fixture() -> None:
    # The spec table has 26 rows; a lost row would silently weaken the test below.
    assert len(_vectors()) == 26


@pytest.mark.parametrize(("text", "expected", "note"), _vectors(), ids=[v[0] for v in _vectors()])
def test_spec_vector(text: str, expected: int, note: str) -> None:
    assert zishu(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello 世界", Counts(3, 2, 7, 8)),
        ("中文　测试", Counts(4, 4, 4, 5)),  # U+3000: a space for 计空格, nothing for 字数
        ("東京2024オリンピック", Counts(9, 2, 12, 12)),
        ("第一行\n第二行", Counts(6, 6, 6, 6)),  # a line break is not a character
        ("a\tb", Counts(2, 0, 2, 3)),  # a tab is a space
        ("", Counts(0, 0, 0, 0)),
        ("   \n\u3000", Counts(0, 0, 0, 4)),
    ],
)
def test_all_four_figures(text: str, expected: Counts) -> None:
    assert count(text) == expected


def test_han_extensions_and_compatibility_ideographs_count_as_hanzi() -> None:
    # U+20000 (Extension B), U+F900 (compatibility ideograph), 〇 (U+3007)
    text = "\U00020000\uf900〇"
    assert count(text).hanzi == 3
    assert count(text).zishu == 3


def test_invisible_format_characters_neither_count_nor_split() -> None:
    assert zishu("R\u200bD") == 1  # zero-width space inside a run
    assert zishu("中\u200b文") == 2
    assert zishu("\ufeff中文") == 2  # a BOM at the start of pasted text


def test_runs_touching_chinese_count_once() -> None:
    assert zishu("GB/T9704规定") == 3
    assert zishu("共1,234.56万元") == 4


def test_textstat_alone_would_be_wrong_for_chinese() -> None:
    # Why the CJK rule is hand-written: textstat sees one "word" in a Chinese paragraph.
    paragraph = "集群营业收入稳步增长，创新能力持续提升。"
    assert textstat.lexicon_count(paragraph, removepunct=False) == 1
    assert zishu(paragraph) == 20


_alphabet = st.sampled_from(list("中文汉字测试，。、“”…—·ABCxyz0123.%&/-①②ＡＢ（）《》ー・ \t\u3000\u200b") + ["\U00020000"])
_text = st.text(alphabet=_alphabet, max_size=40)


@settings(max_examples=150, deadline=None)
@given(_text, _text)
def test_zishu_is_additive_over_whitespace(a: str, b: str) -> None:
    # A space between two texts can only separate: the counts add up.
    joined = count(a + " " + b)
    assert joined.zishu == zishu(a) + zishu(b)
    assert joined.chars_no_spaces == count(a).chars_no_spaces + count(b).chars_no_spaces
    assert joined.hanzi == count(a).hanzi + count(b).hanzi


@settings(max_examples=150, deadline=None)
@given(_text)
def test_figures_are_ordered(text: str) -> None:
    c = count(text)
    assert c.hanzi <= c.zishu <= c.chars_no_spaces <= c.chars_with_spaces <= len(text)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("中文，。“”")), min_size=1, max_size=30))
def test_pure_chinese_counts_every_character(text: str) -> None:
    assert zishu(text) == len(text)
