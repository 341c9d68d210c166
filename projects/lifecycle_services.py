"""Starting and ending an approved project: the co-ordinator activates it on or after its
start date while the whole team holds accreditation to its end; it closes at its end date (the
daily task) or earlier when the co-ordinator says so."""

import logging

from django.db import transaction
from django.urls import reverse

from accreditation.selectors import secretariat_users
from audit.models import AuditEvent
from audit.services import audit_record
from notifications.services import email_on_commit
from workflow.errors import TransitionRefused
from workflow.services import transition_fire

from .lifecycle_selectors import projects_ended

logger = logging.getLogger(__name__)


def _project_url(project):
    return reverse("projects:proposal_detail", kwargs={"pk": project.pk})


def project_activate(*, project, by, request=None):
    """The co-ordinator starts an approved project; the team is told it may begin."""
    return transition_fire(obj=project, transition="activate", by=by, request=request)


def project_close(*, project, by, reason="", request=None):
    """Close an active project: early by its co-ordinator, or by the service (``by=None``)
    once its end date has passed. The team is told either way."""
    reason = (reason or "").strip()
    return transition_fire(
        obj=project,
        transition="close",
        by=by,
        request=request,
        payload={"reason": reason} if reason else None,
    )


HELD_OPEN = "proposal.close_held"


def project_close_held(*, project, reasons):
    """Record that a project past its end date stays active because closing it is refused
    (released outputs not yet published, say), and tell the secretariat, once per project:
    the audit event is the ledger, so a daily re-run does not tell them again."""
    with transaction.atomic():
        project = type(project).objects.select_for_update().get(pk=project.pk)
        if AuditEvent.objects.filter(
            action=HELD_OPEN, object_type=project._meta.label_lower, object_id=str(project.pk)
        ).exists():
            return False
        audit_record(actor=None, action=HELD_OPEN, obj=project, payload={"reasons": reasons})
        email_on_commit(
            to=secretariat_users(),
            subject="A project past its end date cannot close yet",
            template="project_close_held",
            context={
                "project": project,
                "reasons": reasons,
                "action_url": _project_url(project),
                "action_text": "Open the project",
            },
        )
    return True


def projects_close_ended(*, on=None):
    """Close every active project past its end date; return how many closed.

    A project that may not close yet (its released outputs are neither published nor waived)
    stays active past its end date, and the secretariat is told once (``project_close_held``).

    Safe to run again: a closed project is no longer active, so it is not picked up twice, and
    one that the co-ordinator or another run closed meanwhile is skipped.
    """
    closed = 0
    for project in projects_ended(on=on).order_by("pk").iterator():
        try:
            project_close(project=project, by=None)
        except TransitionRefused as refused:
            still_active = type(project).objects.filter(pk=project.pk, state=project.State.ACTIVE)
            if still_active.exists():
                project_close_held(project=project, reasons=refused.reasons)
            continue
        closed += 1
    logger.info("Closed %d project(s) past their end date", closed)
    return closed
