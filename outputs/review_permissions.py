"""Who may check outputs. Each rule is a pair: ``user_can_x`` for buttons and templates,
``check_user_can_x`` raising PermissionDenied for services and views."""

from django.core.exceptions import PermissionDenied

from researchers.roles import Role, user_has_role

from .permissions import is_independent_output_checker


def user_can_check_outputs(user):
    """An output checker."""
    return (
        user is not None
        and user.is_authenticated
        and user.is_active
        and user_has_role(user, Role.OUTPUT_CHECKER)
    )


def check_user_can_check_outputs(user):
    if not user_can_check_outputs(user):
        raise PermissionDenied("Checking outputs is for output checkers.")


def user_can_review(output_request, user):
    """An output checker who is not a member of the project and did not write the request."""
    return is_independent_output_checker(output_request, user)


def check_user_can_review(output_request, user):
    if not user_can_review(output_request, user):
        raise PermissionDenied(
            "Reviewing this output request is for output checkers who are not on its project."
        )
