import pytest
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse

pytestmark = pytest.mark.django_db


class ExampleForm(forms.Form):
    name = forms.CharField(help_text="As it appears on your passport")
    email = forms.EmailField()
    password = forms.CharField(widget=forms.PasswordInput)
    summary = forms.CharField(widget=forms.Textarea)
    colour = forms.ChoiceField(choices=[("red", "Red"), ("green", "Green")])
    agree = forms.BooleanField()
    mode = forms.ChoiceField(
        choices=[("a", "Secure room"), ("b", "Remote")], widget=forms.RadioSelect
    )
    tags = forms.MultipleChoiceField(
        choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple
    )
    starts = forms.DateField(widget=forms.SelectDateWidget)
    ends = forms.DateField()
    upload = forms.FileField()

    def clean(self):
        raise forms.ValidationError("Something about the whole form is wrong")


def test_form_renders_govuk_field_with_label_hint_and_input():
    html = str(ExampleForm()["name"].as_field_group())

    assert 'class="govuk-form-group"' in html
    assert '<label class="govuk-label" for="id_name">Name</label>' in html
    assert 'class="govuk-hint" id="id_name_helptext"' in html
    assert 'class="govuk-input"' in html
    assert 'aria-describedby="id_name_helptext"' in html


def test_form_field_error_renders_inline_with_hidden_prefix():
    form = ExampleForm(data={"name": "Ada"})
    form.is_valid()
    html = str(form["email"].as_field_group())

    assert "govuk-form-group--error" in html
    assert "govuk-input--error" in html
    assert 'id="id_email_error"' in html
    assert '<span class="govuk-visually-hidden">Error:</span> This field is required.' in html
    assert 'aria-describedby="id_email_error"' in html


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("summary", "govuk-textarea govuk-textarea--error"),
        ("colour", "govuk-select govuk-select--error"),
        ("agree", "govuk-checkboxes__input"),
        ("mode", "govuk-radios__input"),
        ("tags", "govuk-checkboxes__input"),
        ("starts", "govuk-date-input"),
        ("ends", "govuk-input govuk-input--width-10 govuk-input--error"),
        ("upload", "govuk-file-upload govuk-file-upload--error"),
        ("password", "govuk-password-input"),
    ],
)
def test_form_widget_renders_govuk_component(field, expected):
    form = ExampleForm(data={})
    form.is_valid()

    assert expected in str(form[field].as_field_group())


def test_form_keeps_typed_value_after_error():
    form = ExampleForm(data={"name": "Ada Lovelace"})
    form.is_valid()

    assert 'value="Ada Lovelace"' in str(form)


def test_error_summary_links_each_field_error_to_its_first_control():
    form = ExampleForm(data={"name": "Ada"})
    form.is_valid()
    html = render_to_string("components/error_summary.html", {"form": form})

    assert 'data-module="govuk-error-summary"' in html
    assert "Something about the whole form is wrong" in html
    assert 'href="#id_email"' in html
    assert 'href="#id_mode_0"' in html
    assert 'href="#id_tags_0"' in html
    assert 'href="#id_starts_' in html


def test_error_summary_is_empty_without_errors():
    html = render_to_string("components/error_summary.html", {"form": ExampleForm()})

    assert "govuk-error-summary" not in html


def test_sign_in_error_shows_summary_linking_to_field_and_keeps_typed_email(client):
    response = client.post(
        reverse("account_login"), {"login": "someone@example.ac.uk", "password": ""}
    )

    assert response.status_code == 200
    html = response.text
    assert "<title>Error: " in html
    assert 'class="govuk-error-summary"' in html
    assert 'href="#id_password"' in html
    assert 'value="someone@example.ac.uk"' in html
    assert "govuk-form-group--error" in html
