"""Reads the proposal pages, services and other apps share, each in a fixed number of queries."""

from django.contrib.auth import get_user_model
from django.db.models import Count, F, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from legislation.models import Dataset
from projects.models import DatasetRequest, Proposal, TeamMember
from researchers.selectors import users_without_second_factor


def proposal_members(proposal):
    """The co-ordinator and every team member who has accepted, each once, co-ordinator first."""
    accepted = (
        get_user_model()
        .objects.filter(
            project_memberships__proposal=proposal,
            project_memberships__accepted_at__isnull=False,
        )
        .exclude(pk=proposal.coordinator_id)
        .order_by("full_name", "email", "pk")
        .distinct()
    )
    return [proposal.coordinator, *accepted]


def _keys_of_proposals_for(user):
    """The keys of the proposals ``user`` co-ordinates or has joined, as a subquery."""
    coordinated = Proposal.objects.filter(coordinator=user).order_by().values("pk")
    joined = TeamMember.objects.filter(user=user, accepted_at__isnull=False).order_by()
    # One list of their proposals' keys, found through the indexes on the co-ordinator and the
    # team member: "co-ordinator or in the team" asked of each proposal reads the whole table.
    return coordinated.union(joined.values("proposal_id"))


def proposals_for_user(user):
    """Proposals ``user`` co-ordinates or has joined, newest first, with what the list shows."""
    return (
        Proposal.objects.filter(pk__in=_keys_of_proposals_for(user))
        .select_related("coordinator")
        .annotate(
            dataset_count=count_of(DatasetRequest.objects.all()),
            team_count=count_of(TeamMember.objects.filter(accepted_at__isnull=False)),
        )
        .order_by("-updated_at", "-pk")
    )


