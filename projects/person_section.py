"""The projects section of the secretariat's person page, registered into
``researchers.hooks`` from ``ProjectsConfig.ready()``."""

from projects.proposal.selectors import proposals_for_user
from researchers.hooks import PersonSection


def _context(*, person, viewer):
    return {"person_projects": list(proposals_for_user(person))}


PERSON_SECTION = PersonSection(
    name="projects",
    template="projects/includes/person_projects.html",
    context=_context,
    order=20,
)
