"""One reminder before the run destroys a withdrawn draft, to the person who wrote it.

A withdrawn draft has no step out of ``withdrawn``, but its owner can still read it and copy
what they wrote, download everything the service holds about them, or ask the secretariat to
keep it (a legal hold) while a question about it is open. So ``RETENTION_REMINDER_DAYS`` before
the run will destroy it, they are told once, through the reminder ledger, what goes and when.

Only a record that will go is reminded of: the schedule in force must be confirmed (before that
the run destroys nothing), its rule must destroy the kind, and a record under a legal hold is
left out. The candidates are the run's own rows (``WithdrawnDraftRun.rows``) measured to the
day the reminder looks ahead to, so the reminder and the run never disagree about what is past
its period. Registered in ``notifications.hooks`` from ``RetentionConfig.ready()``.
"""

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet, Value
from django.urls import reverse
from django.utils import timezone

from notifications.hooks import ReminderRule

from .kinds import ApplicationWithdrawnDraftRun, ProposalWithdrawnDraftRun, WithdrawnDraftRun
from .models import LegalHold, RetentionSchedule
from .services import cutoff_for


def destroy_on(draft: Any) -> date:
    """The first day the run destroys ``draft``: its clock started before the start of the day
    the period earlier (``services.cutoff_for``)."""
    return timezone.localdate(draft.clock_at) + timedelta(days=draft.period_days + 1)


def _candidates(run: WithdrawnDraftRun, owner: str):
    def candidates(today: date) -> QuerySet[Any]:
        nothing = run.model._default_manager.none()
        schedule = RetentionSchedule.objects.order_by("-version").first()
        if schedule is None or not schedule.confirmed:
            return nothing
        rule = schedule.rules.filter(kind=run.kind).first()
        if rule is None or rule.action not in run.actions:
            return nothing
        held = [
            int(identifier)
            for identifier in LegalHold.objects.active()
            .filter(kind=run.kind)
            .values_list("identifier", flat=True)
            if identifier.isdigit()
        ]
        ahead = today + timedelta(days=settings.RETENTION_REMINDER_DAYS)
        return (
            run.rows(cutoff=cutoff_for(on=ahead, period_days=rule.period_days))
            .exclude(pk__in=held)
            .annotate(period_days=Value(rule.period_days))
            .select_related(owner)
        )

    return candidates


def _rule(
    run: WithdrawnDraftRun, *, kind: str, owner: str, noun: str, link: str, what: str
) -> ReminderRule:
    def due_date(draft: Any) -> date:
        return destroy_on(draft) - timedelta(days=settings.RETENTION_REMINDER_DAYS)

    def context(draft: Any) -> dict[str, Any]:
        return {
            "draft": draft,
            "noun": noun,
            "what": what,
            "destroy_on": destroy_on(draft),
            "withdrawn_on": timezone.localdate(draft.clock_at),
        }

    return ReminderRule(
        kind=kind,
        candidates=_candidates(run, owner),
        due_date=due_date,
        recipients=lambda draft, audience: [getattr(draft, owner)],
        subject=f"Your withdrawn {noun} will be destroyed",
        template="reminder_retention_draft_destroyed",
        link=lambda draft: reverse(link),
        action_text="Download a copy of your data",
        context=context,
        summary=lambda draft: (
            f"The service will destroy it on {destroy_on(draft):%-d %B %Y} under the retention "
            "schedule."
        ),
        once_per_object=True,
    )


RULES = [
    _rule(
        ApplicationWithdrawnDraftRun(),
        kind="retention_application_draft_destroyed",
        owner="applicant",
        noun="draft accreditation application",
        link="researchers:data_export",
        what="the application and everything you wrote in it",
    ),
    _rule(
        ProposalWithdrawnDraftRun(),
        kind="retention_proposal_draft_destroyed",
        owner="coordinator",
        noun="draft project proposal",
        link="researchers:data_export",
        what="the proposal, everything written in it and its data protection impact assessment",
    ),
]
