import datetime

from django import forms
from django.template.loader import render_to_string

from govuk.forms import GovukDateInput


class ProjectDatesForm(forms.Form):
    starts = forms.DateField(widget=GovukDateInput, help_text="For example, 27 3 2026")


def test_date_input_reads_day_month_and_year():
    form = ProjectDatesForm(data={"starts_day": "5", "starts_month": "1", "starts_year": "2027"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["starts"] == datetime.date(2027, 1, 5)


def test_date_input_refuses_a_date_that_does_not_exist_and_keeps_what_was_typed():
    form = ProjectDatesForm(data={"starts_day": "31", "starts_month": "2", "starts_year": "2027"})

    assert not form.is_valid()
    html = str(form)
    assert "govuk-form-group--error" in html
    assert 'value="31"' in html
    assert 'value="2"' in html
    assert 'value="2027"' in html
    assert html.count("govuk-input--error") == 3


def test_date_input_left_blank_is_required():
    form = ProjectDatesForm(data={})

    assert not form.is_valid()
    assert form.errors["starts"] == ["This field is required."]


def test_date_input_renders_govuk_markup_with_hint_on_the_fieldset():
    html = str(ProjectDatesForm(initial={"starts": datetime.date(2026, 3, 27)}))

    assert (
        '<fieldset class="govuk-fieldset" role="group" aria-describedby="id_starts_helptext">'
        in html
    )
    assert 'class="govuk-date-input" id="id_starts"' in html
    for index, (label, width, value) in enumerate(
        [("Day", 2, 27), ("Month", 2, 3), ("Year", 4, 2026)]
    ):
        assert f'for="id_starts_{index}">' in html
        assert label in html
        assert f'govuk-input--width-{width}" id="id_starts_{index}"' in html
        assert f'value="{value}"' in html


def test_error_summary_links_date_input_to_the_day():
    form = ProjectDatesForm(data={"starts_day": "x"})
    form.is_valid()

    html = render_to_string("components/error_summary.html", {"form": form})

    assert 'href="#id_starts_0"' in html
