"""Who may see and change an output request while it is written, and who may read its files
before release. Each rule is a pair: ``check_user_can_x`` raises, ``user_can_x``, derived from
it, answers yes or no."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from identity.permissions import answer
from identity.roles import Role, user_has_role, user_is_signed_in
from outputs.models import OutputRequest
from outputs.permissions import is_independent_output_checker
from projects.lifecycle.conditions import access_open
from projects.permissions import user_is_project_member


def user_can_start_request(user, project):
    """A member of the project, while the project is active, up to its end date."""
    return (
        user_is_signed_in(user) and access_open(project) and user_is_project_member(user, project)
    )


def check_user_can_list_requests(user, project):
    """The project's members. Anyone else is told the project has no such page."""
    if not (user_is_signed_in(user) and user_is_project_member(user, project)):
        raise Http404


def check_user_can_view_request(user, output_request):
    """The project's members; an output checker who is not on the project once it is sent.
    Anyone else, an anonymous visitor included, is told the request does not exist (a 404), not
    that it is hidden."""
    if user_is_project_member(user, output_request.project):
        return
    if output_request.state == OutputRequest.State.DRAFT or not is_independent_output_checker(
        output_request, user
    ):
        raise Http404


def check_user_can_edit_request(user, output_request):
    """The author, while a member of the project (whoever may not see the request is told it
    does not exist) and while the request is a draft or returned."""
    check_user_can_view_request(user, output_request)
    if output_request.author_id != user.pk:
        raise PermissionDenied("Only the author of an output request can change it.")
    if output_request.state not in OutputRequest.EDITABLE:
        raise PermissionDenied(
            "This output request has been sent to the output checkers, so it cannot be changed now."
        )


user_can_edit_request = answer(check_user_can_edit_request)


def check_user_can_remove_file(user, output_file):
    """Whoever may change the file's request, while the file is current."""
    check_user_can_edit_request(user, output_file.group.request)
    if output_file.replaced_at is not None:
        raise Http404


def user_can_read_request_files(user, output_request):
    """Before release: the author; the project's members who are not output checkers (no
    checker handles their own project's outputs); output checkers not on the project once the
    request is sent. An anonymous visitor has no primary key and is no member or checker."""
    if output_request.author_id == user.pk:
        return True
    if user_is_project_member(user, output_request.project):
        return not user_has_role(user, Role.OUTPUT_CHECKER)
    return output_request.state != OutputRequest.State.DRAFT and is_independent_output_checker(
        output_request, user
    )


def check_user_can_read_file(user, output_file):
    """Whoever may read the files of the file's request (``user_can_read_request_files``);
    anyone else is told the file does not exist."""
    if not user_can_read_request_files(user, output_file.group.request):
        raise Http404
