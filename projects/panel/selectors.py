"""Reads for the Research Accreditation Panel: who may be assigned, who is, and what each
reviewer has before them, each in a fixed number of queries."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Prefetch, Q
from django.shortcuts import get_object_or_404

from identity.roles import Role
from projects.models import (
    DatasetRequest,
    EthicsQuestion,
    Proposal,
    Purpose,
    ReviewerAssignment,
    TeamMember,
)
from projects.panel.permissions import check_user_can_read_as_reviewer

if TYPE_CHECKING:
    from researchers.models import User

PANEL_SIZE = 3


def proposal_for_panel(*, pk):
    """The proposal with its co-ordinator, for the secretariat's panel page, or 404."""
    return get_object_or_404(Proposal.objects.select_related("coordinator"), pk=pk)


def assignments_active(proposal):
    """The reviewers on the proposal's panel, with their organisations and recommendations, in
    assignment order: those assigned now, and those whose recommendation stands after they lost
    the role."""
    return (
        ReviewerAssignment.objects.filter(proposal=proposal)
        .on_panel()
        .select_related("reviewer__profile__organisation", "recommendation", "assigned_by")
        .order_by("assigned_at", "pk")
    )


def assignments_removed(proposal):
    """Reviewers who were on the proposal and are no longer: unassigned, conflicted, or gone
    with the panel-reviewer role before recommending."""
    return (
        ReviewerAssignment.objects.filter(
            proposal=proposal, removed_at__isnull=False, recommendation_stands=False
        )
        .select_related("reviewer")
        .order_by("removed_at", "pk")
    )


