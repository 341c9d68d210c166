"""What apps above researchers fill in, from their ``AppConfig.ready()``, so it never imports
them (DESIGN.md, "Layout").

- Role grants: what a role gives beyond its group, and how taking the role away ends it. A role
  is a group (``identity.roles``) and every page asks for the group on each request, so taking
  the group away closes those pages at once. Some roles also give things that would outlive the
  group unless they are ended: a panel reviewer's assignments, each giving access to its
  proposal; an output checker's open review; a data owner's place as a department's
  representative. Each app those belong to declares what its roles give, and the service that
  ends it, in its own ``role_grants.py`` (``RoleGrant``), and registers them here
  (``role_grants_register``). ``services.roles_set`` and ``services.role_revoke`` end every
  grant of a role inside the transaction that takes the group away: the role and all it gave
  go together, or nothing changes. A role with nothing registered gives nothing but its group.
- Person sections: the parts of the secretariat's page about a person that show what the person
  holds elsewhere in the service (their accreditation, their projects). Each app declares its
  section in its own ``person_section.py`` (``PersonSection``: a template, and a read that gives
  it its context in a fixed number of queries), and registers it here
  (``person_sections_register``).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from identity.roles import Role

if TYPE_CHECKING:
    from django.http import HttpRequest

    from researchers.models import User

# Role grants


@dataclass(frozen=True)
class RoleGrant:
    """Something ``role`` gives a person beyond the group, and how it ends.

    ``gives``: what it is, in words.
    ``held(user)``: what ``user`` holds of it now, as a list; empty once it has ended.
    ``end(*, user, by, request)``: the service that ends all of it for ``user``, recording
    each ending in the audit trail and telling whoever must act. It runs after the group has
    been taken away, inside the same transaction.
    """

    role: Role
    gives: str
    held: Callable
    end: Callable


_grants = {}


def role_grants_register(*grants):
    """Add each grant to its role's, once however often the registering app starts."""
    for grant in grants:
        role = Role(grant.role)
        existing = _grants.get(role, ())
        if grant not in existing:
            _grants[role] = (*existing, grant)


def role_grants(role):
    """What ``role`` gives beyond its group, in the order the apps registered it."""
    return _grants.get(Role(role), ())


def role_grants_end(
    *, user: "User", role: Role, by: "User | None", request: "HttpRequest | None" = None
) -> None:
    """End everything ``role`` gave ``user``: called by the services that take the role away."""
    for grant in role_grants(role):
        grant.end(user=user, by=by, request=request)


def role_grants_held(*, user, role):
    """``{grant: [what user holds of it]}`` for every grant of ``role`` ``user`` holds a part of."""
    held = {grant: list(grant.held(user)) for grant in role_grants(role)}
    return {grant: items for grant, items in held.items() if items}


# Person sections


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


# Personal data


@dataclass(frozen=True)
class PersonalData:
    """One file of a person's copy of their data (``researchers.data_export``): what one app
    holds about them.

    ``name``: the file in the zip, ``<name>.json``.
    ``describes``: what the file holds, in words, for the zip's README.
    ``rows(person)``: the records, as JSON-ready values (a list, or a dict of lists), read in a
    fixed number of queries whatever the number of records. Only the person's own: never
    another person's name, email or identifier.
    ``files(person)``: ``[(path inside files/, stored file)]``, the files the person gave or the
    service made for them; read after ``rows``, in a fixed number of queries.
    """

    name: str
    describes: str
    rows: Callable
    files: Callable | None = None
    order: int = 100


_personal_data = {}


def personal_data_register(*parts):
    """Add each part, once however often the registering app starts."""
    for part in parts:
        _personal_data[part.name] = part


def personal_data():
    """Every registered part, in order."""
    return sorted(_personal_data.values(), key=lambda part: (part.order, part.name))
