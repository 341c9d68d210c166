"""Who may change the catalogue: the secretariat runs it, everyone else only reads it."""

from django.core.exceptions import PermissionDenied

from identity.roles import Role, user_has_role


def user_can_edit_catalogue(user):
    return user_has_role(user, Role.SECRETARIAT)


def check_user_can_edit_catalogue(user):
    if not user_can_edit_catalogue(user):
        raise PermissionDenied("Only the secretariat can change the legislation and datasets.")
