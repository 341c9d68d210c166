"""Starting and ending an approved project: the co-ordinator activates it on or after its
start date while the whole team holds accreditation to its end; it closes at its end date (the
daily task) or earlier when the co-ordinator says so."""

import logging

from django.db import transaction
from django.urls import reverse

from notifications.services import email_on_commit
from workflow.errors import TransitionRefused
from workflow.services import transition_fire

from .lifecycle_selectors import project_members, projects_ended

logger = logging.getLogger(__name__)


def _project_url(project):
    return reverse("projects:proposal_detail", kwargs={"pk": project.pk})


def project_activate(*, project, by, request=None):
    """The co-ordinator starts an approved project; the team is told it may begin."""
    with transaction.atomic():
        project = transition_fire(obj=project, transition="activate", by=by, request=request)
        email_on_commit(
            to=project_members(project),
            subject="Your project is active",
            template="project_activated",
            context={
                "project": project,
                "action_url": _project_url(project),
                "action_text": "Open the project",
            },
        )
    return project


def project_close(*, project, by, reason="", request=None):
    """Close an active project: early by its co-ordinator, or by the service (``by=None``)
    once its end date has passed. The team is told either way."""
    reason = (reason or "").strip()
    with transaction.atomic():
        project = transition_fire(
            obj=project,
            transition="close",
            by=by,
            request=request,
            payload={"reason": reason} if reason else None,
        )
        email_on_commit(
            to=project_members(project),
            subject="Your project has closed",
            template="project_closed",
            context={
                "project": project,
                "early": by is not None,
                "reason": reason,
                "action_url": _project_url(project),
                "action_text": "Open the project",
            },
        )
    return project


def projects_close_ended(*, on=None):
    """Close every active project past its end date; return how many closed.

    Safe to run again: a closed project is no longer active, so it is not picked up twice, and
    one that the co-ordinator or another run closed meanwhile is skipped.
    """
    closed = 0
    for project in projects_ended(on=on).order_by("pk").iterator():
        try:
            project_close(project=project, by=None)
        except TransitionRefused:
            continue
        closed += 1
    logger.info("Closed %d project(s) past their end date", closed)
    return closed
