"""Reminders about accreditations, accredited researchers' training and stale draft applications.

Registered in ``notifications.hooks`` from ``AccreditationConfig.ready()``;
``notifications.reminders.reminders_sweep`` sends them. Each rule says which objects may be due
today, the day each is due, and who is told.
"""

from datetime import timedelta
from functools import cache

from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse

from notifications.hooks import ReminderRule
from notifications.stale_drafts import stale_draft_rules
from researchers.models import TrainingRecord

from .dates import add_years, training_refresh_day, training_refresh_years
from .levels import Level
from .models import Accreditation, AccreditationApplication

# Days before an accreditation's last valid day that its holder is reminded; 0 is that day.
EXPIRY_LEADS = (90, 30, 7, 0)
# Days before a provisional researcher's training is too old that they are reminded.
TRAINING_LEAD = 30

ACTIVE = Accreditation.State.ACTIVE
DRAFT = AccreditationApplication.State.DRAFT


def _researcher(accreditation, audience):
    return [accreditation.researcher]


def _applicant(application, audience):
    return [application.applicant]


@cache
def _page(name):
    """The address of a page that takes no arguments, worked out once: a sweep links thousands
    of reminders to the same page, and working an address out costs more than the rest of
    the reminder's link."""
    return reverse(name)


def _application_link(_obj):
    return _page("accreditation:application_detail")


# Accreditations running out.


def _renewing():
    """Accreditations whose holder has already sent a renewal: nothing to remind them of."""
    return AccreditationApplication.objects.filter(
        renewal_of__isnull=False,
        state__in=AccreditationApplication.SENT,
    ).values("renewal_of")


def _expiring_rule(lead, next_lead):
    def candidates(today):
        # From the reminder's day until the next one's, so a missed sweep still sends it.
        nearest = next_lead + 1 if next_lead is not None else 0
        return (
            Accreditation.objects.filter(
                state=ACTIVE,
                valid_until__gte=today + timedelta(days=nearest),
                valid_until__lte=today + timedelta(days=lead),
            )
            .exclude(pk__in=_renewing())
            .select_related("researcher")
        )

    def due_date(accreditation):
        return accreditation.valid_until - timedelta(days=lead)

    def context(accreditation):
        return {"accreditation": accreditation, "days": lead}

    if lead:
        subject = f"Your accreditation ends in {lead} days: renew it now"
    else:
        subject = "Your accreditation ends today"
    return ReminderRule(
        kind=f"accreditation_expiring_{lead}",
        candidates=candidates,
        due_date=due_date,
        recipients=_researcher,
        subject=subject,
        template="reminder_accreditation_expiring",
        action_text="Renew your accreditation",
        link=_application_link,
        context=context,
        summary="Start a renewal application before your accreditation ends.",
    )


EXPIRING_RULES = [
    _expiring_rule(lead, next_lead)
    for lead, next_lead in zip(EXPIRY_LEADS, (*EXPIRY_LEADS[1:], None), strict=True)
]


# Accredited researchers' training.


def _training_refresh_day(accreditation):
    """The day an accredited researcher's latest training must be refreshed by: sooner for
    provisional accreditation (``accreditation.dates.training_refresh_years``)."""
    latest = accreditation.latest_training
    if latest is None:
        return None
    return training_refresh_day(latest, accreditation.level)


def _accredited_with_training(today, *, due_from, due_until):
    """Active accreditations whose training refresh day is in the given range, each level by
    its own refresh period; a level whose training needs no refresh has none.

    The latest training is in a range when some training is in it and the latest is not
    later: the database finds the few researchers with training in the range first, and works
    out the latest training of those alone, instead of every researcher's for each batch the
    sweep reads.
    """
    records = TrainingRecord.objects.filter(user=OuterRef("researcher_id"))
    ranges = Q()
    for level in Level:
        years = training_refresh_years(level)
        if years is None:
            continue
        # A day either side of the range for leap days; the due date is then exact.
        earliest = add_years(due_from, -years) - timedelta(days=1)
        latest = add_years(due_until, -years) + timedelta(days=1)
        ranges |= (
            Q(level=level)
            & Exists(records.filter(passed_on__gte=earliest, passed_on__lte=latest))
            & Q(latest_training__lte=latest)
        )
    if not ranges:
        return Accreditation.objects.none()
    return (
        Accreditation.objects.filter(state=ACTIVE)
        .annotate(latest_training=Subquery(records.order_by("-passed_on").values("passed_on")[:1]))
        .filter(ranges)
        .select_related("researcher")
    )


def _training_candidates_ahead(today):
    return _accredited_with_training(
        today, due_from=today + timedelta(days=1), due_until=today + timedelta(days=TRAINING_LEAD)
    )


def _training_candidates_due(today):
    # Catch-up of a month: after that the researcher has been told already, or never will be.
    return _accredited_with_training(
        today, due_from=today - timedelta(days=TRAINING_LEAD), due_until=today
    )


def _training_ahead_day(accreditation):
    day = _training_refresh_day(accreditation)
    return None if day is None else day - timedelta(days=TRAINING_LEAD)


def _training_context(accreditation):
    return {"accreditation": accreditation, "refresh_day": _training_refresh_day(accreditation)}


def _profile_link(_obj):
    return _page("researchers:profile")


TRAINING_RULES = [
    ReminderRule(
        kind="training_refresh_soon",
        candidates=_training_candidates_ahead,
        due_date=_training_ahead_day,
        recipients=_researcher,
        subject=f"Refresh your Safe Researcher Training within {TRAINING_LEAD} days",
        template="reminder_training_refresh",
        action_text="Add your new training certificate",
        link=_profile_link,
        context=_training_context,
        summary="Take Safe Researcher Training again and add the new certificate.",
    ),
    ReminderRule(
        kind="training_refresh_due",
        candidates=_training_candidates_due,
        due_date=_training_refresh_day,
        recipients=_researcher,
        subject="Your Safe Researcher Training needs refreshing now",
        template="reminder_training_refresh",
        action_text="Add your new training certificate",
        link=_profile_link,
        context=_training_context,
        summary="Take Safe Researcher Training again and add the new certificate.",
    ),
]


# Draft applications nobody has touched.

DRAFT_RULES = stale_draft_rules(
    kind="accreditation_application",
    model=AccreditationApplication,
    draft_state=DRAFT,
    owner="applicant",
    noun="accreditation application",
    short_noun="application",
    link=_application_link,
    withdrawn_action_text="Start a new application",
    name="application",
)


RULES = (*EXPIRING_RULES, *TRAINING_RULES, *DRAFT_RULES)
