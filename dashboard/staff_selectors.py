"""The homes of the panel reviewer, the output checker and the data owner: each a work queue
with its count, the oldest items first with their due dates, and how many are overdue, in a
fixed number of queries whatever the size of the queue (``Item`` and ``Queue`` as the
secretariat's)."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from outputs.review.selectors import checker_waiting
from projects.consent.selectors import consent_queue_for, consents_waiting
from projects.panel.selectors import reviewer_queue_for

from .secretariat_selectors import SHOWN, Item, Queue, queue_by_service_level


def _day(moment):
    return f"{timezone.localtime(moment):%-d %B %Y}"


def checker_queue_home(user, *, today=None):
    """Requests waiting for ``user`` to check, against the service level in working days."""
    today = today or timezone.localdate()
    return queue_by_service_level(
        checker_waiting(user=user),
        waited_from="submitted_at",
        today=today,
        item=lambda output_request, due: Item(
            label=f"{output_request} ({output_request.project.title})",
            url=reverse("outputs:review", kwargs={"pk": output_request.pk}),
            detail=f"Sent {_day(output_request.submitted_at)}, due by {due:%-d %B %Y}",
            since=output_request.submitted_at,
            overdue=today > due,
        ),
        key="checking",
        title="Output requests waiting for checking",
        list_url=reverse("outputs:queue"),
        list_text="All requests to check",
        empty_text="No output requests are waiting for checking.",
    )


def reviewer_queue_home(user, *, today=None):
    """Proposals assigned to ``user`` for review, soonest due first: a conflict to declare
    before anything else, then the recommendation by its due date."""
    today = today or timezone.localdate()
    assignments = list(reviewer_queue_for(user))
    waiting = [a for a in assignments if getattr(a, "recommendation", None) is None]
    items = []
    for assignment in waiting[:SHOWN]:
        if assignment.conflict_declared is None:
            detail = "Declare any conflict of interest first"
        else:
            detail = "Recommendation to make"
        if assignment.due_date:
            detail += f", due by {assignment.due_date:%-d %B %Y}"
        items.append(
            Item(
                label=assignment.proposal.title,
                url=reverse("projects:review", kwargs={"pk": assignment.proposal_id}),
                detail=detail,
                since=assignment.assigned_at,
                overdue=bool(assignment.due_date and today > assignment.due_date),
            )
        )
    return Queue(
        key="reviews",
        title="Proposals waiting for your review",
        count=len(waiting),
        list_url=reverse("projects:reviewer_queue"),
        list_text="All your assigned proposals",
        items=items,
        overdue_count=sum(1 for a in waiting if a.due_date and today > a.due_date),
        empty_text="No proposals are waiting for your review.",
    )


def consent_queue_home(user, *, today=None):
    """Proposals waiting for the consent of a department ``user`` speaks for, the longest
    waiting first, against the consent service level in working days."""
    today = today or timezone.localdate()
    return queue_by_service_level(
        consents_waiting().filter(pk__in=consent_queue_for(user=user).values("pk")),
        waited_from="waiting_since",
        days=settings.CONSENT_SERVICE_LEVEL_WORKING_DAYS,
        today=today,
        item=lambda proposal, due: Item(
            label=proposal.title,
            url=reverse("projects:consent", kwargs={"pk": proposal.pk}),
            detail=f"Waiting since {_day(proposal.waiting_since)}, due by {due:%-d %B %Y}",
            since=proposal.waiting_since,
            overdue=today > due,
        ),
        key="consents",
        title="Projects waiting for your department's consent",
        list_url=reverse("projects:consent_queue"),
        list_text="All consent requests",
        empty_text="No consent requests are waiting.",
    )
