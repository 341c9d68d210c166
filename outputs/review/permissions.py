"""Who may check outputs. The rule is a pair: ``check_user_can_review`` raises PermissionDenied
for services, ``user_can_review``, derived from it, answers yes or no."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from identity.permissions import answer
from outputs.permissions import is_independent_output_checker


def check_user_can_review(user, output_request):
    """An output checker who is not a member of the project and did not write the request."""
    if not is_independent_output_checker(output_request, user):
        raise PermissionDenied(
            "Reviewing this output request is for output checkers who are not on its project."
        )


user_can_review = answer(check_user_can_review)


def check_user_can_open_review(user, output_request):
    """Whoever may review the request, once it has been submitted. A checker on the project, its
    author, or any checker of a draft never submitted is not told the request exists."""
    if output_request.submitted_at is None or not user_can_review(user, output_request):
        raise Http404
