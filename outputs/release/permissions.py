"""Who may release an output request, download released outputs, record publications and waive
them. Each pair: ``user_can_x`` answers yes or no; ``check_user_can_x`` raises PermissionDenied
with the sentence a refused person sees."""

from django.core.exceptions import PermissionDenied

from identity.roles import Role, user_has_role
from outputs.permissions import is_independent_output_checker
from projects.permissions import is_independent_secretariat, user_is_project_member


def user_can_release(output_request, user):
    """An output checker who is not a member of the project."""
    return is_independent_output_checker(output_request, user)


def check_user_can_release(output_request, user):
    if not user_can_release(output_request, user):
        raise PermissionDenied(
            "Only an output checker who is not a member of the project can release its outputs."
        )


def user_can_see_project_outputs(project, user):
    """The project's members, and the secretariat (who may waive publication)."""
    return user_is_project_member(user, project) or (
        user is not None and user.is_authenticated and user_has_role(user, Role.SECRETARIAT)
    )


def user_can_waive_publication(project, user):
    """The secretariat, except members of the project."""
    return is_independent_secretariat(project, user)


def check_user_can_waive_publication(project, user):
    if not user_can_waive_publication(project, user):
        raise PermissionDenied(
            "Only the secretariat, and none of the project's own members, can waive publication."
        )
