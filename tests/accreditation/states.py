"""Accreditation applications and accreditations brought to any state through the services, as
the applicant, their supervisor and the secretariat would take them there."""

import contextlib

import time_machine

from accreditation import services
from accreditation.conditions import SCREENING_CHECKS
from accreditation.models import Accreditation, AccreditationApplication, Level
from tests.accreditation.factories import (
    AccreditationApplicationFactory,
    AccreditationFactory,
    ApplicantFactory,
)
from tests.factories import secretariat_for

State = AccreditationApplication.State


def application_at(state, *, by=None, screened=True, on=None, **kwargs):
    """An application taken to ``state`` through the services: a draft meeting every submission
    rule (``AccreditationApplicationFactory`` keywords), submitted by its applicant, its
    screening checks all ticked by the secretariat member ``by`` (a new one by default) unless
    ``screened=False``, then returned, approved at the level asked for, rejected or withdrawn.
    ``on`` (a datetime) takes the steps at that moment."""
    state = State(state)
    clock = time_machine.travel(on, tick=False) if on else contextlib.nullcontext()
    with clock:
        application = AccreditationApplicationFactory(**kwargs)
        applicant = application.applicant
        if state == State.DRAFT:
            return application
        if state == State.WITHDRAWN:
            return services.application_withdraw(application=application, by=applicant)
        application = services.application_submit(application=application, by=applicant)
        if state == State.SUBMITTED and not screened:
            return application
        by = by or secretariat_for([applicant])
        if state == State.RETURNED:
            return services.application_return(
                application=application, comments="Add your training certificate.", by=by
            )
        if state == State.REJECTED:
            return services.application_reject(
                application=application, reasons="The degree has no quantitative content.", by=by
            )
        checks = [key for key, _ in SCREENING_CHECKS]
        application = services.application_screen(application=application, checks=checks, by=by)
        if state == State.APPROVED:
            services.application_approve(application=application, level=application.kind, by=by)
            application.refresh_from_db()
    return application


def application_submitted(**kwargs):
    """An application taken to ``submitted`` through the services, not screened yet."""
    return application_at(State.SUBMITTED, screened=False, **kwargs)


def application_screened(*, by, **kwargs):
    """An application submitted through the services, with every screening check ticked."""
    return application_at(State.SUBMITTED, by=by, **kwargs)


def supervisor_for(applicant, **kwargs):
    """A fully accredited researcher from ``applicant``'s organisation."""
    supervisor = ApplicantFactory(ready__organisation=applicant.profile.organisation, **kwargs)
    AccreditationFactory(researcher=supervisor)
    return supervisor


def provisional_application(**kwargs):
    """A draft on the provisional route naming a fully accredited supervisor from the applicant's
    organisation, who has not answered yet: ``(application, supervisor)``."""
    application = AccreditationApplicationFactory(applicant__ready__qualified=False, **kwargs)
    supervisor = supervisor_for(application.applicant)
    services.application_update(
        application=application,
        by=application.applicant,
        kind=Level.PROVISIONAL,
        supervisor_email=supervisor.email,
        register_consent=True,
        publish_commitment=True,
    )
    return application, supervisor


def accreditation_at(state, *, by=None, reasons="Under investigation.", **kwargs):
    """An accreditation (``AccreditationFactory`` keywords) suspended, revoked or expired
    through the services; an expired one needs a ``valid_until`` in the past."""
    state = Accreditation.State(state)
    accreditation = AccreditationFactory(**kwargs)
    if state == Accreditation.State.EXPIRED:
        return services.accreditation_expire(accreditation=accreditation)
    by = by or secretariat_for([accreditation.researcher])
    if state == Accreditation.State.SUSPENDED:
        return services.accreditation_suspend(accreditation=accreditation, reasons=reasons, by=by)
    if state == Accreditation.State.REVOKED:
        return services.accreditation_revoke(accreditation=accreditation, reasons=reasons, by=by)
    return accreditation
