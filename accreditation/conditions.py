"""Rules a step must meet before it can be taken. Each rule's ``message`` is the sentence shown
to the user when the rule is not met yet.

A rule that only applies to one route (full or provisional) is met on the other, and a rule
that builds on another (the supervisor's organisation builds on there being a supervisor) is
met while the one it builds on is not, so each missing thing is said once.
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from researchers import criteria

from .dates import add_years
from .levels import Level

if TYPE_CHECKING:
    from .models import AccreditationApplication

# Screening checks the secretariat ticks, in the order the page lists them.
SCREENING_CHECKS = (
    ("identity", "Identity and organisation checked"),
    ("qualifications", "Qualifications evidence checked"),
    ("training", "Training certificate checked"),
    ("declaration", "Confidentiality declaration signed on the current version"),
    ("supervisor", "Supervisor suitable (provisional accreditation only)"),
)


def screening_checks_needed(application: "AccreditationApplication") -> list[tuple[str, str]]:
    """The screening checks this application needs: the supervisor only when provisional."""
    return [
        (key, label)
        for key, label in SCREENING_CHECKS
        if key != "supervisor" or application.kind == Level.PROVISIONAL
    ]


def _supervisor_accreditation(application):
    from .selectors import accreditation_active_for

    if application.supervisor_id is None:
        return None
    return accreditation_active_for(application.supervisor)


def _organisation(user):
    profile = getattr(user, "profile", None)
    if profile is None or profile.organisation is None:
        return None
    if not profile.organisation.is_approved:
        return None
    return profile.organisation


# Submission


def route_chosen(application):
    return bool(application.kind)


route_chosen.message = "Choose full accreditation, or provisional accreditation under a supervisor."


def full_criteria_met(application):
    if application.kind != Level.FULL:
        return True
    return criteria.user_meets_full_criteria(application.applicant)


full_criteria_met.message = (
    "For full accreditation, add a degree with substantial quantitative content at 2:2 or "
    "better, or at least "
    f"{settings.ACCREDITATION_FULL_EXPERIENCE_YEARS} years' quantitative "
    "research experience."
)


def supervisor_fully_accredited(application):
    if application.kind != Level.PROVISIONAL:
        return True
    accreditation = _supervisor_accreditation(application)
    return accreditation is not None and accreditation.level == Level.FULL


supervisor_fully_accredited.message = (
    "For provisional accreditation, name a supervisor who holds active full accreditation."
)


def supervisor_same_organisation(application):
    if application.kind != Level.PROVISIONAL or application.supervisor_id is None:
        return True
    mine = _organisation(application.applicant)
    return mine is not None and mine == _organisation(application.supervisor)


supervisor_same_organisation.message = (
    "Your supervisor must belong to the same approved organisation as you."
)


def supervisor_confirmed(application):
    if application.kind != Level.PROVISIONAL or application.supervisor_id is None:
        return True
    return (
        application.supervisor_confirmed_at is not None
        and application.supervisor_declined_at is None
    )


supervisor_confirmed.message = (
    "Your supervisor must confirm in the service that they will supervise you."
)


def training_passed(application):
    return criteria.user_training_passed(application.applicant)


training_passed.message = "Add a record of passing Safe Researcher Training."


def provisional_training_since():
    """The earliest training date a provisional applicant may rely on."""
    return add_years(timezone.localdate(), -settings.PROVISIONAL_TRAINING_MAX_AGE_YEARS)


def training_recent_for_provisional(application):
    if application.kind != Level.PROVISIONAL:
        return True
    if not criteria.user_training_passed(application.applicant):
        return True
    return criteria.user_training_passed(application.applicant, since=provisional_training_since())


training_recent_for_provisional.message = (
    "For provisional accreditation, you must have passed Safe Researcher Training within the "
    f"last {settings.PROVISIONAL_TRAINING_MAX_AGE_YEARS} years."
)


def declaration_signed(application):
    return criteria.user_declaration_signed_current(application.applicant)


declaration_signed.message = "Sign the current version of the confidentiality declaration."


def register_consent_given(application):
    return application.register_consent


register_consent_given.message = (
    "Agree to your name, organisation and accreditation appearing on the public register."
)


def publish_commitment_given(application):
    return application.publish_commitment


publish_commitment_given.message = "Commit to publishing the results of your research."


def profile_complete(application):
    return criteria.user_profile_complete(application.applicant)


profile_complete.message = (
    "Complete your profile: your name, an approved organisation and your work contact details."
)


SUBMISSION_CONDITIONS = [
    profile_complete,
    route_chosen,
    full_criteria_met,
    supervisor_fully_accredited,
    supervisor_same_organisation,
    supervisor_confirmed,
    training_passed,
    training_recent_for_provisional,
    declaration_signed,
    register_consent_given,
    publish_commitment_given,
]

# The submission rules that belong to one route only, and are met on the other.
ROUTE_ONLY = {
    full_criteria_met: Level.FULL,
    supervisor_fully_accredited: Level.PROVISIONAL,
    supervisor_same_organisation: Level.PROVISIONAL,
    supervisor_confirmed: Level.PROVISIONAL,
    training_recent_for_provisional: Level.PROVISIONAL,
}


def submission_rules_for(application):
    """``[(rule, met, needed)]`` for the screening page: ``needed`` is False for a rule of the
    other route than the one chosen, which is met only because it does not apply."""
    rows = []
    for rule in SUBMISSION_CONDITIONS:
        route = ROUTE_ONLY.get(rule)
        needed = route is None or not application.kind or application.kind == route
        rows.append((rule, rule(application), needed))
    return rows


# Decision


def kind_chosen(application):
    return bool(application.kind)


kind_chosen.message = "Choose full or provisional accreditation before approving the application."


def screening_complete(application):
    ticked = application.screening or {}
    return all(ticked.get(key) for key, _ in screening_checks_needed(application))


screening_complete.message = "Tick every screening check before approving the application."


def full_level_meets_criteria(application):
    if application.kind != Level.FULL:
        return True
    return criteria.user_meets_full_criteria(application.applicant)


full_level_meets_criteria.message = (
    "Full accreditation needs a degree with substantial quantitative content at 2:2 or better, "
    f"or at least {settings.ACCREDITATION_FULL_EXPERIENCE_YEARS} years' "
    "quantitative research experience: approve provisional accreditation instead."
)


def provisional_level_has_supervisor(application):
    if application.kind != Level.PROVISIONAL:
        return True
    return (
        application.supervisor_id is not None
        and supervisor_fully_accredited(application)
        and supervisor_same_organisation(application)
        and supervisor_confirmed(application)
    )


provisional_level_has_supervisor.message = (
    "Provisional accreditation needs a fully accredited supervisor from the applicant's "
    "organisation who has confirmed."
)


# Accreditation


def within_validity(accreditation):
    return accreditation.valid_until >= timezone.localdate()


within_validity.message = (
    "An accreditation past its end date cannot be reinstated: the researcher applies again."
)


def past_end_date(accreditation):
    return accreditation.valid_until < timezone.localdate()


past_end_date.message = "An accreditation expires only after its end date."
