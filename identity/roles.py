"""Roles are Django groups. This module is the one place that names them."""

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    # The stubs' name for settings.AUTH_USER_MODEL, which identity, below every app, cannot
    # import.
    from django.contrib.auth.models import _User as User


class Role(models.TextChoices):
    RESEARCHER = "researcher", "Researcher"
    PANEL_REVIEWER = "panel_reviewer", "Panel reviewer"
    OUTPUT_CHECKER = "output_checker", "Output checker"
    DATA_OWNER = "data_owner", "Data owner"
    SECRETARIAT = "secretariat", "Secretariat"


STAFF_ROLES = frozenset(
    {Role.PANEL_REVIEWER, Role.OUTPUT_CHECKER, Role.DATA_OWNER, Role.SECRETARIAT}
)


def user_is_signed_in(user):
    """A signed-in, active account: ``None`` (the service itself) and anonymous visitors are not."""
    return user is not None and user.is_authenticated and user.is_active


def user_roles(user):
    """The set of roles a user holds, cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_ars_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(Role(name) for name in names if name in Role.values)
        user._ars_roles = cached
    return cached


def user_roles_forget(*users: "User | AnonymousUser | None") -> None:
    """Drop the roles cached on each user, so the next question reads them again.

    A service acting under a role calls it once it holds its lock: a role taken away while
    the request was on its way is then seen, not the roles read when the request began.
    """
    for user in users:
        if user is not None:
            user.__dict__.pop("_ars_roles", None)


def user_has_role(user: "User | AnonymousUser", role: Role) -> bool:
    return role in user_roles(user)


def user_is_staff_role(user):
    return bool(user_roles(user) & STAFF_ROLES)
