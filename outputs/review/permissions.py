"""Who may check outputs. Each rule is a pair: ``user_can_x`` for buttons and templates,
``check_user_can_x`` raising PermissionDenied for services and views."""

from django.core.exceptions import PermissionDenied

from outputs.permissions import is_independent_output_checker


def user_can_review(output_request, user):
    """An output checker who is not a member of the project and did not write the request."""
    return is_independent_output_checker(output_request, user)


def check_user_can_review(output_request, user):
    if not user_can_review(output_request, user):
        raise PermissionDenied(
            "Reviewing this output request is for output checkers who are not on its project."
        )
