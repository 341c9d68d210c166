"""The search of the register of accredited projects, shared by its page and its CSV."""

import django_filters
from django.db.models import Exists, OuterRef

from govuk.search import RowsReadFilterSet
from legislation.models import Dataset
from projects.models import DatasetRequest, Proposal

from .selectors import register_projects, team_in_organisation


class ProjectRegisterFilter(RowsReadFilterSet):
    title = django_filters.CharFilter(
        label="Title",
        field_name="title",
        lookup_expr="icontains",
        help_text="All or part of the project's title",
    )
    organisation = django_filters.CharFilter(
        label="Organisation",
        method="filter_organisation",
        help_text="All or part of the name of an organisation on the project's team",
    )
    dataset = django_filters.CharFilter(
        label="Dataset",
        method="filter_dataset",
        help_text="All or part of the name of a dataset the project uses",
    )
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=[(state.value, state.label) for state in Proposal.ON_REGISTER],
        empty_label="Any status",
        error_messages={"invalid_choice": "Select a status from the list"},
        field_name="state",
    )

    class Meta:
        model = Proposal
        fields = ["title", "organisation", "dataset", "status"]

    def filter_organisation(self, queryset, name, value):
        return queryset.filter(team_in_organisation(value))

    def filter_dataset(self, queryset, name, value):
        uses = DatasetRequest.objects.filter(
            proposal=OuterRef("pk"),
            dataset__in=Dataset.objects.filter(name__icontains=value),
        )
        return queryset.filter(Exists(uses))


def register_filter(query):
    """The register's search for ``query`` (unbound when there is none)."""
    return ProjectRegisterFilter(query or None, rows=register_projects)
