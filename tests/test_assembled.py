"""How a heading's text is printed: the data sentences as one lead paragraph."""

from pathlib import Path

import pytest

from reportsmith.outline import headings as outline
from reportsmith.records.assembled import AssembledSection
from reportsmith.form.load import load_form
from reportsmith.compute.highlights import section_sentences
from reportsmith.checks.zishu import zishu

INPUTS = Path(__file__).resolve().parents[1] / "inputs"


def test_data_sentences_form_one_lead_paragraph_before_the_writers_text():
    heading = outline.find_heading("集群总体情况")
    s = AssembledSection(heading, paragraphs=["第一段。", "第二段。"], highlights=["企业346家。", "营业收入12.35亿元。"])
    assert s.printed_paragraphs == ["企业346家。营业收入12.35亿元。", "第一段。", "第二段。"]


def test_without_data_sentences_only_the_writers_paragraphs_are_printed():
    heading = outline.find_heading("集群总体情况")
    assert AssembledSection(heading, paragraphs=["甲。"]).printed_paragraphs == ["甲。"]


@pytest.mark.parametrize("form_path", sorted(INPUTS.glob("*/form.yaml")), ids=lambda p: p.parent.name)
def test_joining_the_sentences_of_a_demo_form_keeps_their_zishu(form_path):
    # Joining is safe only because every sentence ends with a Chinese full stop, which
    # keeps the digit runs of neighbouring sentences apart.
    form, _ = load_form(form_path)
    for sentences in section_sentences(form).values():
        assert all(s.endswith("。") for s in sentences)
        assert zishu("".join(sentences)) == sum(zishu(s) for s in sentences)
