"""The accreditation section of the secretariat's person page, registered into
``researchers.hooks`` from ``AccreditationConfig.ready()``."""

from researchers.hooks import PersonSection
from workflow.services import user_may_fire

from .selectors import accreditation_standing


def _context(*, person, viewer):
    standing = accreditation_standing(person)
    accreditation = standing.accreditation
    steps = []
    if accreditation is not None:
        steps = [
            (name, label)
            for name, label in (
                ("suspend", "Suspend accreditation"),
                ("reinstate", "Reinstate accreditation"),
                ("revoke", "Revoke accreditation"),
            )
            if user_may_fire(accreditation, name, viewer)
        ]
    return {"standing": standing, "accreditation_steps": steps}


PERSON_SECTION = PersonSection(
    name="accreditation",
    template="accreditation/includes/person_accreditation.html",
    context=_context,
    order=10,
)
