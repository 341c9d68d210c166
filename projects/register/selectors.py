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

from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce

from legislation.models import Act
from projects import hooks
from projects.models import DatasetRequest, PanelDecision, Proposal, TeamMember
from researchers.models import Organisation

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


def team_in_organisation(name):
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
    """Approved projects in force or closed, by title (then by project, for two with the same
    title, so the register can be paged by the pair), in a fixed number of queries however
    many there are (one for the projects, one each for their datasets with acts and their
    team).

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
        .order_by("title", "pk")
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