def count_of(rows, *, of="proposal"):
    """How many of ``rows`` (dataset requests, team members) belong to each row of the query
    it annotates (a proposal, unless ``of`` names another path from ``rows`` to it), as a
    subquery: counting through a join would group the whole list before it is paged, and the
    page's count would join the rows too. The database works it out for a page's rows alone."""
    counted = (
        rows.filter(**{of: OuterRef("pk")})
        .order_by()
        .values(of)
        .annotate(rows=Count("pk"))
        .values("rows")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# What a researcher's list of proposals shows of each, of the project it amends and of its
# co-ordinator: the rest of a proposal (its answers, long texts and JSON) is left unread.
LISTED_FIELDS = (
    "title",
    "version",
    "state",
    "amends__version",
    "amends__state",
    "coordinator__full_name",
    "coordinator__email",
)


def proposals_listed_for(user):
    """``proposals_for_user``, each amendment right after the project it amends: the newest
    project first, then its versions in order; only ``LISTED_FIELDS`` are read."""
    return (
        proposals_for_user(user)
        .select_related("amends")
        .only(*LISTED_FIELDS)
        .annotate(project_key=Coalesce("amends_id", "pk"))
        .order_by(F("project_key").desc(), "version", "pk")
    )


def proposals_grouped(proposals):
    """``proposals`` (a page of a list) as groups of consecutive rows of one project: the
    project, then its amendments. An amendment whose project is not on the page starts its own
    group."""
    groups = []
    for proposal in proposals:
        key = proposal.amends_id or proposal.pk
        if groups and (groups[-1][0].amends_id or groups[-1][0].pk) == key:
            groups[-1].append(proposal)
        else:
            groups.append([proposal])
    return groups


def decision_in_force(proposal):
    """The decision that put the version of ``proposal`` shown into force, or None: for a
    project whose approved amendment made it version 2 or later, the decision on that
    amendment; otherwise the proposal's own latest decision."""
    from projects.models import PanelDecision

    if proposal.amends_id is None and proposal.version > 1:
        decision = (
            PanelDecision.objects.filter(
                proposal__amends=proposal, proposal__version=proposal.version
            )
            .select_related("proposal")
            .order_by("-decided_at", "-pk")
            .first()
        )
        if decision is not None:
            return decision
    return proposal.decisions.select_related("proposal").first()


def proposal_get(*, pk):
    """One proposal with its co-ordinator, or 404."""
    return get_object_or_404(Proposal.objects.select_related("coordinator", "amends"), pk=pk)


def proposal_team(proposal):
    """Everyone invited onto the team, the co-ordinator first, with their accounts."""
    return list(
        proposal.team.select_related("user", "invited_by").order_by(
            # The co-ordinator's row sorts first.
            "role",
            "invited_at",
            "pk",
        )
    )


def proposal_dataset_requests(proposal):
    """The proposal's dataset requests, with each dataset's department and legal gateways."""
    return list(
        proposal.dataset_requests.select_related("dataset__department")
        .prefetch_related("dataset__acts")
        .order_by("dataset__name")
    )


def datasets_requestable(proposal):
    """Catalogue datasets the proposal has not requested yet."""
    return (
        Dataset.objects.exclude(requests__proposal=proposal)
        .select_related("department")
        .order_by("name")
    )


def invitation_get(*, token):
    """The open or answered invitation with ``token``, or 404."""
    if not token:
        raise Http404
    return get_object_or_404(
        TeamMember.objects.select_related("proposal__coordinator", "invited_by"), token=token
    )


def proposal_team_status(proposal):
    """Each team row with the accreditation that lasts to the proposal's end date (or None),
    and whether its person has set up two-factor authentication."""
    from projects.conditions import accreditation_lasting

    team = proposal_team(proposal)
    without = {user.pk for user in users_without_second_factor(m.user for m in team if m.user)}
    return [
        (
            member,
            accreditation_lasting(member.user, proposal.end_date) if member.user else None,
            member.user is not None and member.user.pk not in without,
        )
        for member in team
    ]


def invitations_open_for(user):
    """Unanswered invitations sent to ``user``'s email address, on proposals still being
    written: of each, what the lists of invitations show (its token, the proposal's title and
    who co-ordinates it)."""
    if not user.is_authenticated or not user.email:
        return TeamMember.objects.none()
    return (
        TeamMember.objects.filter(
            email__iexact=user.email,
            accepted_at__isnull=True,
            declined_at__isnull=True,
            proposal__state__in=Proposal.EDITABLE,
        )
        .select_related("proposal__coordinator")
        .only(
            "token",
            "proposal__title",
            "proposal__state",
            "proposal__coordinator__full_name",
            "proposal__coordinator__email",
        )
        .order_by("-invited_at")
    )


def projects_open_for(user):
    """Proposals and projects ``user`` co-ordinates or has joined that are not finished, the
    most recently changed first, in one query; of each only what the researcher's home shows
    and ``proposal_needs_from`` asks."""
    return (
        Proposal.objects.filter(pk__in=_keys_of_proposals_for(user))
        .exclude(state__in=Proposal.FINISHED)
        .only("title", "version", "state", "amends", "coordinator", "end_date")
        .order_by("-updated_at", "-pk")
    )


def proposal_needs_from(proposal, *, user):
    """What ``proposal`` needs from ``user`` now, in a sentence, or "" when it waits for
    someone else."""
    State = Proposal.State
    coordinating = proposal.coordinator_id == user.pk
    if proposal.state == State.DRAFT and coordinating:
        return "Finish the proposal and send it to the secretariat."
    if proposal.state == State.RETURNED and coordinating:
        return "Make the changes the secretariat asked for and send the proposal again."
    if (
        proposal.state in Proposal.APPROVED_NOT_STARTED
        and coordinating
        and proposal.amends_id is None
    ):
        return "Start the project."
    if proposal.state == State.ENDED:
        return "Record where the project's released outputs were published."
    return ""


def proposal_waiting_on(proposal):
    """Who the proposal waits for when it waits for someone outside the team, or ""."""
    State = Proposal.State
    return {
        State.SUBMITTED: "the secretariat",
        State.SCREENING: "the secretariat",
        State.DATA_OWNER_REVIEW: "the data owners",
        State.PANEL_REVIEW: "the Research Accreditation Panel",
    }.get(proposal.state, "")
