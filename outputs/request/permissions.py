"""Who may see and change an output request while it is written, and who may read its files
before release. Each pair: ``user_can_x`` answers, ``check_user_can_x`` raises."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

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


def user_can_list_requests(user, project):
    """The project's members."""
    return user_is_signed_in(user) and user_is_project_member(user, project)


def check_user_can_list_requests(user, project):
    if not user_can_list_requests(user, project):
        raise Http404


def user_can_view_request(user, output_request):
    """The project's members; an output checker who is not on the project once it is sent.
    Neither rule admits an anonymous visitor."""
    if user_is_project_member(user, output_request.project):
        return True
    return output_request.state != OutputRequest.State.DRAFT and is_independent_output_checker(
        output_request, user
    )


def check_user_can_view_request(user, output_request):
    """Anyone else is told the request does not exist (a 404), not that it is hidden."""
    if not user_can_view_request(user, output_request):
        raise Http404


def user_can_edit_request(user, output_request):
    """The author, while a member of the project and the request is a draft or returned."""
    return (
        user_is_signed_in(user)
        and output_request.author_id == user.pk
        and output_request.state in OutputRequest.EDITABLE
        and user_is_project_member(user, output_request.project)
    )


def check_user_can_edit_request(user, output_request):
    check_user_can_view_request(user, output_request)
    if output_request.author_id != user.pk:
        raise PermissionDenied("Only the author of an output request can change it.")
    if not user_can_edit_request(user, output_request):
        raise PermissionDenied(
            "This output request has been sent to the output checkers, so it cannot be changed now."
        )


def check_user_can_remove_file(user, output_file):
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


def user_can_read_file(user, output_file):
    """Whoever may read the files of the file's request (``user_can_read_request_files``)."""
    return user_can_read_request_files(user, output_file.group.request)


def check_user_can_read_file(user, output_file):
    if not user_can_read_file(user, output_file):
        raise Http404
