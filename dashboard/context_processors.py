from django.conf import settings

from identity.roles import user_roles
from notifications.inbox import unread_count

from .navigation import navigation_for


def service(request):
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    roles = user_roles(user) if user is not None else frozenset()
    # The header's unread count: one query, and none at all for anyone not signed in.
    unread = unread_count(user=user) if signed_in else 0
    return {
        "service_name": settings.SERVICE_NAME,
        "service_phase": settings.SERVICE_PHASE,
        "service_contact_email": settings.SERVICE_CONTACT_EMAIL,
        "user_roles": roles,
        "service_navigation": navigation_for(
            signed_in=signed_in,
            roles=roles,
            path=getattr(request, "path", ""),
            counts={"notifications:notification_list": unread},
        ),
        "notifications_unread": unread,
    }
