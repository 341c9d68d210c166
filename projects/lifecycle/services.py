"""Starting and ending an approved project: the co-ordinator activates it on or after its
start date while the whole team holds accreditation to its end, or schedules the start
beforehand and the service starts it on that date (the daily task), under the same conditions;
its access ends at its end date (the daily task), or earlier when the co-ordinator closes it.

An ended project accepts no new output request. What was sent to the output checkers by the end
date may still be checked and released during a grace period (``PROJECT_END_GRACE_DAYS``); after
it, output checking closes what is left unreleased. The project closes once nothing is left
open: every released output published or its publication waived, and nothing still with the
checkers. An approved amendment that moves the end date to today or later reopens it.
"""

import logging
from datetime import date

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.services import audit_record
from notifications.services import notify
from projects import hooks, notices
from projects.lifecycle.permissions import check_user_can_schedule_start
from projects.lifecycle.selectors import (
    projects_ended,
    projects_grace_over,
    projects_past_end_date,
    projects_start_due,
)
from projects.models import Proposal
from researchers.models import User
from workflow.errors import TransitionRefused
from workflow.hooks import access_changed
from workflow.services import transition_fire

logger = logging.getLogger(__name__)
State = Proposal.State


def project_activate(
    *, project: Proposal, by: User, request: HttpRequest | None = None
) -> Proposal:
    """The co-ordinator starts an approved project; the team is told it may begin."""
    with transaction.atomic():
        project = transition_fire(obj=project, transition="activate", by=by, request=request)
        access_changed(projects=[project.pk], reason="Project started")
    return project


# Scheduling the start: kept apart from the transition, whose conditions it shares.


def _schedule_refusals(project: Proposal) -> list[str]:
    """Why the start of ``project`` cannot be scheduled, as sentences."""
    if project.amends_id is not None:
        return ["An amendment comes into force on the project it amends; it is not started itself."]
    if project.state not in Proposal.APPROVED_NOT_STARTED:
        return ["Only an approved project that has not started yet can be scheduled to start."]
    if project.start_date is None:
        return ["The project has no start date."]
    if project.start_date <= timezone.localdate():
        return ["The project's start date has come: start it now instead."]
    return []


def project_start_schedule(
    *, project: Proposal, by: User, request: HttpRequest | None = None
) -> Proposal:
    """The co-ordinator asks the service to start their approved project itself on its start
    date, under the conditions a start by hand needs. Scheduling twice changes nothing."""
    with transaction.atomic():
        project = Proposal.objects.select_for_update().get(pk=project.pk)
        check_user_can_schedule_start(by, project)
        reasons = _schedule_refusals(project)
        if reasons:
            raise TransitionRefused(reasons)
        if project.start_scheduled_at is not None:
            return project
        project.start_scheduled_at = timezone.now()
        project.start_scheduled_by = by
        project.save(update_fields=["start_scheduled_at", "start_scheduled_by", "updated_at"])
        assert project.start_date is not None  # _schedule_refusals saw to it
        audit_record(
            actor=by,
            action="proposal.start_schedule",
            obj=project,
            payload={"start_date": project.start_date.isoformat()},
            request=request,
        )
    return project


def _unschedule(project: Proposal) -> None:
    project.start_scheduled_at = None
    project.start_scheduled_by = None
    project.save(update_fields=["start_scheduled_at", "start_scheduled_by", "updated_at"])


def project_start_unschedule(
    *, project: Proposal, by: User, request: HttpRequest | None = None
) -> Proposal:
    """The co-ordinator stops a scheduled start, before the project has started."""
    with transaction.atomic():
        project = Proposal.objects.select_for_update().get(pk=project.pk)
        check_user_can_schedule_start(by, project)
        if project.start_scheduled_at is None or project.state not in Proposal.APPROVED_NOT_STARTED:
            return project
        _unschedule(project)
        # Scheduled with its date, and an approved project's dates change only by amendment,
        # which waits until it is under way.
        assert project.start_date is not None
        audit_record(
            actor=by,
            action="proposal.start_unschedule",
            obj=project,
            payload={"start_date": project.start_date.isoformat()},
            request=request,
        )
    return project


