from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.http import Http404
from django.utils.html import escape
from django.utils.safestring import mark_safe


class GovukFormRenderer(TemplatesSetting):
    """Renders Django forms with GOV.UK Frontend markup from templates/django/forms/."""


class OnePassSelect(forms.Select):
    """Django's select, its options written in Python in one pass rather than by a template
    (and a dictionary) each, which took milliseconds a page for a list of tens or hundreds of
    choices. The same HTML, for choices without groups."""

    template_name = "django/forms/widgets/one_pass_select.html"

    def get_context(self, name, value, attrs):
        context = forms.Widget.get_context(self, name, value, attrs)
        chosen = set(context["widget"]["value"])
        context["widget"]["options"] = mark_safe(  # noqa: S308 -- every value is escaped
            "".join(
                f'\n  <option value="{escape(key)}"'
                f"{' selected' if str(key) in chosen else ''}>{escape(label)}</option>"
                for key, label in self.choices
            )
        )
        return context


class GovukDateInput(forms.MultiWidget):
    """GOV.UK's date input: day, month and year as three short text boxes.

    Use it on a ``forms.DateField``: the three parts are joined into an ISO date for the field to
    parse, so a date that does not exist ("31 2 2025") gets the field's own error message, and
    what was typed comes back unchanged on the page.
    """

    template_name = "django/forms/widgets/govuk_date.html"
    use_fieldset = True
    parts = ("day", "month", "year")

    def __init__(self, attrs=None):
        super().__init__({part: forms.TextInput() for part in self.parts}, attrs)

    def decompress(self, value):
        if not value:
            return [None, None, None]
        if isinstance(value, str):
            year, _, rest = value.partition("-")
            month, _, day = rest.partition("-")
            return [day, month, year]
        return [value.day, value.month, value.year]

    def value_from_datadict(self, data, files, name):
        day, month, year = (
            (value or "").strip() for value in super().value_from_datadict(data, files, name)
        )
        if not (day or month or year):
            return None
        return f"{year}-{month}-{day}"

    def value_omitted_from_data(self, data, files, name):
        return all(f"{name}_{part}" not in data for part in self.parts)


def posted_id(data, name):
    """The id of a row posted as ``name`` (the hidden field of a "Remove" button, say), or
    Http404: anything but a whole number names no row, so a tampered id is not found rather
    than a server error."""
    value = str(data.get(name) or "")
    if value.isdecimal() and len(value) <= 20:
        return int(value)
    raise Http404("No such item.")


# The largest id a row can have (a signed 64-bit integer, Django's BigAutoField).
LARGEST_ID = 2**63 - 1


class ModelMultipleIdChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses an id no row could have before it queries.

    Django reads the chosen rows with an ``IN`` query, which SQLite cannot run with an integer
    wider than 64 bits (an OverflowError, so a server error); such an id is not a choice.
    """

    def _check_values(self, value):
        for pk in value:
            text = str(pk).strip()
            if text.isdecimal() and int(text) > LARGEST_ID:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": text},
                )
        return super()._check_values(value)


def form_errors_add(form, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on ``form``: on the fields it names, and above the
    form what names no field of it."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
