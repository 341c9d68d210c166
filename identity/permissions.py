"""The checks every page and service makes of who is asking: a role for a page, a role for a
step. Each raises PermissionDenied with the sentence the refused person reads."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .roles import Role, user_has_role


def check_user_has_role(user, role):
    if not user_has_role(user, role):
        raise PermissionDenied(f"This page is for the {Role(role).label.lower()} role.")


def role_required(*roles):
    """View decorator: sign-in first, then any one of ``roles``, else 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(user_has_role(request.user, role) for role in roles):
                raise PermissionDenied("You do not have the role this page needs.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
