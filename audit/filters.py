import django_filters
from django import forms

from govuk.forms import OnePassSelect

from . import selectors
from .describe import action_describe, object_type_describe
from .models import AuditEvent

DATE_HINT = "For example, 27/3/2026"
# What people type for a date: day first, as in the hint, or the ISO form links carry.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d %m %Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]


class AuditEventFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", "Date to must be the same as or after date from")
        return cleaned


def _date_filter(label, lookup_expr):
    return django_filters.DateFilter(
        label=label,
        field_name="created_at",
        # __date compares in the service's time zone, the day a user sees on the page.
        lookup_expr=f"date__{lookup_expr}",
        # A text box with a hint rather than the browser's date picker, which GOV.UK advises
        # against; the value stays as typed when there is an error.
        widget=forms.DateInput(format="%d/%m/%Y"),
        help_text=DATE_HINT,
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": f"{label} must be a real date"},
    )


class AuditEventFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(
        label="Actor email contains",
        field_name="actor__email",
        lookup_expr="icontains",
    )
    action = django_filters.ChoiceFilter(
        label="Action",
        empty_label="Any action",
        widget=OnePassSelect,
        error_messages={"invalid_choice": "Select an action from the list"},
    )
    object_type = django_filters.ChoiceFilter(
        label="Object type",
        empty_label="Any object type",
        widget=OnePassSelect,
        error_messages={"invalid_choice": "Select an object type from the list"},
    )
    object_id = django_filters.CharFilter(
        label="Object ID",
        help_text="The object's number, as shown in the Object column",
    )
    date_from = _date_filter("Date from", "gte")
    date_to = _date_filter("Date to", "lte")

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "object_type", "object_id", "date_from", "date_to"]
        form = AuditEventFilterForm

    def __init__(self, *args, latest=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only what has been recorded; read once here, before the form is built.
        # Chosen by their words, sorted as read; the codes stay in the address. ``latest`` is
        # the latest event's key, when the caller has read it already.
        actions, object_types = selectors.values_present(latest=latest)
        self.filters["action"].extra["choices"] = sorted(
            ((a, action_describe(a)) for a in actions),
            key=lambda choice: choice[1],
        )
        self.filters["object_type"].extra["choices"] = sorted(
            ((t, object_type_describe(t)) for t in object_types),
            key=lambda choice: choice[1],
        )
