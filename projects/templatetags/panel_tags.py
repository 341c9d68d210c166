from django import template

from projects.panel.selectors import reviews_waiting_count as _reviews_waiting_count

register = template.Library()


@register.simple_tag
def reviews_waiting_count(user):
    """How many proposals wait for ``user``'s review:
    ``{% reviews_waiting_count user as waiting %}`` after ``{% load panel_tags %}``."""
    return _reviews_waiting_count(user)
