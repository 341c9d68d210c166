"""Who may start, end, close and amend an approved project. Each transition permission's
``message`` is the answer the state documentation and refusals give; ``user`` is None when the
service itself acts (the daily ending and closing of projects past their end date, and the
reopening of one whose end date an approved amendment moved later)."""

from researchers.roles import Role, user_has_role

from .permissions import user_is_project_member


def is_the_service(proposal, user):
    return user is None


is_the_service.message = "The service itself, never a person."


def user_can_see_versions(proposal, user):
    """The project's team and the secretariat may compare its versions."""
    return user_is_project_member(user, proposal) or (
        user is not None and user.is_authenticated and user_has_role(user, Role.SECRETARIAT)
    )
