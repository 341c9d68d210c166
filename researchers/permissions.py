"""Who may give and take away roles. The rule raises PermissionDenied with the sentence a refused
person reads (``identity.permissions.answer`` makes its yes-or-no twin where a page needs one)."""

from django.core.exceptions import PermissionDenied

from identity.roles import Role, user_has_role


def check_user_can_manage_roles(user):
    """The secretariat."""
    if not user_has_role(user, Role.SECRETARIAT):
        raise PermissionDenied("Only the secretariat can give or take away roles.")
