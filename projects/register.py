"""The public register of accredited projects: what research the scheme has approved, by whom,
with which data and under which law.

Like the register of researchers, it is worked out from the projects themselves each time it is
read. A project is on it once a decision approved it (by the panel or, for a low-risk project,
by the secretariat under delegated authority) and stays on it, active, ended (its access over,
its released outputs still being published) and then closed, so the public record of what data
was used for is never rewritten. Amendments still being considered are not projects in force,
so they are left out; the project they amend keeps its place.

Each entry carries, besides the project's own fields:

- ``organisations``: the approved organisations of its co-ordinator and accepted team members;
- ``dataset_names`` and ``gateways``: the datasets it uses and the acts they are held under;
- ``decision_date`` and ``route``: when and how (``panel`` or ``fast_track``) it was approved;
- ``published_outputs``: the outputs published from it (title, citation, DOI, URL), which
  output checking supplies through ``hooks.published_outputs``.
"""

import django_filters
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from govuk.csv_export import csv_response
from legislation.models import Act, Dataset
from researchers.models import Organisation

from . import hooks
from .models import DatasetRequest, PanelDecision, Proposal, TeamMember

ENTRIES_PER_PAGE = 20
APPROVING_OUTCOMES = (
    PanelDecision.Outcome.APPROVED,
    PanelDecision.Outcome.APPROVED_WITH_CONDITIONS,
)
ROUTE_LABELS = {
    PanelDecision.Route.PANEL: "By the Research Accreditation Panel",
    PanelDecision.Route.FAST_TRACK: "By the secretariat under delegated authority (fast track)",
}


def _approving_decision():
    return PanelDecision.objects.filter(
        proposal=OuterRef("pk"), outcome__in=APPROVING_OUTCOMES
    ).order_by("-decided_at", "-pk")


def _team_in_organisation(name):
    """Projects whose co-ordinator or an accepted team member belongs to an approved
    organisation whose name contains ``name``."""
    approved = Organisation.Status.APPROVED
    member = TeamMember.objects.filter(
        proposal=OuterRef("pk"),
        accepted_at__isnull=False,
        declined_at__isnull=True,
        user__profile__organisation__status=approved,
        user__profile__organisation__name__icontains=name,
    )
    return Q(
        coordinator__profile__organisation__status=approved,
        coordinator__profile__organisation__name__icontains=name,
    ) | Q(Exists(member))


def register_projects():
    """Approved projects in force or closed, newest decision first, in a fixed number of
    queries however many there are (one for the projects, one each for their datasets with
    acts and their team).

    Amendments under consideration (``amends`` set) are left out. Read ``register_entry`` for
    the words of each entry.
    """
    accepted_team = TeamMember.objects.filter(
        accepted_at__isnull=False, declined_at__isnull=True
    ).select_related("user__profile__organisation")
    requests = DatasetRequest.objects.select_related("dataset").order_by("dataset__name")
    return (
        Proposal.objects.filter(state__in=Proposal.ON_REGISTER, amends__isnull=True)
        .annotate(
            decision_date=Coalesce(
                Subquery(_approving_decision().values("decided_at")[:1]), "decided_at"
            ),
            decision_route=Subquery(_approving_decision().values("route")[:1]),
        )
        .select_related("coordinator__profile__organisation")
        .prefetch_related(
            Prefetch("dataset_requests", queryset=requests),
            Prefetch(
                "dataset_requests__dataset__acts",
                queryset=Act.objects.order_by("year", "title"),
            ),
            Prefetch("team", queryset=accepted_team, to_attr="accepted_team"),
        )
        .order_by("-decision_date", "title", "pk")
    )


def _organisation_name(user):
    profile = getattr(user, "profile", None) if user is not None else None
    organisation = profile.organisation if profile is not None else None
    if organisation is None or organisation.status != Organisation.Status.APPROVED:
        # An organisation the secretariat has not approved is not named in public.
        return None
    return organisation.name


