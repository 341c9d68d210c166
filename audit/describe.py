"""What an audit event says in words, and the page of the object it concerns, from what the
apps above this one register in ``hooks.py``."""

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from govuk.links import url_for_ids

from .hooks import action_words, object_page


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
    url_name = object_page(object_type)
    if url_name is None or not object_id:
        return None
    try:
        return reverse(url_name, kwargs={"pk": object_id})
    except NoReverseMatch:  # an id the URL does not take
        return None


def object_urls():
    """``object_url`` for the events of one page, reversing each kind of object's URL once."""
    made = {}

    def url(object_type, object_id) -> str | None:
        url_name = object_page(object_type)
        if url_name is None or not object_id:
            return None
        if url_name not in made:
            made[url_name] = url_for_ids(url_name)
        return made[url_name](object_id)

    return url
