from django import template

from projects.screening_selectors import screening_feedback

register = template.Library()


@register.inclusion_tag("projects/screening/feedback.html")
def return_feedback(proposal):
    """What a returned proposal's co-ordinator must change: ``{% return_feedback proposal %}``
    after ``{% load screening_tags %}``."""
    return {"feedback": screening_feedback(proposal)}
