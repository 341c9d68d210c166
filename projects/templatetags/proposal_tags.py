import datetime

from django import template
from django.db.models.fields.files import FieldFile

from projects.models import DatasetRequest, TeamMember

register = template.Library()


def _kind(value):
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, datetime.date):
        return "date"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, FieldFile):
        return "file"
    if isinstance(value, DatasetRequest):
        return "request"
    if isinstance(value, TeamMember):
        return "member"
    if isinstance(value, dict):
        return "ethics"
    return "text"


def _missing(value, kind):
    if kind == "bool":
        return False
    if kind == "ethics":
        return not value.get("answer")
    if kind in ("request", "member"):
        return False
    return not value


@register.inclusion_tag("projects/proposal/answer.html")
def answer(value, proposal):
    """What a proposal answers to one question, for the value of its summary row."""
    kind = _kind(value)
    return {
        "value": value,
        "kind": kind,
        "missing": value is None or _missing(value, kind),
        "proposal": proposal,
    }
