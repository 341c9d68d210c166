"""Reducing a record to an anonymous one that keeps the registers' and reports' figures true.

The reports count applications and proposals by state, by month and by the organisation of
the person who made them, read through that person's profile. An anonymous record must drop
the person and keep their organisation, so it is handed to a *stand-in*: one account per
organisation (and one for no organisation), which cannot sign in, holds no role, is on no
register and names nobody. Its profile gives the organisation the person had when the record
was reduced, so every count by organisation, state and month comes out as before; the free
text, the other people named and the files go. The stand-ins are made when first needed and
kept: the same two queries whatever the number of records.
"""

from collections.abc import Iterable

from django.contrib.auth.hashers import make_password
from django.db.models import Case, IntegerField, Value, When

from researchers.models import ResearcherProfile, User

STAND_IN_DOMAIN = "anonymised.invalid"
STAND_IN_NAME = "Anonymised record"


def stand_in_email(organisation_id: int | None) -> str:
    return f"organisation-{organisation_id or 'none'}@{STAND_IN_DOMAIN}"


def is_stand_in(email_field: str) -> dict[str, str]:
    """A filter for rows whose ``email_field`` (a path to a user's email) names a stand-in."""
    return {f"{email_field}__endswith": f"@{STAND_IN_DOMAIN}"}


def stand_ins_for(people: Iterable[int]) -> dict[int, int]:
    """For each of ``people`` (user ids), the id of their organisation's stand-in, made when
    there is none yet; in a fixed number of queries."""
    people = set(people)
    if not people:
        return {}
    organisation_of = dict.fromkeys(people)
    organisation_of.update(
        ResearcherProfile.objects.filter(user__in=people).values_list("user", "organisation")
    )
    emails = {
        stand_in_email(organisation): organisation for organisation in organisation_of.values()
    }
    existing = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))
    missing = [email for email in emails if email not in existing]
    if missing:
        made = User.objects.bulk_create(
            User(
                email=email,
                full_name=STAND_IN_NAME,
                is_active=False,
                password=make_password(None),
            )
            for email in missing
        )
        ResearcherProfile.objects.bulk_create(
            ResearcherProfile(user=user, organisation_id=emails[user.email]) for user in made
        )
        existing.update({user.email: user.pk for user in made})
    return {
        person: existing[stand_in_email(organisation)]
        for person, organisation in organisation_of.items()
    }


def person_replaced(field: str, rows: dict[int, int]) -> dict[str, Case]:
    """An ``update()`` argument setting ``field`` of each row (``{row id: person id}``) to its
    person's stand-in, in one statement."""
    stand_ins = stand_ins_for(rows.values())
    return {
        f"{field}_id": Case(
            *(When(pk=pk, then=Value(stand_ins[person])) for pk, person in rows.items()),
            output_field=IntegerField(),
        )
    }
