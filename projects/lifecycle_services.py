"""Starting and ending an approved project: the co-ordinator activates it on or after its
start date while the whole team holds accreditation to its end; its access ends at its end date
(the daily task), or earlier when the co-ordinator closes it.

An ended project accepts no new output request. What was sent to the output checkers by the end
date may still be checked and released during a grace period (``PROJECT_END_GRACE_DAYS``); after
it, output checking closes what is left unreleased. The project closes once nothing is left
open: every released output published or its publication waived, and nothing still with the
checkers. An approved amendment that moves the end date to today or later reopens it.
"""

import logging

from django.db import transaction

from workflow.errors import TransitionRefused
from workflow.services import transition_fire

from . import hooks
from .lifecycle_selectors import projects_ended, projects_grace_over, projects_past_end_date
from .models import Proposal

logger = logging.getLogger(__name__)
State = Proposal.State


def project_activate(*, project, by, request=None):
    """The co-ordinator starts an approved project; the team is told it may begin."""
    return transition_fire(obj=project, transition="activate", by=by, request=request)


def project_close(*, project, by, reason="", request=None):
    """The co-ordinator closes an active project before its end date; the team is told."""
    reason = (reason or "").strip()
    return transition_fire(
        obj=project,
        transition="close",
        by=by,
        request=request,
        payload={"reason": reason} if reason else None,
    )


def project_close_when_settled(*, project):
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


def project_end(*, project):
    """The service ends an active project past its end date: its team's access ends, whatever
    is still open. A project with nothing left open closes in the same transaction, so its team
    is told once, that it has closed."""
    with transaction.atomic():
        project = transition_fire(obj=project, transition="end", by=None)
        return project_close_when_settled(project=project)


def project_reopen(*, project):
    """The service makes an ended project active again, once an approved amendment has moved
    its end date to today or later; the team is told it may work on it again."""
    return transition_fire(obj=project, transition="reopen", by=None)


def projects_close_ended(*, on=None):
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
