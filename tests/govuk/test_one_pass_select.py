"""The select whose options are written in one pass gives Django's select, blank lines aside."""

import pytest
from django import forms

from govuk.forms import OnePassSelect

CHOICES = [("", "Any action"), ("a.b", "Gave a <role>"), ("c&d", 'Took "it" away')]


def _lines(html):
    return [line for line in str(html).splitlines() if line.strip()]


@pytest.mark.parametrize("value", [None, "", "a.b", "c&d", "not offered"])
def test_one_pass_select_writes_what_django_select_writes(value):
    attrs = {"class": "govuk-select", "id": "id_action"}
    ours = OnePassSelect(choices=CHOICES).render("action", value, attrs)
    django = forms.Select(choices=CHOICES).render("action", value, attrs)

    assert _lines(ours) == _lines(django)
