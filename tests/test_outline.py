"""The outline data (data/outline.yaml, data/rules.yaml) against 附件3 of the seed."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportsmith.outline import headings as outline
SEED = (Path(__file__).parent / "fixtures" / "seed.txt").read_text(encoding="utf-8")
ANNEX3 = SEED[SEED.index("附件3") :]
ANNEX3_LINES = [ln.strip() for ln in ANNEX3.splitlines() if ln.strip()]


def _requirement_after(numbered: str) -> str:
    """The seed's line after a heading line: its 包括… sentence."""
    i = ANNEX3_LINES.index(numbered)
    return ANNEX3_LINES[i + 1]


def test_headings_in_seed_order() -> None:
    numbered = [h.numbered for h in outline.headings()]
    positions = [ANNEX3.index(n) for n in numbered]
    assert positions == sorted(positions)
    # Every 一…五 heading line and （一）…（四） line of 附件3 is in the data, and nothing else.
    seed_headings = [
        ln for ln in ANNEX3_LINES[: ANNEX3_LINES.index("六、相关要求")]
        if ln[:2] in {"一、", "二、", "三、", "四、", "五、"} or ln.startswith("（")
    ]
    assert seed_headings == numbered


@pytest.mark.parametrize("heading", outline.content_headings(), ids=lambda h: h.title)
def test_requirement_is_the_seed_sentence(heading: outline.Heading) -> None:
    assert heading.requirement == _requirement_after(heading.numbered)


@pytest.mark.parametrize("heading", outline.content_headings(), ids=lambda h: h.title)
def test_topics_occur_in_the_sentence_in_order(heading: outline.Heading) -> None:
    sentence = _requirement_after(heading.numbered)
    pos = -1
    for topic in heading.topics:
        found = sentence.find(topic.name, pos + 1)
        assert found > pos, f"{topic.name} not found after position {pos} in {sentence}"
        pos = found
    assert heading.topics, "every content heading lists topics"


@pytest.mark.parametrize("heading", outline.content_headings(), ids=lambda h: h.title)
def test_every_topic_has_distinct_cues(heading: outline.Heading) -> None:
    for topic in heading.topics:
        assert topic.cues and len(set(topic.cues)) == len(topic.cues)


def test_container_and_parents() -> None:
    container = outline.find_heading("二、集群发展情况")
    assert container is not None and container.is_container
    subs = [h.title for h in outline.headings() if h.parent == container.title]
    assert subs == ["集群产业结构发展情况", "集群创新能力建设情况", "集群创新服务建设体系", "集群发展环境"]


def test_length_rule_comes_from_section_six() -> None:
    rule = outline.length_rule()
    assert "3500字左右" in ANNEX3 and rule.target == 3500
    assert [rule.band(n) for n in (3000, 3400, 4300, 3150, 3850, 2800, 4200)] == [
        "warn", "ok", "fail", "ok", "ok", "warn", "warn",
    ]
