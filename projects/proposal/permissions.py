"""Who may open and change a proposal's pages. Each rule comes as a pair: ``user_can_x`` for
buttons and templates beside ``check_user_can_x`` raising PermissionDenied (or Http404 where
even the proposal's existence is not the person's business)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from identity.roles import Role, user_has_role
from projects.permissions import is_coordinator, user_is_project_member


def user_can_view_proposal(proposal, user):
    """The project's members and the secretariat."""
    return user_is_project_member(user, proposal) or user_has_role(user, Role.SECRETARIAT)


def check_user_can_view_proposal(proposal, user):
    """Anyone else is told there is no such proposal."""
    if not user_can_view_proposal(proposal, user):
        raise Http404


def user_can_edit_proposal(proposal, user):
    """Only the co-ordinator writes the proposal."""
    return is_coordinator(proposal, user)


def check_user_can_edit_proposal(proposal, user):
    if not user_can_edit_proposal(proposal, user):
        raise PermissionDenied("Only the project's co-ordinator can change the proposal.")
