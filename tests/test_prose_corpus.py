"""The prose-figure check on the labelled corpus: targets met on the held-aside part."""

from prose_corpus import PARTS, items, score


def test_the_corpus_is_large_enough_and_a_third_is_held_aside():
    sizes = {p: len(items(p)) for p in PARTS}
    assert sum(sizes.values()) >= 150
    assert sizes["heldout"] >= 0.3 * sum(sizes.values())
    for p in PARTS:  # both labels in both parts
        assert {i.label for i in items(p)} == {"contradiction", "consistent"}


def test_held_aside_recall_and_false_alarms_meet_the_targets():
    s = score("heldout")
    assert s.recall >= 0.90, [i.text for i in s.missed]
    assert s.false_alarm_rate <= 0.02, [(i.text, f) for i, f in s.wrongly_flagged]
