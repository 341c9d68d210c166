from django import template

from outputs.review.selectors import checker_queue_count

register = template.Library()


@register.simple_tag
def checks_waiting_count(user):
    """How many output requests wait for checkers, other than from ``user``'s own projects."""
    return checker_queue_count(user=user)
