"""Who may open which page. Each rule comes as a pair: ``user_can_x`` (a bool for templates and
buttons) beside ``check_user_can_x`` (raises PermissionDenied), so the button and the server
never disagree."""

from django.core.exceptions import PermissionDenied

from identity.roles import Role, user_has_role


def user_can_manage_roles(user):
    """Whether ``user`` may give and take away roles: the secretariat."""
    return user_has_role(user, Role.SECRETARIAT)


def check_user_can_manage_roles(user):
    if not user_can_manage_roles(user):
        raise PermissionDenied("Only the secretariat can give or take away roles.")
