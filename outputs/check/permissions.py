"""Who may see a file's automated check results beside its table. One rule, two uses."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from outputs.models import OutputRequest
from outputs.permissions import is_author, is_author_in_project, is_independent_output_checker


def user_can_see_file_checks(user, output_file):
    """The author of the request; an output checker who is not on the project, once the
    request has been sent."""
    output_request = output_file.group.request
    if is_author(output_request, user):
        return True
    return output_request.state != OutputRequest.State.DRAFT and is_independent_output_checker(
        output_request, user
    )


def check_user_can_see_file_checks(user, output_file):
    """Anyone else is told the file does not exist (a 404), not that it is hidden."""
    if not user_can_see_file_checks(user, output_file):
        raise Http404


def user_can_upload_acro(user, output_request):
    """The author, while a member of the project and the request is a draft or returned."""
    return (
        is_author_in_project(output_request, user)
        and output_request.state in OutputRequest.EDITABLE
    )


def check_user_can_upload_acro(user, output_request):
    if not is_author(output_request, user):
        raise Http404
    if not user_can_upload_acro(user, output_request):
        raise PermissionDenied(
            "Files can be added only while the request is a draft or returned, by its author."
        )
