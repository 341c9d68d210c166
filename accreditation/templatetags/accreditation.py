from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("accreditation/includes/dashboard_summary.html")
def accreditation_summary(user):
    """The researcher's accreditation and application in brief, for the dashboard:
    ``{% load accreditation %}{% accreditation_summary user %}``."""
    return {
        "accreditation": selectors.accreditation_latest_for(user),
        "application": selectors.application_open_for(user),
        "to_supervise": list(selectors.applications_to_supervise(user)),
    }
