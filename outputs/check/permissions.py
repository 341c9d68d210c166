"""Who may see a file's automated check results beside its table, and who may add an ACRO output
folder. Each rule is a pair: ``check_user_can_x`` raises, ``user_can_x`` answers yes or no."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from identity.permissions import answer
from outputs.models import OutputRequest
from outputs.permissions import is_author, is_author_in_project, is_independent_output_checker


def check_user_can_see_file_checks(user, output_file):
    """The author of the request; an output checker who is not on the project, once the
    request has been sent. Anyone else is told the file does not exist (a 404), not that it is
    hidden."""
    output_request = output_file.group.request
    if is_author(output_request, user):
        return
    if output_request.state == OutputRequest.State.DRAFT or not is_independent_output_checker(
        output_request, user
    ):
        raise Http404


def check_user_can_upload_acro(user, output_request):
    """The author, while a member of the project and the request is a draft or returned."""
    if not is_author(output_request, user):
        raise Http404
    if not (
        is_author_in_project(output_request, user)
        and output_request.state in OutputRequest.EDITABLE
    ):
        raise PermissionDenied(
            "Files can be added only while the request is a draft or returned, by its author."
        )


user_can_upload_acro = answer(check_user_can_upload_acro)
