"""Who may release an output request, see and download released outputs, and waive their
publication. Each rule is a pair: ``check_user_can_x`` raises PermissionDenied (or Http404) with
the sentence a refused person sees, ``user_can_x``, derived from it, answers yes or no."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from identity.permissions import answer
from identity.roles import Role, user_has_role
from outputs.models import OutputRequest
from outputs.permissions import is_independent_output_checker
from projects.permissions import is_independent_secretariat, user_is_project_member


def check_user_can_release(user, output_request):
    """An output checker who is not a member of the project."""
    if not is_independent_output_checker(output_request, user):
        raise PermissionDenied(
            "Only an output checker who is not a member of the project can release its outputs."
        )


user_can_release = answer(check_user_can_release)


def check_user_can_see_project_outputs(user, project):
    """The project's members, and the secretariat (who may waive publication). Anyone else is
    told the page does not exist."""
    if not (
        user_is_project_member(user, project)
        or (user is not None and user.is_authenticated and user_has_role(user, Role.SECRETARIAT))
    ):
        raise Http404


def check_user_can_download_released(user, output_request):
    """A member of the project, once the request is released. Before release, and to anyone
    outside the project, a released output does not exist."""
    if output_request.state != OutputRequest.State.RELEASED or not user_is_project_member(
        user, output_request.project
    ):
        raise Http404


user_can_download_released = answer(check_user_can_download_released)


def check_user_can_waive_publication(user, project):
    """The secretariat, except members of the project, while the project is under way (active
    or ended); for any other project the page does not exist."""
    if not is_independent_secretariat(project, user):
        raise PermissionDenied(
            "Only the secretariat, and none of the project's own members, can waive publication."
        )
    if project.state not in project.UNDER_WAY:
        raise Http404


user_can_waive_publication = answer(check_user_can_waive_publication)
