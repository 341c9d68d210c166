"""The pages every public service links from its footer: accessibility, privacy and cookies.

Written from the policy and from what the service does; what only the scheme can say (the
controller, its data protection officer, its retention periods) comes from settings, and shows
as a marked placeholder until set.
"""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_safe

PLACEHOLDER_START = "[To be confirmed"


def _detail(value):
    return {"text": value, "placeholder": value.startswith(PLACEHOLDER_START)}


@require_safe
def accessibility(request):
    return render(request, "dashboard/information/accessibility.html")


@require_safe
def privacy(request):
    return render(
        request,
        "dashboard/information/privacy.html",
        {
            "controller": _detail(settings.PRIVACY_CONTROLLER),
            "dpo_email": _detail(settings.PRIVACY_DPO_EMAIL),
            "retention": _detail(settings.PRIVACY_RETENTION),
        },
    )


@require_safe
def cookies(request):
    return render(
        request,
        "dashboard/information/cookies.html",
        {
            "session_cookie": settings.SESSION_COOKIE_NAME,
            "csrf_cookie": settings.CSRF_COOKIE_NAME,
            "session_hours": settings.SESSION_COOKIE_AGE // 3600,
        },
    )
