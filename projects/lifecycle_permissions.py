"""Who may start, close and amend an approved project. Each transition permission's docstring
is the answer the state documentation and refusals give; ``user`` is None when the service
itself acts (the daily closing of projects past their end date)."""

from researchers.roles import Role, user_has_role

from .permissions import is_coordinator, user_is_project_member


def is_coordinator_or_the_service(proposal, user):
    """The project's co-ordinator, or the service itself once the end date has passed."""
    return user is None or is_coordinator(proposal, user)


def user_can_see_versions(proposal, user):
    """The project's team and the secretariat may compare its versions."""
    return user_is_project_member(user, proposal) or (
        user is not None and user.is_authenticated and user_has_role(user, Role.SECRETARIAT)
    )
