from django import template

from projects.screening.selectors import screening_feedback

register = template.Library()


@register.inclusion_tag("projects/screening/feedback.html")
def return_feedback(proposal):
    """What a returned proposal's co-ordinator must change: ``{% return_feedback proposal %}``
    after ``{% load screening_tags %}``."""
    return {"feedback": screening_feedback(proposal)}


@register.simple_tag
def consent_waiting_count(user):
    """How many proposals wait for an answer from a department ``user`` speaks for:
    ``{% consent_waiting_count user as waiting %}``."""
    from projects.consent.selectors import consent_queue_count_for

    return consent_queue_count_for(user=user)
