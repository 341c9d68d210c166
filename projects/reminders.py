"""Reminders about stale draft proposals, overdue panel recommendations and projects ending.

Registered in ``notifications.hooks`` from ``ProjectsConfig.ready()``;
``notifications.reminders.reminders_sweep`` sends them.
"""

from datetime import timedelta

from django.db.models import Prefetch
from django.urls import reverse

from accreditation.selectors import secretariat_users
from notifications.hooks import ReminderRule
from notifications.stale_drafts import stale_draft_rules

from .models import Proposal, ReviewerAssignment, TeamMember

# Days before a project's end date that its team is reminded.
ENDING_LEADS = (60, 14)

DRAFT = Proposal.State.DRAFT


def _proposal_link(proposal):
    return reverse("projects:proposal_detail", args=[proposal.pk])


def _coordinator(proposal, audience):
    return [proposal.coordinator]


# Draft proposals nobody has touched.

DRAFT_RULES = stale_draft_rules(
    kind="proposal",
    model=Proposal,
    draft_state=DRAFT,
    owner="coordinator",
    noun="project proposal",
    short_noun="proposal",
    link=_proposal_link,
    withdrawn_action_text="See the proposal",
    name="proposal",
)


# Panel recommendations past their due date.


def _overdue_candidates(today):
    return (
        ReviewerAssignment.objects.filter(
            removed_at__isnull=True,
            due_date__lt=today,
            recommendation__isnull=True,
            proposal__state=Proposal.State.PANEL_REVIEW,
        )
        .exclude(conflict_declared=True)
        .select_related("reviewer", "proposal")
    )


def _secretariat():
    return list(secretariat_users().distinct())


def _reviewer_and_secretariat(assignment, secretariat):
    # The secretariat chases late reviews, so it gets a copy.
    return [assignment.reviewer, *secretariat]


PANEL_RULES = [
    ReminderRule(
        kind="panel_recommendation_overdue",
        candidates=_overdue_candidates,
        due_date=lambda assignment: assignment.due_date + timedelta(days=1),
        recipients=_reviewer_and_secretariat,
        audience=_secretariat,
        subject="A panel recommendation is overdue",
        template="reminder_panel_recommendation_overdue",
        action_text="Review the proposal",
        link=lambda assignment: reverse("projects:review", args=[assignment.proposal_id]),
        context=lambda assignment: {
            "assignment": assignment,
            "proposal": assignment.proposal,
            "reviewer": assignment.reviewer,
        },
        summary="Declare any conflict of interest and submit your recommendation.",
    ),
]


# Projects nearing their end date.


def _team(proposal, audience):
    return [proposal.coordinator, *(member.user for member in proposal.accepted_team)]


def _ending_rule(lead, next_lead):
    def candidates(today):
        return (
            Proposal.objects.filter(
                state=Proposal.State.ACTIVE,
                # Until the next reminder's day; the last one catches up for a week at most.
                end_date__gte=today
                + timedelta(days=next_lead + 1 if next_lead is not None else lead - 7),
                end_date__lte=today + timedelta(days=lead),
            )
            .select_related("coordinator")
            .prefetch_related(
                Prefetch(
                    "team",
                    queryset=TeamMember.objects.filter(
                        user__isnull=False, accepted_at__isnull=False, declined_at__isnull=True
                    ).select_related("user"),
                    to_attr="accepted_team",
                )
            )
        )

    return ReminderRule(
        kind=f"project_ending_{lead}",
        candidates=candidates,
        due_date=lambda proposal: proposal.end_date - timedelta(days=lead),
        recipients=_team,
        subject=f"Your project ends in {lead} days",
        template="reminder_project_ending",
        action_text="See the project",
        link=_proposal_link,
        context=lambda proposal: {"proposal": proposal, "days": lead},
        summary=(
            "Submit your remaining outputs for checking and record where released outputs were "
            "published, or ask for an amendment to extend the project."
        ),
    )


ENDING_RULES = [
    _ending_rule(lead, next_lead)
    for lead, next_lead in zip(ENDING_LEADS, (*ENDING_LEADS[1:], None), strict=True)
]


RULES = (*DRAFT_RULES, *PANEL_RULES, *ENDING_RULES)
