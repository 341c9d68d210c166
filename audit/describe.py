"""What an audit event says in words, and the page of the object it concerns.

The trail stores codes (``accreditation_application.supervision_confirm``, an object type and
id), which stay as they are for export and filtering. People read words: each app above this one
registers, from its ``AppConfig.ready()``, the words for the actions it records and the page on
which the secretariat opens each kind of object it audits. This app imports nothing of the
project, so it only keeps what they register.
"""

from django.apps import apps
from django.urls import NoReverseMatch, reverse

_words = {}
_pages = {}


def action_words_register(words):
    """Add ``{action code: what happened, in words}``: "Signed the confidentiality
    declaration". A code registered twice keeps its first words."""
    for action, text in words.items():
        _words.setdefault(action, text)


def object_page_register(object_type, url_name: str, kwarg: str = "pk"):
    """Say where the secretariat opens objects of ``object_type`` (``app_label.model``): the URL
    named ``url_name``, given the object's id as ``kwarg``. No query is made to build it."""
    _pages[object_type] = (url_name, kwarg)


def action_words(action):
    """The registered words for ``action``, or None."""
    return _words.get(action)


def action_describe(action):
    """The words for ``action``; an unregistered code is spelt out rather than shown raw."""
    words = action_words(action)
    if words:
        return words
    subject, _, verb = action.rpartition(".")
    spelt = " ".join(part.replace("_", " ") for part in (subject, verb) if part)
    return spelt[:1].upper() + spelt[1:]


def object_type_describe(object_type):
    """``accreditation.accreditationapplication`` as "Accreditation application"."""
    if not object_type:
        return ""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    name = str(model._meta.verbose_name)
    return name[:1].upper() + name[1:]


def object_url(object_type, object_id) -> str | None:
    """The page of the object an event concerns, when one is registered for its type."""
    page = _pages.get(object_type)
    if page is None or not object_id:
        return None
    url_name, kwarg = page
    try:
        return reverse(url_name, kwargs={kwarg: object_id})
    except NoReverseMatch:  # an id the URL does not take
        return None
