"""The shared foundation: data files load and agree with the seed's counts."""

from reportsmith.form import spec as formspec

from reportsmith.outline import headings as outline

from reportsmith.registry import clusters as registry
def test_registry_has_16_national_and_32_provincial_clusters():
    clusters = registry.load_clusters()
    assert [c.level for c in clusters].count("国家级") == 16
    assert [c.level for c in clusters].count("省级") == 32


def test_form_has_83_rows_of_which_77_take_a_value():
    assert len(formspec.form_rows()) == 83
    assert len(formspec.value_rows()) == 77


def test_outline_budgets_add_up_to_the_length_target():
    assert sum(h.budget for h in outline.headings()) == outline.length_rule().target
