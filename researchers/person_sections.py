"""Sections of the secretariat's page about a person that apps above this one fill in.

The person page shows what the person holds across the service: their accreditation, their
projects. Those live in apps that build on this one, which this app never imports (DESIGN.md,
"Layout"), so each such app declares its section here from its ``AppConfig.ready()``: a
template, and a read that gives the template its context in a fixed number of queries.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PersonSection:
    """``template`` rendered with ``context(person=..., viewer=...)`` on the person page, in
    ``order`` (smallest first)."""

    name: str
    template: str
    context: Callable
    order: int = 100


_sections = {}


def person_sections_register(*sections):
    """Add each section, once however often the registering app starts."""
    for section in sections:
        _sections[section.name] = section


def person_sections(*, person, viewer):
    """``[(template, context)]`` for every registered section, in order."""
    return [
        (section.template, section.context(person=person, viewer=viewer))
        for section in sorted(_sections.values(), key=lambda s: (s.order, s.name))
    ]
