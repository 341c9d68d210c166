"""What apps above audit fill in, from their ``AppConfig.ready()``: audit imports nothing of the
project, so it only keeps what they register.

The trail stores codes (``accreditation_application.supervision_confirm``, an object type and
id), which stay as they are for export and filtering. People read words: each app registers
the words for the actions it records (``action_words_register``, from its ``audit_words.py``)
and the page on which the secretariat opens each kind of object it audits
(``object_pages_register``). ``describe.py`` reads them.
"""

from collections.abc import Mapping

_words: dict[str, str] = {}
_pages: dict[str, str] = {}


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
