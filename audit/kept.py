"""Lists worked out from the records, kept rendered for whoever asks for the same page until
the audit trail records a change to what they list."""

from dataclasses import dataclass

from django.conf import settings

from .selectors import audit_generation, person_generation


@dataclass(frozen=True)
class Kept:
    """How long a rendered list stays kept (``seconds``) and what it is kept under (``key``),
    for the template's ``{% cache kept.seconds "name" kept.key %}``."""

    seconds: int
    key: str


def kept_for_staff(*object_types, vary=(), latest=None):
    """A staff list of ``object_types`` records (all records when none), kept for
    ``STAFF_LISTS_KEPT_SECONDS`` under the latest event about them, the day and ``vary``: the
    already-checked choices that make one page of the list differ from another (filters, page
    number, and the person, where the list is their own). Nothing a request carries unchecked
    goes into the key, so no one can fill the cache with pages of their own making.

    A list kept this way must not hold anything one member of staff may see and another may
    not, unless ``vary`` names the person; the pages a row links to check permission again.
    ``latest`` is the latest event about them, when the caller has read it already.
    """
    generation = audit_generation(*object_types, latest=latest)
    key = ":".join([generation, *(str(part) for part in vary)])
    return Kept(seconds=settings.STAFF_LISTS_KEPT_SECONDS, key=key)


def kept_for_person(person_id, *object_types, seconds, vary=()):
    """A part of ``person_id``'s own page kept for ``seconds``, for them alone, under the latest
    event about something of theirs it shows, the latest about any object of ``object_types``
    (``person_generation``) and ``vary`` (a page number)."""
    key = ":".join([str(person_id), person_generation(person_id, *object_types), *map(str, vary)])
    return Kept(seconds=seconds, key=key)
