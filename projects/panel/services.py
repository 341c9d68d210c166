"""Every change the Research Accreditation Panel makes to a proposal.

The secretariat assigns and unassigns reviewers (a current assignment is what lets a reviewer
review that one proposal, and unassignment ends it), reviewers declare conflicts of
interest and submit recommendations, and the secretariat records the decision. Taking the
panel-reviewer role away ends all of a reviewer's assignments (``role_grants.py``). Each function
locks the proposal, checks who is asking, writes the audit event and queues the emails inside
one ``transaction.atomic()``. Refusals: PermissionDenied for the wrong person,
``TransitionRefused`` with sentences for a step not possible yet, ``ValidationError`` for bad
input.
"""

import datetime
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.services import audit_record
from notifications.services import notifications_done, notify
from projects import conditions, notices
from projects.amendment.services import amendment_apply
from projects.models import PanelDecision, Proposal, Recommendation, ReviewerAssignment
from projects.panel.permissions import check_user_can_review, check_user_can_run_panel
from projects.panel.selectors import PANEL_SIZE, reviewer_refusal
from researchers.models import User
from researchers.permissions import check_user_can_manage_roles
from workflow.errors import TransitionRefused
from workflow.graph import sentence
from workflow.services import transition_fire

State = Proposal.State

# What the secretariat may decide, the transition each fires and the decision it records.
DECISIONS = {
    "approve": ("approve", PanelDecision.Outcome.APPROVED),
    "approve_with_conditions": (
        "approve_with_conditions",
        PanelDecision.Outcome.APPROVED_WITH_CONDITIONS,
    ),
    "reject": ("reject", PanelDecision.Outcome.REJECTED),
    "return": ("return_to_coordinator", PanelDecision.Outcome.RETURNED),
}
SCORES = (
    "score_public_benefit",
    "score_analytical_merit",
    "score_feasibility",
    "score_privacy_risk_mitigation",
    "score_ethics",
)


