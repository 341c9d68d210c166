"""Lists worked out from the records, kept rendered for whoever asks for the same page until
the audit trail records a change to what they list."""

from dataclasses import dataclass

from django.conf import settings

from .selectors import audit_generation


@dataclass(frozen=True)
class Kept:
    """How long a rendered list stays kept (``seconds``) and what it is kept under (``key``),
    for the template's ``{% cache kept.seconds "name" kept.key %}``."""

    seconds: int
    key: str


def kept_for_staff(*object_types, vary=()):
    """A staff list of ``object_types`` records (all records when none), kept for
    ``STAFF_LISTS_KEPT_SECONDS`` under the latest event about them, the day and ``vary``: the
    already-checked choices that make one page of the list differ from another (filters, page
    number, and the person, where the list is their own). Nothing a request carries unchecked
    goes into the key, so no one can fill the cache with pages of their own making.

    A list kept this way must not hold anything one member of staff may see and another may
    not, unless ``vary`` names the person; the pages a row links to check permission again.
    """
    key = ":".join([audit_generation(*object_types), *(str(part) for part in vary)])
    return Kept(seconds=settings.STAFF_LISTS_KEPT_SECONDS, key=key)