def project_start_on_schedule(*, project: Proposal) -> Proposal:
    """The service starts a project whose start was scheduled, on or after its start date,
    recorded as its own step; return the project, active or as it was.

    When a condition of the start is unmet on the day, the schedule ends, recorded with the
    reasons, and the co-ordinator is told what is missing, so they can put it right and start
    the project by hand: it is tried once, never again each night.
    """
    with transaction.atomic():
        project = Proposal.objects.select_for_update().get(pk=project.pk)
        due = (
            project.state in Proposal.APPROVED_NOT_STARTED
            and project.start_scheduled_at is not None
            and project.start_date is not None
            and project.start_date <= timezone.localdate()
        )
        if not due:
            return project
        try:
            project = transition_fire(
                obj=project,
                transition="activate",
                by=None,
                payload={"scheduled_by": project.start_scheduled_by_id},
            )
        except TransitionRefused as refused:
            reasons = refused.reasons
        else:
            access_changed(projects=[project.pk], reason="Project started")
            return project
        _unschedule(project)
        audit_record(
            actor=None,
            action="proposal.start_schedule_refused",
            obj=project,
            payload={"reasons": reasons},
        )
        notify([notices.project_start_refused(project, reasons=reasons)])
    return project


def projects_start_scheduled(*, on: date | None = None) -> int:
    """Daily: start every approved project whose start was scheduled and whose start date has
    come. Return how many started.

    Safe to run again: a started project is no longer approved, and one refused is no longer
    scheduled, so neither is picked up twice.
    """
    started = refused = 0
    for project in projects_start_due(on=on).order_by("pk").iterator():
        project = project_start_on_schedule(project=project)
        if project.state == State.ACTIVE:
            started += 1
        else:
            refused += 1
    logger.info(
        "Started %d scheduled project(s); %d could not start and their co-ordinators were told",
        started,
        refused,
    )
    return started


def project_close(
    *, project: Proposal, by: User, reason: str | None = "", request: HttpRequest | None = None
) -> Proposal:
    """The co-ordinator closes an active project before its end date; the team is told."""
    reason = (reason or "").strip()
    with transaction.atomic():
        project = transition_fire(
            obj=project,
            transition="close",
            by=by,
            request=request,
            # The co-ordinator's own words, under their key (the project's audit_person_id).
            personal={"reason": reason} if reason else None,
        )
        access_changed(projects=[project.pk], reason="Project closed")
    return project


def project_close_when_settled(*, project: Proposal) -> Proposal:
    """The service closes an ended project once nothing is left open; return the project,
    closed, or as it was when something still holds it open or it is not ended.

    Called by the daily task, and by output checking in the transaction of each step that may
    settle the last thing (a publication recorded, a waiver).
    """
    with transaction.atomic():
        project = Proposal.objects.select_for_update().get(pk=project.pk)
        if project.state != State.ENDED:
            return project
        try:
            return transition_fire(obj=project, transition="close", by=None)
        except TransitionRefused:
            return project


def project_end(*, project: Proposal) -> Proposal:
    """The service ends an active project past its end date: its team's access ends, whatever
    is still open. A project with nothing left open closes in the same transaction, so its team
    is told once, that it has closed."""
    with transaction.atomic():
        project = transition_fire(obj=project, transition="end", by=None)
        access_changed(projects=[project.pk], reason="Project ended")
        return project_close_when_settled(project=project)


def project_reopen(*, project: Proposal) -> Proposal:
    """The service makes an ended project active again, once an approved amendment has moved
    its end date to today or later; the team is told it may work on it again."""
    with transaction.atomic():
        project = transition_fire(obj=project, transition="reopen", by=None)
        access_changed(projects=[project.pk], reason="Project reopened")
    return project


def projects_close_ended(*, on: date | None = None) -> int:
    """Daily: end every active project past its end date, close unreleased what is still open
    in ended projects whose grace period is over, and close every ended project with nothing
    left open. Return how many projects closed.

    Safe to run again: an ended project is no longer active and a closed one no longer ended,
    so neither is picked up twice, and one that changed meanwhile is skipped.
    """
    closed = ended = lapsed = 0
    for project in projects_past_end_date(on=on).order_by("pk").iterator():
        try:
            project = project_end(project=project)
        except TransitionRefused:
            continue
        ended += 1
        closed += project.state == State.CLOSED
    for project in projects_grace_over(on=on).order_by("pk").iterator():
        for close_unreleased in hooks.grace_over:
            lapsed += close_unreleased(project=project)
    for project in projects_ended().order_by("pk").iterator():
        closed += project_close_when_settled(project=project).state == State.CLOSED
    logger.info(
        "Ended %d project(s) past their end date, closed %d output request(s) unreleased after "
        "the grace period, closed %d project(s)",
        ended,
        lapsed,
        closed,
    )
    return closed
