"""Every change to an accreditation application or an accreditation.

Each function locks what it changes, checks who is asking, changes it (state changes only
through ``workflow.services.transition_fire``), writes the audit event and queues the emails,
all inside one ``transaction.atomic()``. Who is told about each transition is declared in
``notices.py`` and sent once the step commits; the emails here are the ones that are not about
a transition (asking a supervisor to confirm, and their answer). Refusals:
``TransitionNotPermitted`` (a PermissionDenied) for the wrong person, ``TransitionRefused`` with
sentences for a step not possible yet, ``ValidationError`` for bad input.
"""

import logging
from collections.abc import Iterable
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.services import audit_record
from notifications.services import notifications_done, notify
from researchers.models import User
from workflow.errors import TransitionRefused
from workflow.hooks import access_changed
from workflow.services import check_user_may_fire, transition_fire

from . import notices, selectors
from .conditions import screening_checks_needed
from .dates import validity_for
from .levels import Level
from .models import Accreditation, AccreditationApplication
from .permissions import (
    check_user_can_edit_application,
    check_user_can_screen,
    check_user_is_named_supervisor,
)

logger = logging.getLogger(__name__)


M = TypeVar("M", bound=models.Model)


def _lock(obj: M) -> M:
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def _required(value: str | None, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


# Starting and preparing an application


SUSPENDED_NO_APPLICATION = (
    "Your accreditation is suspended, so you cannot apply for accreditation again while it is "
    "suspended."
)


def application_start(*, by: User, request: HttpRequest | None = None) -> AccreditationApplication:
    """Start a draft application for ``by``; refused while one is open, while they are
    accredited, and while their accreditation is suspended (the secretariat decides first
    whether to reinstate or revoke it)."""
    if not by.is_authenticated:
        raise ValidationError("Sign in to apply for accreditation.")
    with transaction.atomic():
        _refuse_if_open(by)
        if selectors.accreditation_active_for(by) is not None:
            raise ValidationError(
                "You already hold active accreditation. Renew it instead of starting a new "
                "application."
            )
        latest = selectors.accreditation_latest_for(by)
        if latest is not None and latest.state == Accreditation.State.SUSPENDED:
            raise ValidationError(SUSPENDED_NO_APPLICATION)
        application = AccreditationApplication.objects.create(applicant=by)
        audit_record(
            actor=by,
            action="accreditation_application.start",
            obj=application,
            to_state=application.state,
            request=request,
        )
    return application


def _refuse_if_open(user: User) -> None:
    # Locking the user's row makes two quick clicks on "Start" queue up instead of racing.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if selectors.application_open_for(user) is not None:
        raise ValidationError(
            "You already have an application in progress. Continue it, or withdraw it first."
        )


def application_renew(*, by: User, request: HttpRequest | None = None) -> AccreditationApplication:
    """Start an application renewing ``by``'s active or recently expired accreditation.

    The profile, qualifications, training and declaration live on the researcher, so they carry
    over as they are; the new application starts at the level held before.
    """
    with transaction.atomic():
        _refuse_if_open(by)
        previous = selectors.renewable_accreditation_for(by)
        if previous is None:
            raise ValidationError(
                "You have no active or recently expired accreditation to renew. Start a new "
                "application instead."
            )
        application = AccreditationApplication.objects.create(
            applicant=by, renewal_of=previous, kind=previous.level
        )
        audit_record(
            actor=by,
            action="accreditation_application.renew",
            obj=application,
            to_state=application.state,
            payload={"renewal_of": previous.pk, "level": previous.level},
            request=request,
        )
    return application


def application_update(
    *,
    application: AccreditationApplication,
    by: User,
    kind: str,
    supervisor_email: str | None = "",
    register_consent: bool = False,
    publish_commitment: bool = False,
    request: HttpRequest | None = None,
) -> AccreditationApplication:
    """Save the applicant's route, supervisor and commitments on a draft or returned application.

    Naming a new supervisor asks them (by email) to confirm; their earlier answer, if any, no
    longer counts.
    """
    with transaction.atomic():
        application = _lock(application)
        check_user_can_edit_application(by, application)
        if application.state not in AccreditationApplication.EDITABLE:
            raise ValidationError(
                "This application has been sent to the secretariat, so it cannot be changed now."
            )
        if kind not in Level.values:
            raise ValidationError({"kind": "Choose full or provisional accreditation."})
        supervisor = None
        if kind == Level.PROVISIONAL:
            supervisor = _supervisor_from_email(supervisor_email, applicant=by)
        changed_supervisor = supervisor != application.supervisor
        before = {
            "kind": application.kind,
            "supervisor": application.supervisor_id,
            "register_consent": application.register_consent,
            "publish_commitment": application.publish_commitment,
        }
        application.kind = kind
        application.supervisor = supervisor
        application.register_consent = bool(register_consent)
        application.publish_commitment = bool(publish_commitment)
        if changed_supervisor:
            application.supervisor_confirmed_at = None
            application.supervisor_declined_at = None
        application.save()
        after = {
            "kind": application.kind,
            "supervisor": application.supervisor_id,
            "register_consent": application.register_consent,
            "publish_commitment": application.publish_commitment,
        }
        audit_record(
            actor=by,
            action="accreditation_application.update",
            obj=application,
            payload={"before": before, "after": after},
            request=request,
        )
        if changed_supervisor and supervisor is not None:
            # A request to someone no longer named is settled.
            notifications_done(application, kinds=[notices.SUPERVISION_REQUEST])
            notify([notices.supervision_request(application, supervisor=supervisor)])
    return application


def _supervisor_from_email(email: str | None, *, applicant: User) -> User:
    email = (email or "").strip()
    if not email:
        raise ValidationError(
            {
                "supervisor_email": "Enter your supervisor's email address for provisional "
                "accreditation."
            }
        )
    supervisor = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
    if supervisor is None:
        raise ValidationError(
            {
                "supervisor_email": "There is no account with that email address. Ask your "
                "supervisor to create an account first."
            }
        )
    if supervisor.pk == applicant.pk:
        raise ValidationError({"supervisor_email": "You cannot supervise yourself."})
    return supervisor


# Supervision


def _supervision_answer(
    *,
    application: AccreditationApplication,
    by: User,
    request: HttpRequest | None,
    confirmed: bool,
) -> AccreditationApplication:
    with transaction.atomic():
        application = _lock(application)
        check_user_is_named_supervisor(by, application)
        if application.state not in AccreditationApplication.OPEN:
            raise ValidationError("This application has been decided, so supervision is settled.")
        now = timezone.now()
        if confirmed:
            application.supervisor_confirmed_at = now
            application.supervisor_declined_at = None
        else:
            application.supervisor_declined_at = now
            application.supervisor_confirmed_at = None
        application.save(
            update_fields=["supervisor_confirmed_at", "supervisor_declined_at", "updated_at"]
        )
        verb = "confirm" if confirmed else "decline"
        audit_record(
            actor=by,
            action=f"accreditation_application.supervision_{verb}",
            obj=application,
            payload={"supervisor": by.pk},
            request=request,
        )
        notifications_done(application, kinds=[notices.SUPERVISION_REQUEST])  # answered
        notify([notices.supervision_answered(application, supervisor=by, confirmed=confirmed)])
    return application


def supervision_confirm(
    *, application: AccreditationApplication, by: User, request: HttpRequest | None = None
) -> AccreditationApplication:
    """The named supervisor agrees to supervise the applicant."""
    return _supervision_answer(application=application, by=by, request=request, confirmed=True)


def supervision_decline(
    *, application: AccreditationApplication, by: User, request: HttpRequest | None = None
) -> AccreditationApplication:
    """The named supervisor will not supervise the applicant."""
    return _supervision_answer(application=application, by=by, request=request, confirmed=False)


# The application's steps


def application_submit(
    *, application: AccreditationApplication, by: User, request: HttpRequest | None = None
) -> AccreditationApplication:
    """Send the application to the secretariat, once every submission condition is met."""
    with transaction.atomic():
        application = transition_fire(
            obj=application,
            transition="submit",
            by=by,
            request=request,
            payload={"kind": application.kind},
        )
    return application


def application_withdraw(
    *, application: AccreditationApplication, by: User, request: HttpRequest | None = None
) -> AccreditationApplication:
    """The applicant withdraws an application before it is decided."""
    return transition_fire(obj=application, transition="withdraw", by=by, request=request)


def application_screen(
    *,
    application: AccreditationApplication,
    checks: Iterable[str],
    by: User,
    request: HttpRequest | None = None,
) -> AccreditationApplication:
    """Record which screening checks the secretariat has ticked on a submitted application."""
    with transaction.atomic():
        application = _lock(application)
        check_user_can_screen(by)
        check_user_may_fire(application, "approve", by)
        known = {key for key, _ in screening_checks_needed(application)}
        ticked = {key: key in set(checks) for key in sorted(known)}
        application.screening = ticked
        application.save(update_fields=["screening", "updated_at"])
        audit_record(
            actor=by,
            action="accreditation_application.screen",
            obj=application,
            payload={"screening": ticked},
            request=request,
        )
    return application


def application_return(
    *,
    application: AccreditationApplication,
    comments: str | None,
    by: User,
    request: HttpRequest | None = None,
) -> AccreditationApplication:
    """Send the application back to the applicant with what to change."""
    comments = _required(comments, "comments", "Enter what the applicant needs to change.")
    with transaction.atomic():
        application = transition_fire(
            obj=application,
            transition="return_to_applicant",
            by=by,
            request=request,
            # What the secretariat wrote to the applicant, sealed under the applicant's key.
            person=application.applicant_id,
            personal={"comments": comments},
            comments=comments,
        )
    return application


def application_approve(
    *,
    application: AccreditationApplication,
    level: str,
    by: User,
    request: HttpRequest | None = None,
    reasons: str = "",
) -> Accreditation:
    """Approve the application at ``level`` and create the accreditation it grants.

    Full accreditation only for an applicant meeting the full criteria; provisional only with a
    confirmed supervisor. The accreditation starts today and lasts the years the settings give
    for its level. Returns the new ``Accreditation``.
    """
    if level not in Level.values:
        raise ValidationError({"level": "Choose full or provisional accreditation."})
    with transaction.atomic():
        locked = _lock(application)
        # Who may decide is checked before the level is recorded, so a refused person changes
        # nothing even for the length of the transaction.
        check_user_may_fire(locked, "approve", by)
        requested = locked.kind
        if locked.kind != level:
            AccreditationApplication.objects.filter(pk=locked.pk).update(kind=level)
        application = transition_fire(
            obj=locked,
            transition="approve",
            by=by,
            request=request,
            payload={"level": level, "requested": requested},
            person=locked.applicant_id,
            personal={"reasons": reasons},
            reasons=reasons,
        )
        valid_from, valid_until = validity_for(level, start=timezone.localdate())
        accreditation = Accreditation.objects.create(
            researcher=application.applicant,
            application=application,
            level=level,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        audit_record(
            actor=by,
            action="accreditation.grant",
            obj=accreditation,
            to_state=accreditation.state,
            payload={
                "level": level,
                "valid_from": valid_from.isoformat(),
                "valid_until": valid_until.isoformat(),
                "application": application.pk,
            },
            request=request,
        )
        access_changed(
            people=[accreditation.researcher_id, *_supervised_by(accreditation.researcher_id)],
            reason="Accreditation granted",
        )
    return accreditation


def application_reject(
    *,
    application: AccreditationApplication,
    reasons: str | None,
    by: User,
    request: HttpRequest | None = None,
) -> AccreditationApplication:
    """Refuse the application, saying why."""
    reasons = _required(reasons, "reasons", "Enter the reasons for rejecting the application.")
    with transaction.atomic():
        application = transition_fire(
            obj=application,
            transition="reject",
            by=by,
            request=request,
            person=application.applicant_id,
            personal={"reasons": reasons},
            reasons=reasons,
        )
    return application


# The accreditation's steps


def _accreditation_step(
    *,
    accreditation: Accreditation,
    transition: str,
    reasons: str,
    by: User | None,
    request: HttpRequest | None,
) -> Accreditation:
    # Expiry has no reasons: the end date is the reason.
    kwargs: dict[str, Any] = {"reasons": reasons} if transition != "expire" else {}
    with transaction.atomic():
        accreditation = transition_fire(
            obj=accreditation,
            transition=transition,
            by=by,
            request=request,
            person=accreditation.researcher_id,
            personal={"reasons": reasons} if reasons else None,
            **kwargs,
        )
        # The researcher's access everywhere follows their accreditation, in this transaction,
        # and so does that of the provisional researchers they supervise.
        access_changed(
            people=[accreditation.researcher_id, *_supervised_by(accreditation.researcher_id)],
            reason=_ACCESS_REASONS[transition],
        )
    return accreditation


def _supervised_by(researcher_id: int) -> list[int]:
    """Those whose provisional accreditation in force names ``researcher_id`` as supervisor."""
    return list(
        Accreditation.objects.filter(
            application__supervisor_id=researcher_id,
            level=Level.PROVISIONAL,
            state=Accreditation.State.ACTIVE,
        ).values_list("researcher_id", flat=True)
    )


_ACCESS_REASONS = {
    "suspend": "Accreditation suspended",
    "revoke": "Accreditation revoked",
    "reinstate": "Accreditation reinstated",
    "expire": "Accreditation expired",
}


def accreditation_suspend(
    *,
    accreditation: Accreditation,
    reasons: str | None,
    by: User,
    request: HttpRequest | None = None,
) -> Accreditation:
    """Suspend an active accreditation, saying why; the researcher loses access at once."""
    reasons = _required(reasons, "reasons", "Enter the reasons for suspending the accreditation.")
    return _accreditation_step(
        accreditation=accreditation,
        transition="suspend",
        reasons=reasons,
        by=by,
        request=request,
    )


def accreditation_revoke(
    *,
    accreditation: Accreditation,
    reasons: str | None,
    by: User,
    request: HttpRequest | None = None,
) -> Accreditation:
    """Revoke an active or suspended accreditation for good, saying why."""
    reasons = _required(reasons, "reasons", "Enter the reasons for revoking the accreditation.")
    return _accreditation_step(
        accreditation=accreditation,
        transition="revoke",
        reasons=reasons,
        by=by,
        request=request,
    )


def accreditation_reinstate(
    *,
    accreditation: Accreditation,
    by: User,
    reasons: str | None = "",
    request: HttpRequest | None = None,
) -> Accreditation:
    """Lift a suspension on an accreditation still within its dates."""
    return _accreditation_step(
        accreditation=accreditation,
        transition="reinstate",
        reasons=(reasons or "").strip(),
        by=by,
        request=request,
    )


def accreditation_expire(*, accreditation: Accreditation) -> Accreditation:
    """The service expires one accreditation past its last valid day."""
    return _accreditation_step(
        accreditation=accreditation,
        transition="expire",
        reasons="",
        by=None,
        request=None,
    )


def accreditations_expire_lapsed() -> int:
    """Expire every active accreditation past its end date; return how many expired.

    Safe to run again: an accreditation already expired is no longer active, so it is not
    picked up twice, and one that another run expired meanwhile is skipped.
    """
    expired = 0
    for accreditation in selectors.accreditations_lapsed().order_by("pk").iterator():
        try:
            accreditation_expire(accreditation=accreditation)
        except TransitionRefused:
            continue
        expired += 1
    logger.info("Expired %d lapsed accreditation(s)", expired)
    return expired
