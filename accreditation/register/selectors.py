"""The public register of accredited researchers: who holds accreditation today.

The register is worked out from the accreditations themselves, so a suspension, revocation
or end date takes a researcher off it at once, without waiting for the daily expiry task: a
page of results kept for everyone (``govuk.search.search_page``) is set aside by every step of
an accreditation (``register_changed``) and at midnight. Only researchers who consented, in the
application that accredited them, to appear are listed.
"""

from django.db.models import Case, CharField, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone

from accreditation.models import Accreditation
from govuk.search import kept_results_renew
from researchers.models import Organisation


def register_changed(event):
    """After a committed transition: a step of an application or an accreditation (a grant, a
    suspension, a revocation) sets the registers' kept results aside, so it shows at once."""
    if event.label.startswith("accreditation."):
        kept_results_renew()


def _in_force(accreditations, on):
    return accreditations.filter(
        state=Accreditation.State.ACTIVE,
        valid_from__lte=on,
        valid_until__gte=on,
    )


def register_entries(*, on=None):
    """Accreditations in force on ``on`` (today by default), one per consenting researcher.

    Each carries ``name``, ``organisation`` (empty unless the organisation is on the
    secretariat's approved list, since the register is public), ``level`` and
    ``valid_until``, read in one query. A researcher holding two accreditations at once (a
    renewal approved before the old one ends) is listed once, by the one that lasts longest.

    Ordered by name, then by researcher for people who share a name: one entry per
    researcher, so the pair is unique and the register can be paged by it.
    """
    on = on or timezone.localdate()
    superseded = _in_force(
        Accreditation.objects.filter(researcher=OuterRef("researcher")), on
    ).filter(
        Q(valid_until__gt=OuterRef("valid_until"))
        | Q(valid_until=OuterRef("valid_until"), pk__gt=OuterRef("pk"))
    )
    return (
        _in_force(Accreditation.objects.all(), on)
        .filter(researcher__is_active=True, application__register_consent=True)
        .exclude(Exists(superseded))
        .annotate(
            name=F("researcher__full_name"),
            organisation=Case(
                When(
                    researcher__profile__organisation__status=Organisation.Status.APPROVED,
                    then=F("researcher__profile__organisation__name"),
                ),
                default=Value(""),
                output_field=CharField(),
            ),
        )
        .only("level", "valid_until", "state", "researcher")
        .order_by("name", "researcher_id")
    )
