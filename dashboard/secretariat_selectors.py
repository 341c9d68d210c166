"""The secretariat's work queues, each read through its app's own selector: how many wait, and
the longest waiting few, in two queries a queue however long it grows."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Q, Window
from django.urls import reverse
from django.utils import timezone

from accreditation.selectors import accreditations_ending, applications_queue
from audit.selectors import audit_generation
from outputs.service_level import due_date, overdue_before
from projects.consent.selectors import consents_waiting
from projects.models import Proposal
from projects.panel.selectors import panel_queues
from projects.screening.selectors import proposals_to_screen
from researchers.profile.selectors import organisations_awaiting_approval

# How many of each queue's oldest items the home lists; the queue's own page lists them all.
SHOWN = 5
# Accreditations ending within this many days are listed, so renewals can be chased.
ENDING_WITHIN_DAYS = 90


@dataclass
class Item:
    label: str
    url: str
    detail: str = ""
    since: object = None  # a date or datetime: when it started waiting, or when it ends
    overdue: bool = False


@dataclass
class Queue:
    key: str
    title: str
    count: int
    list_url: str
    list_text: str
    items: list = field(default_factory=list)
    overdue_count: int = 0
    empty_text: str = "Nothing is waiting."


def _state_list(*states):
    return reverse("projects:secretariat_list") + "?" + urlencode([("state", s) for s in states])


def _queue(queryset, *, item, **kwargs):
    return Queue(count=queryset.count(), items=[item(obj) for obj in queryset[:SHOWN]], **kwargs)


# What an application's item shows, read without its answers, its applicant's profile and
# organisation, or its supervisor, which the queue's own page shows.
_APPLICATION_ITEM_FIELDS = (
    "pk",
    "kind",
    "state",
    "submitted_at",
    "renewal_of_id",
    "applicant__full_name",
    "applicant__email",
)


def _applications():
    return _queue(
        applications_queue()
        .select_related(None)
        .select_related("applicant")
        .only(*_APPLICATION_ITEM_FIELDS),
        key="applications",
        title="Accreditation applications to screen",
        list_url=reverse("accreditation:queue"),
        list_text="All applications",
        item=lambda application: Item(
            label=application.applicant.get_full_name(),
            url=reverse("accreditation:screen", args=[application.pk]),
            detail=(
                f"{application.get_kind_display()} accreditation"
                if application.kind
                else "Accreditation"
            )
            + (" renewal" if application.renewal_of_id else ""),
            since=application.submitted_at,
        ),
    )


def _proposal_item(url_name):
    def item(proposal):
        return Item(
            label=proposal.title,
            url=reverse(url_name, args=[proposal.pk]),
            detail=f"{proposal.get_state_display()}, co-ordinated by "
            f"{proposal.coordinator.get_full_name()}",
            since=proposal.submitted_at,
        )

    return item


# What a proposal's item shows, read without the proposal's long texts.
_PROPOSAL_ITEM_FIELDS = (
    "pk",
    "title",
    "version",
    "state",
    "submitted_at",
    "coordinator__full_name",
    "coordinator__email",
)


def _proposals():
    return _queue(
        proposals_to_screen().only(*_PROPOSAL_ITEM_FIELDS),
        key="proposals",
        title="Project proposals to screen",
        list_url=_state_list(*Proposal.TO_SCREEN),
        list_text="All proposals waiting to be screened",
        item=_proposal_item("projects:screen"),
    )


def _amendments():
    return _queue(
        proposals_to_screen(amendments=True).only(*_PROPOSAL_ITEM_FIELDS),
        key="amendments",
        title="Amendments to screen",
        list_url=_state_list(*Proposal.TO_SCREEN),
        list_text="All proposals waiting to be screened",
        item=lambda proposal: Item(
            label=f"{proposal.title} (version {proposal.version})",
            url=reverse("projects:screen", args=[proposal.pk]),
            detail=f"Amendment, {proposal.get_state_display().lower()}",
            since=proposal.submitted_at,
        ),
    )


def _panels():
    short, ready = panel_queues(shown=SHOWN)

    def panel_queue(queue, *, detail, **kwargs):
        return Queue(
            count=queue.count,
            items=[
                Item(
                    label=proposal.title,
                    url=reverse("projects:panel", args=[proposal.pk]),
                    detail=detail(proposal),
                    since=proposal.submitted_at,
                )
                for proposal in queue.first
            ],
            list_url=_state_list(Proposal.State.PANEL_REVIEW),
            list_text="All proposals with the panel",
            **kwargs,
        )

    return [
        panel_queue(
            short,
            key="panels_short",
            title="Panels short of reviewers",
            detail=lambda proposal: (
                f"{proposal.panel_size} of 3 reviewers"
                + ("" if proposal.panel_independent else ", none independent")
            ),
        ),
        panel_queue(
            ready,
            key="decisions",
            title="Panel decisions to record",
            detail=lambda proposal: "Every recommendation is in",
        ),
    ]


def queue_by_service_level(queryset, *, waited_from, item, today, days=None, **queue):
    """A queue whose every item is due ``days`` working days (the output service level when
    None) after the moment in its ``waited_from`` field: the count, the first few as
    ``item(obj, due)`` and how many are overdue. The service level counts working days, which
    the database cannot; but an item that started waiting later is never due earlier, so the
    overdue ones are those that started before one moment (``overdue_before``), counted with
    the rest in one query.

    When the list is ordered by a figure worked out for each row (an annotation, such as the
    consents' ``waiting_since``), the database works it out for every row to find the first
    few anyway: the counts then come with those rows, as windows over the whole list, so the
    figure is worked out once rather than twice."""
    cutoff = overdue_before(today=today, days=days)
    overdue = Q(**{f"{waited_from}__lt": cutoff})
    if waited_from in queryset.query.annotations:
        first = list(
            queryset.annotate(
                queue_count=Window(Count("pk")), queue_overdue=Window(Count("pk", filter=overdue))
            )[:SHOWN]
        )
        figures = {
            "count": first[0].queue_count if first else 0,
            "overdue": first[0].queue_overdue if first else 0,
        }
    else:
        figures = queryset.aggregate(count=Count("pk"), overdue=Count("pk", filter=overdue))
        first = queryset[:SHOWN]
    return Queue(
        count=figures["count"],
        items=[item(obj, due_date(getattr(obj, waited_from), days=days)) for obj in first],
        overdue_count=figures["overdue"],
        **queue,
    )


def _consents(today):
    return queue_by_service_level(
        consents_waiting().select_related(None).only("pk", "title", "state"),
        waited_from="waiting_since",
        days=settings.CONSENT_SERVICE_LEVEL_WORKING_DAYS,
        today=today,
        item=lambda proposal, due: Item(
            label=proposal.title,
            url=reverse("projects:screen", args=[proposal.pk]),
            detail=f"Waiting since {timezone.localtime(proposal.waiting_since):%-d %B %Y}",
            since=proposal.waiting_since,
            overdue=today > due,
        ),
        key="consents",
        title="Data owners' consent waiting",
        list_url=_state_list(Proposal.State.DATA_OWNER_REVIEW),
        list_text="All proposals with the data owners",
    )


def _organisations():
    return _queue(
        organisations_awaiting_approval().order_by("created_at", "pk"),
        key="organisations",
        title="Organisations to approve",
        list_url=reverse("researchers:organisation_list"),
        list_text="All organisations",
        item=lambda organisation: Item(
            label=organisation.name,
            url=reverse("researchers:organisation_review", args=[organisation.pk]),
            detail=f"Proposed by {organisation.proposed_by.get_full_name()}"
            if organisation.proposed_by
            else "",
            since=organisation.created_at,
        ),
    )


def _ending(today):
    return _queue(
        accreditations_ending(within_days=ENDING_WITHIN_DAYS, on=today),
        key="ending",
        title=f"Accreditations ending within {ENDING_WITHIN_DAYS} days",
        list_url=reverse("reports:report"),
        list_text="Accreditation report",
        item=lambda accreditation: Item(
            label=accreditation.researcher.get_full_name(),
            url=reverse("accreditation:accreditation_detail", args=[accreditation.pk]),
            detail=f"{accreditation.get_level_display()} accreditation ends "
            f"{accreditation.valid_until:%-d %B %Y}",
            since=accreditation.valid_until,
        ),
    )


def secretariat_queues_generation(*, today=None):
    """What the secretariat's queues, once worked out, are kept under: the latest event of the
    audit trail, which every change of an application, proposal, panel, consent, organisation
    or accreditation records, and the day, since what is overdue or ending moves with it. The
    queues are the same for every member of the secretariat, so one member's visit works them
    out for the rest until either moves (or ``SECRETARIAT_QUEUES_KEPT_SECONDS`` pass, for what
    the trail does not record, such as a change of name)."""
    return audit_generation(today=today)


def secretariat_queues(*, today=None):
    """Every queue on the secretariat's home, in the order the work flows."""
    today = today or timezone.localdate()
    return [
        _applications(),
        _proposals(),
        *_panels(),
        _amendments(),
        _consents(today),
        _organisations(),
        _ending(today),
    ]
