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

from django.db.models import Case, CharField, Exists, F, OuterRef, Prefetch, Q, Subquery, When
from django.db.models.functions import Coalesce

from govuk.search import kept_results_renew
from legislation.models import Act
from projects import hooks
from projects.models import DatasetRequest, PanelDecision, Proposal, TeamMember
from researchers.models import Organisation


def register_changed(event):
    """After a committed transition: a step of a project (an approval, a suspension, a
    closure) or of an output request (a publication) sets the registers' kept results aside, so
    it shows at once."""
    if event.label.startswith(("projects.", "outputs.")):
        kept_results_renew()


APPROVING_OUTCOMES = (
    PanelDecision.Outcome.APPROVED,
    PanelDecision.Outcome.APPROVED_WITH_CONDITIONS,
)
ROUTE_LABELS = {
    PanelDecision.Route.PANEL: "By the Research Accreditation Panel",
    PanelDecision.Route.FAST_TRACK: "By the secretariat under delegated authority (fast track)",
}


# What an entry shows of a project, read alone: a page holds dozens of projects, and reading
# every column of each (the proposal's long answers) and a whole account, profile and
# organisation for each member of their teams cost more than the rest of the page. A field an
# entry starts to show goes here too, or each entry reads it with a query of its own (the
# query-count tests catch that).
PROJECT_SHOWN = ("title", "lay_summary", "state", "fast_tracked", "decided_at")


def _organisation_shown(person):
    """The name of the organisation of ``person`` (a path to a user), or None when the
    secretariat has not approved it (or they have none): an organisation not yet approved is
    not named in public."""
    organisation = f"{person}__profile__organisation"
    return Case(
        When(
            **{f"{organisation}__status": Organisation.Status.APPROVED},
            then=F(f"{organisation}__name"),
        ),
        default=None,
        output_field=CharField(),
    )


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
    accepted_team = (
        TeamMember.objects.filter(accepted_at__isnull=False, declined_at__isnull=True)
        .annotate(organisation_name=_organisation_shown("user"))
        .only("proposal")
        .order_by()
    )
    requests = (
        DatasetRequest.objects.select_related("dataset")
        .only("proposal", "dataset__name")
        .order_by("dataset__name")
    )
    return (
        Proposal.objects.filter(state__in=Proposal.ON_REGISTER, amends__isnull=True)
        .only(*PROJECT_SHOWN)
        .annotate(
            coordinator_organisation=_organisation_shown("coordinator"),
            decision_date=Coalesce(
                Subquery(_approving_decision().values("decided_at")[:1]), "decided_at"
            ),
            decision_route=Subquery(_approving_decision().values("route")[:1]),
        )
        .prefetch_related(
            # Into lists (``to_attr``), not managers: a manager makes a queryset for every
            # project and dataset of the page, which cost more than reading them.
            Prefetch("dataset_requests", queryset=requests, to_attr="requests_shown"),
            Prefetch(
                "requests_shown__dataset__acts",
                queryset=Act.objects.only("slug", "title").order_by("year", "title"),
                to_attr="acts_shown",
            ),
            Prefetch("team", queryset=accepted_team, to_attr="accepted_team"),
        )
        .order_by("title", "pk")
    )


def register_entry(project):
    """Decorate a project from ``register_projects`` with what the register shows of it."""
    names = {member.organisation_name for member in project.accepted_team}
    project.organisations = sorted({project.coordinator_organisation, *names} - {None})
    datasets = [request.dataset for request in project.requests_shown]
    project.dataset_names = [dataset.name for dataset in datasets]
    gateways = {}
    for dataset in datasets:
        for act in dataset.acts_shown:
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
