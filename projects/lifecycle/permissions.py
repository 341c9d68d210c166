"""Who may start, end, close and amend an approved project. Each transition permission's
``message`` is the answer the state documentation and refusals give; ``user`` is None when the
service itself acts (the daily start of projects whose co-ordinator scheduled it, the daily
ending and closing of projects past their end date, and the reopening of one whose end date an
approved amendment moved later)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from identity.permissions import answer
from identity.roles import Role, user_has_role
from projects.permissions import is_coordinator, user_is_project_member


def is_the_service(proposal, user):
    return user is None


is_the_service.message = "The service itself, never a person."


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


def check_user_can_see_versions(user, project):
    """The project's team and the secretariat may compare its versions. Anyone else is told the
    project does not exist."""
    if not (
        user_is_project_member(user, project)
        or (user is not None and user.is_authenticated and user_has_role(user, Role.SECRETARIAT))
    ):
        raise Http404


user_can_see_versions = answer(check_user_can_see_versions)


def check_user_can_coordinate_project(user, project):
    """The project's co-ordinator starts, closes and amends it. Anyone outside the project is
    told it does not exist; the rest of the team is refused."""
    check_user_can_see_versions(user, project)
    if not is_coordinator(project, user):
        raise PermissionDenied("Only the project's co-ordinator can do this.")


user_can_coordinate_project = answer(check_user_can_coordinate_project)


def check_user_can_amend_project(user, project):
    """The project's co-ordinator starts an amendment of it."""
    if not is_coordinator(project, user):
        raise PermissionDenied("Only the project's co-ordinator can amend it.")


def check_user_can_schedule_start(user, project):
    """The co-ordinator schedules, or stops, the start of their approved project."""
    if not is_coordinator(project, user):
        raise PermissionDenied("Only the project's co-ordinator can schedule its start.")
