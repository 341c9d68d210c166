"""The checks every page and service makes of who is asking: a role for a page, a role for a
step. Each raises PermissionDenied with the sentence the refused person reads.

Every app's rules come in pairs built on ``answer`` below: ``check_user_can_x(user, obj)`` holds
the rule and raises, ``user_can_x = answer(check_user_can_x)`` says yes or no for templates and
buttons. One rule, two uses, so a button and the server never disagree; the user always comes
first."""

from functools import update_wrapper, wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

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


def answer(check):
    """``user_can_x``, the yes-or-no twin of ``check_user_can_x``: True where the check lets
    ``user`` through, False where it refuses them, with PermissionDenied or, where even the
    object's existence is none of their business, Http404. It keeps the check's docstring, which
    says who may."""

    def user_can(user, *args, **kwargs):
        try:
            check(user, *args, **kwargs)
        except (PermissionDenied, Http404):
            return False
        return True

    update_wrapper(user_can, check)
    user_can.__name__ = check.__name__.removeprefix("check_")
    user_can.__qualname__ = user_can.__name__
    return user_can
