"""Who may change the catalogue: the secretariat runs it, everyone else only reads it."""

from django.core.exceptions import PermissionDenied

from identity.permissions import answer
from identity.roles import Role, user_has_role


def check_user_can_edit_catalogue(user):
    """The secretariat."""
    if not user_has_role(user, Role.SECRETARIAT):
        raise PermissionDenied("Only the secretariat can change the legislation and datasets.")


user_can_edit_catalogue = answer(check_user_can_edit_catalogue)
