"""Who may change the schedule, place and lift holds, and read the certificates: the
secretariat alone."""

from typing import TYPE_CHECKING

from identity.permissions import answer, check_user_has_role
from identity.roles import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from researchers.models import User


def check_user_can_manage_retention(user: "User | AnonymousUser") -> None:
    """Only the secretariat keeps the retention schedule and its legal holds."""
    check_user_has_role(user, Role.SECRETARIAT)


user_can_manage_retention = answer(check_user_can_manage_retention)
