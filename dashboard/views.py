import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.functional import SimpleLazyObject

from audit.kept import kept_for_person
from identity.roles import Role, user_roles
from researchers.selectors import user_has_second_factor

from .researcher_selectors import researcher_home
from .secretariat_selectors import secretariat_queues, secretariat_queues_generation
from .staff_selectors import checker_queue_home, consent_queue_home, reviewer_queue_home

logger = logging.getLogger(__name__)

# One dashboard section per role, in the order a person holding several roles sees them.
DASHBOARD_SECTIONS = (
    (Role.RESEARCHER, "dashboard/sections/researcher.html"),
    (Role.PANEL_REVIEWER, "dashboard/sections/panel_reviewer.html"),
    (Role.OUTPUT_CHECKER, "dashboard/sections/output_checker.html"),
    (Role.DATA_OWNER, "dashboard/sections/data_owner.html"),
    (Role.SECRETARIAT, "dashboard/sections/secretariat.html"),
)


def _secretariat_section(user):
    """The secretariat's queues, worked out only when the section's kept rendering has been set
    aside, with how long that rendering is kept and what it is kept under."""
    return {
        "secretariat_queues": SimpleLazyObject(secretariat_queues),
        "secretariat_queues_kept_seconds": settings.SECRETARIAT_QUEUES_KEPT_SECONDS,
        "secretariat_queues_generation": secretariat_queues_generation(),
    }


def _researcher_section(user):
    """The researcher's own section, worked out only when its kept rendering has been set
    aside: it is kept for them alone under the latest event about anything of theirs it shows
    (their application, accreditation, training, declaration, projects, requests, invitations
    and the applications asking them to supervise) and the latest declaration published."""
    return {
        "researcher_home": SimpleLazyObject(lambda: researcher_home(user=user)),
        "researcher_kept": kept_for_person(
            user.pk,
            "researchers.declarationversion",
            seconds=settings.RESEARCHER_PAGES_KEPT_SECONDS,
        ),
    }


# What each role's section reads into the page's context, for the roles whose section shows
# live work: each runs only for someone holding the role.
SECTION_READS = {
    Role.RESEARCHER: _researcher_section,
    Role.SECRETARIAT: _secretariat_section,
    Role.PANEL_REVIEWER: lambda user: {"reviewer_queue": reviewer_queue_home(user)},
    Role.OUTPUT_CHECKER: lambda user: {"checker_queue": checker_queue_home(user)},
    Role.DATA_OWNER: lambda user: {"consent_queue": consent_queue_home(user)},
}


def start(request):
    return render(request, "dashboard/start.html")


@login_required
def home(request):
    roles = user_roles(request.user)
    sections = [template for role, template in DASHBOARD_SECTIONS if role in roles]
    context = {
        "sections": sections,
        "has_second_factor": user_has_second_factor(request.user),
        "output_service_level_days": settings.OUTPUT_SERVICE_LEVEL_WORKING_DAYS,
        "consent_service_level_days": settings.CONSENT_SERVICE_LEVEL_WORKING_DAYS,
    }
    for role, read in SECTION_READS.items():
        if role in roles:
            context |= read(request.user)
    return render(request, "dashboard/home.html", context)


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    message = str(exception) if exception is not None else ""
    return render(request, "errors/403.html", {"reason": message}, status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    # Whatever broke the request may break the context processors too (the database, say), so
    # fall back to the template with a plain context, and to plain text if even that fails.
    try:
        return render(request, "errors/500.html", status=500)
    except Exception:
        logger.exception("The error page could not be rendered with the request context")
    plain_context = {
        "service_name": settings.SERVICE_NAME,
        "service_phase": settings.SERVICE_PHASE,
        "service_contact_email": settings.SERVICE_CONTACT_EMAIL,
        "service_navigation": [],
    }
    try:
        return HttpResponseServerError(loader.render_to_string("errors/500.html", plain_context))
    except Exception:
        logger.exception("The error page could not be rendered")
    return HttpResponseServerError(
        "Sorry, there is a problem with the service. Try again later.",
        content_type="text/plain; charset=utf-8",
    )


def csrf_failure(request, reason=""):
    """The form was sent without a valid security token: usually an old or expired page."""
    return render(request, "errors/csrf.html", status=403)


def error_preview(request, status):
    template = {400: "400", 403: "403", 404: "404", 500: "500"}.get(status, "404")
    return render(request, f"errors/{template}.html", status=status)