def team_user_ids(proposal):
    """Ids of the people on the project: its co-ordinator and every member who has joined."""
    ids = {proposal.coordinator_id}
    ids.update(
        proposal.team.filter(user__isnull=False, declined_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    return ids


def team_invited_emails(proposal):
    """Addresses invited onto the team and not declined, joined or not."""
    return {
        email.lower()
        for email in proposal.team.filter(declined_at__isnull=True).values_list("email", flat=True)
    }


def team_organisation_ids(proposal):
    """Ids of the organisations the project's team members belong to."""
    return set(
        get_user_model()
        .objects.filter(pk__in=team_user_ids(proposal), profile__organisation__isnull=False)
        .values_list("profile__organisation_id", flat=True)
    )


def conflicted_reviewers(proposal):
    """Ids of the reviewers who declared a conflict of interest in ``proposal``, as a subquery.

    A declared conflict outlives the assignment it ended: the reviewer is never offered or
    assigned to the proposal again, after a return for changes included.
    """
    return ReviewerAssignment.objects.filter(proposal=proposal, conflict_declared=True).values(
        "reviewer_id"
    )


def reviewer_refusal(proposal: Proposal, reviewer: "User") -> str:
    """Why ``reviewer`` may not review ``proposal``, as a sentence, or "" when they may."""
    if not reviewer.is_active or not reviewer.groups.filter(name=Role.PANEL_REVIEWER).exists():
        return f"{reviewer.get_full_name()} is not a panel reviewer."
    if conflicted_reviewers(proposal).filter(reviewer_id=reviewer.pk).exists():
        return (
            f"{reviewer.get_full_name()} declared a conflict of interest in this proposal, so "
            "cannot review it."
        )
    if reviewer.pk in team_user_ids(proposal) or reviewer.email.lower() in team_invited_emails(
        proposal
    ):
        return f"{reviewer.get_full_name()} is on the project's team, so cannot review it."
    if proposal.exclude_team_organisations:
        organisation_id = (
            get_user_model()
            .objects.filter(pk=reviewer.pk)
            .values_list("profile__organisation_id", flat=True)
            .first()
        )
        if organisation_id is not None and organisation_id in team_organisation_ids(proposal):
            return (
                f"{reviewer.get_full_name()} is from the organisation of a member of the "
                "project's team, and this proposal excludes reviewers from the team's "
                "organisations."
            )
    return ""


def reviewers_eligible(proposal):
    """Panel reviewers who may be assigned to ``proposal`` now: not on its team, not already on
    its panel, never one who declared a conflict of interest in it, and, when the proposal
    excludes them, not from a team member's organisation."""
    users = (
        get_user_model()
        .objects.filter(groups__name=Role.PANEL_REVIEWER, is_active=True)
        .exclude(pk__in=team_user_ids(proposal))
        .exclude(pk__in=conflicted_reviewers(proposal))
        .exclude(
            pk__in=ReviewerAssignment.objects.filter(proposal=proposal)
            .on_panel()
            .values("reviewer_id")
        )
    )
    emails = team_invited_emails(proposal)
    if emails:
        query = Q()
        for email in emails:
            query |= Q(email__iexact=email)
        users = users.exclude(query)
    if proposal.exclude_team_organisations:
        organisations = team_organisation_ids(proposal)
        if organisations:
            users = users.exclude(profile__organisation_id__in=organisations)
    return users.select_related("profile__organisation").order_by("full_name", "email").distinct()


def assignment_for_reviewer(*, pk, user):
    """(proposal, assignment) when ``user`` is an assigned reviewer of proposal ``pk``, else 404.

    The panel-reviewer role and a current assignment are both needed: a
    reviewer who was unassigned, declared a conflict or lost the role is told the proposal does
    not exist.
    """
    proposal = get_object_or_404(Proposal.objects.select_related("coordinator"), pk=pk)
    check_user_can_read_as_reviewer(user, proposal)
    assignment = (
        ReviewerAssignment.objects.filter(proposal=proposal, reviewer=user, removed_at__isnull=True)
        .select_related("recommendation")
        .get()
    )
    return proposal, assignment


def recommendations_of_others(assignment):
    """The other panel members' submitted recommendations on the same proposal."""
    return (
        ReviewerAssignment.objects.filter(
            proposal_id=assignment.proposal_id, recommendation__isnull=False
        )
        .on_panel()
        .exclude(pk=assignment.pk)
        .select_related("reviewer", "recommendation")
        .order_by("assigned_at", "pk")
    )


def reviewer_queue_for(user):
    """``user``'s current assignments, soonest due first, each with its proposal and any
    recommendation, in one query."""
    return (
        ReviewerAssignment.objects.filter(reviewer=user, removed_at__isnull=True)
        .select_related("proposal", "proposal__coordinator", "recommendation")
        .order_by(F("due_date").asc(nulls_last=True), "assigned_at", "pk")
    )


def reviewer_grants_held(reviewer):
    """``reviewer``'s current assignments: what the panel-reviewer role gives, and taking it
    away ends."""
    return list(ReviewerAssignment.objects.filter(reviewer=reviewer, removed_at__isnull=True))


def proposal_for_review_page(proposal):
    """The proposal's datasets and team for the read-only view, fetched once each."""
    return (
        Proposal.objects.filter(pk=proposal.pk)
        .select_related("coordinator")
        .prefetch_related(
            Prefetch("dataset_requests", queryset=_dataset_requests()),
            Prefetch("team", queryset=TeamMember.objects.select_related("user")),
        )
        .get()
    )


def _dataset_requests():
    return DatasetRequest.objects.select_related("dataset").order_by("pk")


def proposal_purposes_and_ethics(proposal):
    """(purpose labels, [(ethics question label, answer dict)]) for showing a proposal."""
    labels = dict(Purpose.choices)
    purposes = [labels.get(value, value) for value in proposal.purposes or []]
    answers = proposal.ethics or {}
    ethics = [
        (label, answers[value]) for value, label in EthicsQuestion.choices if value in answers
    ]
    return purposes, ethics


def reviews_waiting_count(user):
    """How many proposals with the panel wait for ``user``'s conflict answer or recommendation."""
    return (
        reviewer_queue_for(user)
        .filter(proposal__state=Proposal.State.PANEL_REVIEW, recommendation__isnull=True)
        .count()
    )


@dataclass
class PanelQueue:
    """How many proposals with the panel wait in one of its queues, and the first few of them,
    the longest waiting first."""

    count: int
    first: list


def panel_queues(*, shown):
    """The two queues of proposals with the panel, read together in two queries however many
    there are: those short of reviewers (fewer than three on the panel, or none of them
    independent), each with ``panel_size`` and ``panel_independent``; and those ready for the
    secretariat to record the decision (three recommendations in, at least one independent).
    Returned as ``(short, ready)`` ``PanelQueue``s, each with its ``shown`` first proposals.

    The panel's counts are taken over the proposal's key alone, so the grouping carries no
    proposal text; each assignment has at most one recommendation, so nothing is counted
    twice. Which queue a proposal is in is decided here rather than in the database: the
    proposals with the panel are the panel's work in hand, a few hundred at most."""
    on_panel = Q(assignments__removed_at__isnull=True) | Q(assignments__recommendation_stands=True)
    recommended = on_panel & Q(assignments__recommendation__isnull=False)
    independent = Q(assignments__independent=True)
    panels = (
        Proposal.objects.filter(state=Proposal.State.PANEL_REVIEW)
        .values("pk")
        .annotate(
            size=Count("assignments", filter=on_panel),
            size_independent=Count("assignments", filter=on_panel & independent),
            recommended=Count("assignments", filter=recommended),
            recommended_independent=Count("assignments", filter=recommended & independent),
        )
        .order_by(F("submitted_at").asc(nulls_last=True), "created_at", "pk")
        .values_list("pk", "size", "size_independent", "recommended", "recommended_independent")
    )
    short, ready = [], []
    for pk, size, size_independent, recommended_count, recommended_independent in panels:
        if size < PANEL_SIZE or not size_independent:
            short.append((pk, size, size_independent))
        if recommended_count >= PANEL_SIZE and recommended_independent:
            ready.append((pk, size, size_independent))
    first = (short[:shown], ready[:shown])
    proposals = Proposal.objects.only("pk", "title", "state", "submitted_at").in_bulk(
        [pk for rows in first for pk, _, _ in rows]
    )

    def listed(rows):
        listed = []
        for pk, size, size_independent in rows:
            proposal = proposals[pk]
            proposal.panel_size = size
            proposal.panel_independent = size_independent
            listed.append(proposal)
        return listed

    return (
        PanelQueue(count=len(short), first=listed(first[0])),
        PanelQueue(count=len(ready), first=listed(first[1])),
    )


def proposal_outline(proposal):
    """What an assigned reviewer sees before declaring whether they have a conflict of interest:
    the names of the people on the project and their organisations, in two queries.

    Returns ``{"people": [name, ...], "organisations": [name, ...]}``, the co-ordinator first,
    then the members who joined, by name; the organisations once each, by name.
    """
    members = {
        member.user_id: member.user
        for member in proposal.team.filter(
            user__isnull=False, accepted_at__isnull=False, declined_at__isnull=True
        ).select_related("user__profile__organisation")
    }
    coordinator = members.pop(proposal.coordinator_id, None)
    if coordinator is None:
        coordinator = (
            get_user_model()
            .objects.select_related("profile__organisation")
            .get(pk=proposal.coordinator_id)
        )
    people = [
        coordinator,
        *sorted(members.values(), key=lambda user: (user.get_full_name(), user.email)),
    ]
    organisations = {user_organisation(user) for user in people} - {None}
    return {
        "people": [user.get_full_name() or user.email for user in people],
        "organisations": sorted(str(organisation) for organisation in organisations),
    }


def user_organisation(user):
    """``user``'s organisation from their profile, or None (select_related it first)."""
    # A missing profile raises RelatedObjectDoesNotExist, an AttributeError.
    profile = getattr(user, "profile", None)
    return getattr(profile, "organisation", None)
