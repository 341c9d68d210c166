"""The search of the register of accredited researchers, shared by its page and its CSV."""

import django_filters

from accreditation.models import Accreditation, Level
from govuk.search import RowsReadFilterSet

from .selectors import register_entries


class RegisterFilter(RowsReadFilterSet):
    name = django_filters.CharFilter(
        label="Name",
        field_name="name",
        lookup_expr="icontains",
        help_text="All or part of the researcher's name",
    )
    organisation = django_filters.CharFilter(
        label="Organisation",
        field_name="organisation",
        lookup_expr="icontains",
        help_text="All or part of the organisation's name",
    )
    level = django_filters.ChoiceFilter(
        label="Accreditation",
        choices=Level.choices,
        empty_label="Full or provisional",
        error_messages={"invalid_choice": "Select full or provisional accreditation"},
    )

    class Meta:
        model = Accreditation
        fields = ["name", "organisation", "level"]


def register_filter(query):
    """The register's search for ``query`` (unbound when there is none)."""
    return RegisterFilter(query or None, rows=register_entries)