def _lock_proposal(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().get(pk=proposal.pk)


def _lock_assignment(assignment: ReviewerAssignment) -> ReviewerAssignment:
    # The assignment's row alone: callers hold the proposal's lock already, and locking the
    # reviewer's row after it would wait on a role being taken away, which locks the reviewer
    # first and the proposal next.
    return (
        ReviewerAssignment.objects.select_for_update(of=("self",))
        .select_related("proposal", "reviewer")
        .get(pk=assignment.pk)
    )


def _required(value: str | None, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _refuse_unless_panel_review(proposal: Proposal) -> None:
    if proposal.state != State.PANEL_REVIEW:
        raise TransitionRefused(
            [
                f"This proposal is {proposal.get_state_display().lower()}, so its panel "
                "cannot be changed now."
            ]
        )


# The secretariat is asked to assign a replacement reviewer.
# The secretariat: the panel's members


def proposal_exclusion_set(
    *, proposal: Proposal, exclude: object, by: User, request: HttpRequest | None = None
) -> Proposal:
    """Say whether reviewers from a team member's organisation are kept off ``proposal``.

    Turning it on is refused while such a reviewer is assigned: unassign them first.
    """
    with transaction.atomic():
        proposal = _lock_proposal(proposal)
        check_user_can_run_panel(by, proposal)
        exclude = bool(exclude)
        if exclude == proposal.exclude_team_organisations:
            return proposal
        proposal.exclude_team_organisations = exclude
        if exclude:
            for assignment in proposal.assignments.filter(removed_at__isnull=True).select_related(
                "reviewer"
            ):
                refusal = reviewer_refusal(proposal, assignment.reviewer)
                if refusal:
                    raise ValidationError(
                        {"exclude_team_organisations": f"{refusal} Unassign them first."}
                    )
        proposal.save(update_fields=["exclude_team_organisations", "updated_at"])
        audit_record(
            actor=by,
            action="proposal.panel_exclusion",
            obj=proposal,
            payload={"exclude_team_organisations": exclude},
            request=request,
        )
    return proposal


def reviewer_assign(
    *,
    proposal: Proposal,
    reviewer: User,
    independent: bool = False,
    due_date: datetime.date | None = None,
    by: User,
    request: HttpRequest | None = None,
) -> ReviewerAssignment:
    """Put ``reviewer`` on ``proposal``'s panel and let them, and only them, review it.

    Refused unless the proposal is with the panel, the reviewer is a panel reviewer, not on the
    project's team and (when the proposal says so) not from a team member's organisation, not
    already assigned, and the panel has fewer than three reviewers; the last place goes to an
    independent reviewer when there is none yet.
    """
    with transaction.atomic():
        # The reviewer before the proposal, in the order taking a role away locks them, so an
        # assignment made as the role is taken away waits, and then finds the role gone.
        get_user_model().objects.select_for_update(no_key=True).get(pk=reviewer.pk)
        proposal = _lock_proposal(proposal)
        check_user_can_run_panel(by, proposal)
        _refuse_unless_panel_review(proposal)
        refusal = reviewer_refusal(proposal, reviewer)
        if refusal:
            raise ValidationError({"reviewer": refusal})
        active = proposal.assignments.on_panel()
        if active.filter(reviewer=reviewer).exists():
            raise ValidationError(
                {"reviewer": f"{reviewer.get_full_name()} is already reviewing this proposal."}
            )
        if active.count() >= PANEL_SIZE:
            raise ValidationError(
                {
                    "reviewer": f"The panel already has {PANEL_SIZE} reviewers. Unassign one "
                    "before assigning another."
                }
            )
        last_place = active.count() == PANEL_SIZE - 1
        if last_place and not independent and not active.filter(independent=True).exists():
            raise ValidationError(
                {
                    "independent": "The panel needs at least one independent reviewer: mark "
                    "this reviewer independent, or unassign another to make room"
                }
            )
        if due_date is not None and due_date < timezone.localdate():
            raise ValidationError({"due_date": "The review due date must be today or later"})
        try:
            with transaction.atomic():
                assignment = ReviewerAssignment.objects.create(
                    proposal=proposal,
                    reviewer=reviewer,
                    independent=bool(independent),
                    due_date=due_date,
                    assigned_by=by,
                )
        except IntegrityError as error:
            raise ValidationError(
                {"reviewer": f"{reviewer.get_full_name()} is already reviewing this proposal."}
            ) from error
        audit_record(
            actor=by,
            action="proposal.reviewer_assign",
            obj=proposal,
            payload={
                "assignment": assignment.pk,
                "reviewer": reviewer.pk,
                "independent": assignment.independent,
                "due_date": due_date.isoformat() if due_date else None,
            },
            request=request,
        )
        # A replacement is assigned: the call for one is answered.
        notifications_done(proposal, kinds=[notices.REPLACEMENT_NEEDED, notices.PANEL_SHORT])
        notify([notices.reviewer_assigned(assignment)])
    return assignment


def reviewer_unassign(
    *,
    assignment: ReviewerAssignment,
    reason: str | None,
    by: User,
    request: HttpRequest | None = None,
) -> ReviewerAssignment:
    """Take a reviewer off a proposal's panel, with the reason.

    A recommendation that stood after its reviewer lost the role stops counting.
    """
    reason = _required(reason, "reason", "Enter why the reviewer is being unassigned")
    with transaction.atomic():
        _lock_proposal(assignment.proposal)
        assignment = _lock_assignment(assignment)
        proposal = assignment.proposal
        check_user_can_run_panel(by, proposal)
        if assignment.removed_at is not None and not assignment.recommendation_stands:
            raise ValidationError(
                f"{assignment.reviewer.get_full_name()} is no longer on this proposal's panel."
            )
        was_current = assignment.removed_at is None
        _end_assignment(assignment, reason)
        audit_record(
            actor=by,
            action="proposal.reviewer_unassign",
            obj=proposal,
            payload={
                "assignment": assignment.pk,
                "reviewer": assignment.reviewer_id,
                # A former reviewer's recommendation stops counting.
                "recommendation_discarded": not was_current,
            },
            # Why they came off the panel is said about the reviewer, under their key.
            person=assignment.reviewer_id,
            personal={"reason": reason},
            request=request,
        )
        notifications_done(assignment)
        if was_current:
            notify([notices.reviewer_unassigned(assignment, reason=reason)])
    return assignment


def _end_assignment(
    assignment: ReviewerAssignment, reason: str, *, recommendation_stands: bool = False
) -> None:
    """End ``assignment``, and with it the reviewer's access to the proposal; an assignment
    already ended (its recommendation standing) keeps the time it ended."""
    assignment.removed_at = assignment.removed_at or timezone.now()
    assignment.removal_reason = reason
    assignment.recommendation_stands = recommendation_stands
    assignment.save(update_fields=["removed_at", "removal_reason", "recommendation_stands"])


ROLE_REMOVED_REASON = "No longer a panel reviewer: the role was taken away."


def reviewer_assignments_end(
    *, reviewer: User, by: User | None, request: HttpRequest | None = None
) -> list[ReviewerAssignment]:
    """End every current assignment of ``reviewer``, who has lost the panel-reviewer role:
    called inside the transaction that takes the role away.

    A recommendation already submitted stands and still counts towards its panel; an assignment
    not yet recommended on ends with nothing counted, and where its proposal is with the panel
    the secretariat is told the panel is short. Each ended assignment is recorded in the audit
    trail.
    """
    with transaction.atomic():
        if by is not None:
            check_user_can_manage_roles(by)
        current = ReviewerAssignment.objects.filter(reviewer=reviewer, removed_at__isnull=True)
        # Proposals first, as every panel step locks them, so a reviewer recommending at this
        # moment either finishes first, and the recommendation stands, or finds the assignment
        # ended.
        proposals = {
            proposal.pk: proposal
            for proposal in Proposal.objects.select_for_update()
            .filter(pk__in=current.values("proposal_id"))
            .order_by("pk")
        }
        assignments = list(
            ReviewerAssignment.objects.select_for_update()
            .filter(pk__in=current.filter(proposal_id__in=list(proposals)).values("pk"))
            .order_by("pk")
        )
        recommended = set(
            Recommendation.objects.filter(assignment__in=assignments).values_list(
                "assignment_id", flat=True
            )
        )
        short = []
        for assignment in assignments:
            proposal = proposals[assignment.proposal_id]
            assignment.proposal, assignment.reviewer = proposal, reviewer
            stands = assignment.pk in recommended
            _end_assignment(assignment, ROLE_REMOVED_REASON, recommendation_stands=stands)
            notifications_done(assignment)
            audit_record(
                actor=by,
                action="proposal.reviewer_role_removed",
                obj=proposal,
                payload={
                    "assignment": assignment.pk,
                    "reviewer": reviewer.pk,
                    "recommendation_stands": stands,
                },
                request=request,
            )
            if not stands and proposal.state == State.PANEL_REVIEW:
                short.append(proposal)
        notify([notices.panel_short(proposal, reviewer=reviewer) for proposal in short])
    return assignments


# The reviewer


def conflict_declare(
    *,
    assignment: ReviewerAssignment,
    conflict: bool,
    details: str | None = "",
    by: User,
    request: HttpRequest | None = None,
) -> ReviewerAssignment:
    """Record whether the reviewer has a conflict of interest in the proposal.

    A conflict ends the assignment and the reviewer's permission to see the proposal, and asks
    the secretariat to assign someone else.
    """
    if conflict:
        details = _required(details, "details", "Describe your conflict of interest")
    with transaction.atomic():
        _lock_proposal(assignment.proposal)
        assignment = _lock_assignment(assignment)
        check_user_can_review(by, assignment)
        proposal = assignment.proposal
        if assignment.conflict_declared is not None:
            raise ValidationError("You have already answered the conflict of interest question.")
        _refuse_unless_panel_review(proposal)
        assignment.conflict_declared = bool(conflict)
        assignment.conflict_details = (details or "").strip()
        assignment.conflict_declared_at = timezone.now()
        assignment.save(
            update_fields=["conflict_declared", "conflict_details", "conflict_declared_at"]
        )
        if conflict:
            _end_assignment(assignment, "Declared a conflict of interest.")
        audit_record(
            actor=by,
            action="proposal.conflict_declare",
            obj=proposal,
            payload={"assignment": assignment.pk, "conflict": bool(conflict)},
            request=request,
        )
        if conflict:
            notifications_done(assignment)  # a conflicted reviewer reviews nothing
            notify([notices.replacement_needed(assignment)])
    return assignment


def recommendation_submit(
    *,
    assignment: ReviewerAssignment,
    recommendation: str,
    comments: str | None = "",
    suggested_conditions: str | None = "",
    by: User,
    request: HttpRequest | None = None,
    **scores: int,
) -> Recommendation:
    """Record the reviewer's independent recommendation, with a score from 1 to 5 for each of
    public benefit, analytical merit, feasibility, privacy risk mitigation and ethics.

    Only after declaring no conflict of interest, and once. When the third recommendation is in,
    the secretariat is told the panel can decide.
    """
    if recommendation not in Recommendation.Choice.values:
        raise ValidationError({"recommendation": "Select your recommendation"})
    if set(scores) != set(SCORES):
        raise ValueError(f"Give exactly these scores: {', '.join(SCORES)}")
    for name, value in scores.items():
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise ValidationError({name: "Give a score from 1 to 5"})
    if recommendation == Recommendation.Choice.APPROVE_WITH_CONDITIONS:
        suggested_conditions = _required(
            suggested_conditions,
            "suggested_conditions",
            "Enter the conditions you suggest for approval",
        )
    with transaction.atomic():
        # The proposal's lock puts reviewers submitting at once, and the secretariat's
        # decision, one after another.
        proposal = _lock_proposal(assignment.proposal)
        assignment = _lock_assignment(assignment)
        check_user_can_review(by, assignment)
        _refuse_unless_panel_review(proposal)
        if assignment.conflict_declared is not False:
            raise TransitionRefused(
                ["Declare whether you have a conflict of interest before recommending."]
            )
        if Recommendation.objects.filter(assignment=assignment).exists():
            raise ValidationError("You have already submitted your recommendation.")
        made = Recommendation.objects.create(
            assignment=assignment,
            recommendation=recommendation,
            comments=(comments or "").strip(),
            suggested_conditions=(suggested_conditions or "").strip(),
            **scores,
        )
        audit_record(
            actor=by,
            action="proposal.recommendation_submit",
            obj=proposal,
            payload={
                "assignment": assignment.pk,
                "recommendation": recommendation,
                **scores,
            },
            request=request,
        )
        notifications_done(assignment)  # the review asked for is in
        if conditions.panel_recommendations_in(proposal):
            notify([notices.recommendations_in(proposal)])
    return made


# The secretariat: the decision


def decision_rules() -> list[Callable[[Proposal], bool]]:
    """Every rule an approval by the panel must meet, in the order the panel page lists them:
    the panel's own, then the approval rules the transition checks."""
    return [*conditions.PANEL_DECISION_CONDITIONS, *conditions.APPROVAL_CONDITIONS]


def decision_refusals(proposal: Proposal) -> list[str]:
    """Sentences saying why no panel decision can be recorded on ``proposal`` yet."""
    return [sentence(rule) for rule in conditions.PANEL_DECISION_CONDITIONS if not rule(proposal)]


def decision_record(
    *,
    proposal: Proposal,
    outcome: str,
    rationale: str | None,
    conditions_text: str | None = "",
    by: User,
    request: HttpRequest | None = None,
) -> PanelDecision:
    """Record the panel's decision on ``proposal`` and move it on: approve, approve with
    conditions, reject, or return to the co-ordinator for changes.

    Only once three reviewers, at least one independent, have recommended; approval also needs
    the approval rules (every team member accredited to the end date). A return ends the
    current reviewers' assignments, so the changed proposal gets a fresh panel. An approved
    amendment comes into force in the same transaction (``amendment_apply``).
    """
    if outcome not in DECISIONS:
        raise ValidationError({"outcome": "Select the panel's decision"})
    rationale = _required(rationale, "rationale", "Enter the rationale for the decision")
    conditions_text = (conditions_text or "").strip()
    if outcome == "approve_with_conditions" and not conditions_text:
        raise ValidationError({"conditions": "Enter the conditions of approval"})
    transition, recorded = DECISIONS[outcome]
    with transaction.atomic():
        # Locked first, so two clicks at once queue here and the second finds the step taken.
        locked = _lock_proposal(proposal)
        check_user_can_run_panel(by, locked)
        _refuse_unless_panel_review(locked)
        reasons = decision_refusals(locked)
        if reasons:
            raise TransitionRefused(reasons)
        proposal = transition_fire(
            obj=locked,
            transition=transition,
            by=by,
            request=request,
            payload={"outcome": recorded, "route": PanelDecision.Route.PANEL},
        )
        decision = PanelDecision.objects.create(
            proposal=proposal,
            outcome=recorded,
            route=PanelDecision.Route.PANEL,
            rationale=rationale,
            conditions=conditions_text if outcome == "approve_with_conditions" else "",
            decided_by=by,
        )
        if outcome == "return":
            for assignment in proposal.assignments.on_panel().select_related("reviewer"):
                _end_assignment(assignment, "The proposal was returned for changes.")
        if proposal.amends_id is not None and proposal.state in Proposal.APPROVED_NOT_STARTED:
            amendment_apply(amendment=proposal, by=by, request=request)
    return decision
