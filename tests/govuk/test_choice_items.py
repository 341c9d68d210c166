"""Radios and checkboxes written in one pass of Python give the markup the per-option templates
gave (Django's input.html for each option, then its label)."""

import pytest
from django import forms
from django.template import engines
from django.utils.safestring import mark_safe

# templates/django/forms/widgets/multiple_input.html as it was, a template per option.
BY_TEMPLATE = """
{% if "radio" in widget.template_name %}
  <div class="govuk-radios" data-module="govuk-radios">
    {% for group, options, index in widget.optgroups %}{% for option in options %}
      <div class="govuk-radios__item">
        {% include "django/forms/widgets/input.html" with widget=option %}
        <label class="govuk-label govuk-radios__label"
          for="{{ option.attrs.id }}">{{ option.label }}</label>
      </div>
    {% endfor %}{% endfor %}
  </div>
{% else %}
  <div class="govuk-checkboxes" data-module="govuk-checkboxes">
    {% for group, options, index in widget.optgroups %}{% for option in options %}
      <div class="govuk-checkboxes__item">
        {% include "django/forms/widgets/input.html" with widget=option %}
        <label class="govuk-label govuk-checkboxes__label"
          for="{{ option.attrs.id }}">{{ option.label }}</label>
      </div>
    {% endfor %}{% endfor %}
  </div>
{% endif %}
"""

CHOICES = [
    ("plain", "Plain"),
    ('odd <value> & "quoted"', "A <b>label</b> & more"),
    ("safe", mark_safe("Already <em>safe</em>")),
    (3, "A number"),
    ("", "Nothing"),
]
ATTRS = {
    "id": "id_field",
    "class": "govuk-checkboxes__input",
    "aria-describedby": "id_field_helptext id_field_error",
    "required": True,
    "data-left-out": False,
}


def words(html):
    return " ".join(html.split()).replace("> <", "><")


@pytest.mark.parametrize("widget_class", [forms.RadioSelect, forms.CheckboxSelectMultiple])
@pytest.mark.parametrize("value", [None, "plain", ['odd <value> & "quoted"', 3]])
def test_choice_items_are_the_markup_the_templates_wrote(widget_class, value):
    widget = widget_class(choices=CHOICES)
    by_template = engines["django"].from_string(BY_TEMPLATE)

    written = widget.render("field", value, attrs=ATTRS)
    expected = by_template.render(widget.get_context("field", value, ATTRS))

    assert words(written) == words(expected)
    assert "checked" in written or value is None