def register_entry(project):
    """Decorate a project from ``register_projects`` with what the register shows of it."""
    members = [project.coordinator, *(member.user for member in project.accepted_team)]
    names = {_organisation_name(user) for user in members} - {None}
    project.organisations = sorted(names)
    datasets = [request.dataset for request in project.dataset_requests.all()]
    project.dataset_names = [dataset.name for dataset in datasets]
    gateways = {}
    for dataset in datasets:
        for act in dataset.acts.all():
            gateways.setdefault(act.pk, act)
    project.gateways = list(gateways.values())
    route = project.decision_route or (
        PanelDecision.Route.FAST_TRACK if project.fast_tracked else PanelDecision.Route.PANEL
    )
    project.route = route
    project.route_label = ROUTE_LABELS.get(route, "")
    # Filled in for a whole page at once by ``with_published_outputs``.
    project.published_outputs = []
    return project


def with_published_outputs(entries):
    """``entries`` with each one's published outputs (title, citation, DOI, URL), which the
    apps built on projects supply through ``hooks.published_outputs``."""
    found = hooks.published_outputs_for(entries)
    for entry in entries:
        entry.published_outputs = found.get(entry.pk, [])
    return entries


class ProjectRegisterFilter(django_filters.FilterSet):
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
        return queryset.filter(_team_in_organisation(value))

    def filter_dataset(self, queryset, name, value):
        uses = DatasetRequest.objects.filter(
            proposal=OuterRef("pk"),
            dataset__in=Dataset.objects.filter(name__icontains=value),
        )
        return queryset.filter(Exists(uses))


def _filtered(query):
    """The register filter for ``query``, and whether its input can be used."""
    register_filter = ProjectRegisterFilter(query or None, queryset=register_projects())
    usable = not register_filter.is_bound or register_filter.form.is_valid()
    return register_filter, usable


def _without_page(query):
    query = query.copy()
    query.pop("page", None)
    return query


def register_list(request):
    register_filter, usable = _filtered(request.GET)
    page_obj = None
    entries = []
    if usable:
        # With a search in error the page shows the error and no project, rather than all.
        page_obj = Paginator(register_filter.qs, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
        entries = with_published_outputs(
            [register_entry(project) for project in page_obj.object_list]
        )
    form = register_filter.form
    searched = (
        usable
        and register_filter.is_bound
        and any(value not in (None, "") for value in form.cleaned_data.values())
    )
    return render(
        request,
        "projects/register/list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "entries": entries,
            "searched": searched,
            "csv_query": _without_page(request.GET).urlencode(),
        },
    )


CSV_HEADER = (
    "Title",
    "Lay summary",
    "Organisations",
    "Datasets",
    "Legal gateway",
    "Decision date",
    "Approved by",
    "Status",
    "Published outputs",
)
# Register entries are decorated with their published outputs this many at a time, so the
# CSV costs a fixed number of queries per batch however many projects it holds.
CSV_BATCH_SIZE = 500


def _published_output_text(output):
    where = f"https://doi.org/{output.doi}" if output.doi else output.url
    return f"{output.citation} ({where})" if where else output.citation


def _csv_row(entry):
    return (
        entry.title,
        entry.lay_summary,
        "; ".join(entry.organisations),
        "; ".join(entry.dataset_names),
        "; ".join(act.title for act in entry.gateways),
        timezone.localdate(entry.decision_date) if entry.decision_date else "",
        entry.route_label,
        entry.get_state_display(),
        "; ".join(_published_output_text(output) for output in entry.published_outputs),
    )


def _csv_entries(projects):
    """Register entries of ``projects`` with their published outputs, batch by batch."""
    batch = []
    for project in projects:
        batch.append(register_entry(project))
        if len(batch) == CSV_BATCH_SIZE:
            yield from with_published_outputs(batch)
            batch = []
    if batch:
        yield from with_published_outputs(batch)


def register_csv(request):
    """The projects the list's search selects, every page of them, as a streamed CSV file."""
    query = _without_page(request.GET)
    register_filter, usable = _filtered(query)
    if not usable:
        # The list explains what is wrong with the search.
        return redirect(f"{reverse('project_register:list')}?{query.urlencode()}")
    projects = register_filter.qs.iterator(chunk_size=CSV_BATCH_SIZE)
    return csv_response(
        header=CSV_HEADER,
        rows=(_csv_row(entry) for entry in _csv_entries(projects)),
        filename=f"accredited-projects-{timezone.localdate():%Y-%m-%d}.csv",
    )
