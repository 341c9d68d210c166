"""Who may see and change a researcher's profile, in pairs like researchers.permissions."""

from django.core.exceptions import PermissionDenied

from .roles import Role, user_has_role


def user_can_view_profile(user, owner):
    """The researcher themselves, and the secretariat (read-only)."""
    return user.is_authenticated and (user.pk == owner.pk or user_has_role(user, Role.SECRETARIAT))


def check_user_can_view_profile(user, owner):
    if not user_can_view_profile(user, owner):
        raise PermissionDenied("Only the researcher and the secretariat can see this profile.")


def user_can_edit_profile(user, owner):
    """Only the researcher themselves: the secretariat reads profiles, it does not write them."""
    return user.is_authenticated and user.pk == owner.pk


def check_user_can_edit_profile(user, owner):
    if not user_can_edit_profile(user, owner):
        raise PermissionDenied("You can only change your own profile.")
