"""Who may ask for erasure (any signed-in person, for themselves) and who decides (the
secretariat)."""

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from identity.permissions import answer, check_user_has_role
from identity.roles import Role, user_is_signed_in

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from researchers.models import User


def check_user_can_ask_erasure(user: "User | AnonymousUser") -> None:
    """Any signed-in person may ask for their own data to be erased."""
    if not user_is_signed_in(user):
        raise PermissionDenied("Sign in to ask for your data to be erased.")


def check_user_can_decide_erasure(user: "User | AnonymousUser") -> None:
    """Only the secretariat decides a request to erase a person's data."""
    check_user_has_role(user, Role.SECRETARIAT)


user_can_ask_erasure = answer(check_user_can_ask_erasure)
user_can_decide_erasure = answer(check_user_can_decide_erasure)
