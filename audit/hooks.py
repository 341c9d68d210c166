"""What apps above audit fill in, from their ``AppConfig.ready()``: audit imports nothing of the
project, so it only keeps what they register.

The trail stores codes (``accreditation_application.supervision_confirm``, an object type and
id), which stay as they are for export and filtering. People read words: each app registers
the words for the actions it records (``action_words_register``, from its ``audit_words.py``)
and the page on which the secretariat opens each kind of object it audits
(``object_pages_register``). ``describe.py`` reads them.

Each app also says whose own pages an event about one of its objects changes
(``people_concerned_register``): the applicant and the supervisor of an application, say. The
trail notes each such event against each of them (``PersonEvent``); their own pages, once
worked out, are kept under the latest.
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

_words: dict[str, str] = {}
_pages: dict[str, str] = {}
_concerned: dict[str, list[Callable[[Any], Iterable[int | None]]]] = {}


def action_words_register(words: Mapping[str, str]) -> None:
    """Add ``{action code: what happened, in words}``: "Signed the confidentiality
    declaration". A code registered twice keeps its first words."""
    for action, text in words.items():
        _words.setdefault(action, text)


def object_pages_register(pages: Mapping[str, str]) -> None:
    """Add ``{object type: URL name}``: the secretariat opens an object of that type
    (``app_label.model``) at the URL with that name, given the object's id as ``pk``. No query
    is made to build it."""
    _pages.update(pages)


def action_words(action: str) -> str | None:
    """The registered words for ``action``, or None."""
    return _words.get(action)


def object_page(object_type: str) -> str | None:
    """The URL name registered for ``object_type``, or None."""
    return _pages.get(object_type)


def people_concerned_register(finders: Mapping[str, Callable[[Any], Iterable[int | None]]]) -> None:
    """Add ``{object type: finder}``: ``finder(obj)`` gives the ids of the people whose own
    pages show something of ``obj`` (its applicant, its team), beyond the person the object
    names by ``audit_person_id`` and whoever acted, who always count. A finder may read the
    database; it runs once for each event about such an object."""
    for object_type, finder in finders.items():
        _concerned.setdefault(object_type, []).append(finder)


def people_concerned(obj: Any) -> set[int]:
    """The ids the registered finders give for ``obj`` (none for an unregistered type)."""
    people: set[int] = set()
    for finder in _concerned.get(obj._meta.label_lower, ()):
        people.update(person for person in finder(obj) if person is not None)
    return people
