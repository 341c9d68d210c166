"""Who may run a proposal's panel and who may review it. Each rule is a pair: ``user_can_x`` for
buttons and templates, ``check_user_can_x`` raising PermissionDenied for services and views."""

from django.core.exceptions import PermissionDenied

from .panel_selectors import REVIEW_PERMISSION
from .permissions import is_independent_secretariat


def user_can_run_panel(proposal, user):
    """The secretariat, except members of the project."""
    return is_independent_secretariat(proposal, user)


def check_user_can_run_panel(proposal, user):
    if not user_can_run_panel(proposal, user):
        raise PermissionDenied(
            "Assigning reviewers and recording the panel's decision is for the secretariat, "
            "except members of the project."
        )


def user_can_review(assignment, user):
    """The reviewer of a current assignment, holding the review permission on its proposal."""
    return (
        user is not None
        and user.is_authenticated
        and user.is_active
        and assignment.reviewer_id == user.pk
        and assignment.removed_at is None
        and user.has_perm(REVIEW_PERMISSION, assignment.proposal)
    )


def check_user_can_review(assignment, user):
    if not user_can_review(assignment, user):
        raise PermissionDenied("Only the reviewer assigned to this proposal can do this.")
