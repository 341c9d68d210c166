from django.conf import settings

from researchers.roles import user_roles


def service(request):
    user = getattr(request, "user", None)
    return {
        "service_name": settings.SERVICE_NAME,
        "service_phase": settings.SERVICE_PHASE,
        "service_contact_email": settings.SERVICE_CONTACT_EMAIL,
        "user_roles": user_roles(user) if user is not None else frozenset(),
    }
