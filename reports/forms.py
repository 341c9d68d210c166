import datetime

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils import timezone

from govuk.forms import GovukDateInput, OnePassSelect
from researchers.models import Organisation

MAX_MONTHS = 120


def default_range(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """This month and the eleven before it, up to today."""
    today = timezone.localdate() if today is None else today
    year, month = today.year, today.month - 11
    if month < 1:
        year, month = year - 1, month + 12
    return datetime.date(year, month, 1), today


class _OrganisationChoices(ModelChoiceIterator):
    """The organisations as (id, name) pairs, read in one query without making a model of each:
    the list has every approved organisation, hundreds of them at scale."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("pk", "name")


class OrganisationSelect(OnePassSelect):
    """The organisations' select: hundreds of options at scale, written in one pass."""


class OrganisationChoiceField(forms.ModelChoiceField):
    iterator = _OrganisationChoices
    widget = OrganisationSelect

    def label_from_instance(self, organisation):
        return organisation.name


class ReportFilterForm(forms.Form):
    """The report's filters: a date range (both ends included) and, optionally, an organisation.

    Read from the query string, so a filtered report has an address that can be shared.
    """

    date_from = forms.DateField(
        label="From",
        help_text="For example, 1 4 2026",
        widget=GovukDateInput,
        error_messages={
            "required": "Enter the date the report starts from",
            "invalid": "The start date must be a real date",
        },
    )
    date_to = forms.DateField(
        label="To",
        help_text="For example, 31 3 2027",
        widget=GovukDateInput,
        error_messages={
            "required": "Enter the date the report runs to",
            "invalid": "The end date must be a real date",
        },
    )
    organisation = OrganisationChoiceField(
        label="Organisation (optional)",
        queryset=Organisation.objects.filter(status=Organisation.Status.APPROVED),
        required=False,
        empty_label="All organisations",
        error_messages={"invalid_choice": "Choose an organisation from the list"},
    )

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to:
            if date_to < date_from:
                self.add_error(
                    "date_to", "The end date must be the same as or after the start date"
                )
            elif (
                date_to.year - date_from.year
            ) * 12 + date_to.month - date_from.month >= MAX_MONTHS:
                self.add_error("date_to", f"The report can cover at most {MAX_MONTHS // 12} years")
        return cleaned

    def filters(self):
        """The valid filters as JSON-ready values, as a PDF export keeps them."""
        organisation = self.cleaned_data.get("organisation")
        return {
            "date_from": self.cleaned_data["date_from"].isoformat(),
            "date_to": self.cleaned_data["date_to"].isoformat(),
            "organisation": organisation.pk if organisation else None,
        }


def filter_form(query, *, today=None):
    """The filter form for a query string: bound to it, or to the default range when the query
    names no filter, so the page always has filters to show and to apply."""
    names = ("date_from", "date_to", "organisation")
    if not any(key.startswith(names) for key in query):
        date_from, date_to = default_range(today)
        query = query_for({"date_from": date_from.isoformat(), "date_to": date_to.isoformat()})
    return ReportFilterForm(query)


def query_for(filters):
    """The query string items that select ``filters`` (as ``ReportFilterForm.filters`` gives)."""
    items = {}
    for name in ("date_from", "date_to"):
        day = datetime.date.fromisoformat(filters[name])
        items.update(
            {
                f"{name}_day": str(day.day),
                f"{name}_month": str(day.month),
                f"{name}_year": str(day.year),
            }
        )
    if filters.get("organisation"):
        items["organisation"] = str(filters["organisation"])
    return items
