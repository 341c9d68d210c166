"""Who may start, end, close and amend an approved project. Each transition permission's
``message`` is the answer the state documentation and refusals give; ``user`` is None when the
service itself acts (the daily start of projects whose co-ordinator scheduled it, the daily
ending and closing of projects past their end date, and the reopening of one whose end date an
approved amendment moved later)."""

from django.core.exceptions import PermissionDenied

from identity.roles import Role, user_has_role
from projects.permissions import is_coordinator, user_is_project_member


def is_the_service(proposal, user):
    return user is None


is_the_service.message = "The service itself, never a person."


def user_can_see_versions(proposal, user):
    """The project's team and the secretariat may compare its versions."""
    return user_is_project_member(user, proposal) or (
        user is not None and user.is_authenticated and user_has_role(user, Role.SECRETARIAT)
    )


def is_coordinator_or_the_service_on_schedule(proposal, user):
    """The project's co-ordinator, or the service itself on the start date when the
    co-ordinator has scheduled the start."""
    if user is None:
        return proposal.start_scheduled_at is not None
    return is_coordinator(proposal, user)


# The same sentence as an attribute too, where rule sentences are read from ``message``.
is_coordinator_or_the_service_on_schedule.message = (
    "The project's co-ordinator, or the service itself on the start date when the co-ordinator "
    "has scheduled the start."
)


def user_can_schedule_start(project, user):
    """The co-ordinator schedules, or stops, the start of their approved project."""
    return is_coordinator(project, user)


def check_user_can_schedule_start(project, user):
    if not user_can_schedule_start(project, user):
        raise PermissionDenied("Only the project's co-ordinator can schedule its start.")
