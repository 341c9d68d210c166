"""Who may open and change a proposal's pages. Each rule comes as a pair: ``check_user_can_x``
raising PermissionDenied (or Http404 where even the proposal's existence is not the person's
business), and ``user_can_x``, derived from it, for buttons and templates."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from identity.permissions import answer
from identity.roles import Role, user_has_role
from projects.panel.permissions import user_can_read_full_proposal_as_reviewer
from projects.permissions import is_coordinator, user_is_project_member


def check_user_can_view_proposal(user, proposal):
    """The project's members and the secretariat. Anyone else is told there is no such
    proposal."""
    if not (user_is_project_member(user, proposal) or user_has_role(user, Role.SECRETARIAT)):
        raise Http404


def check_user_can_edit_proposal(user, proposal):
    """Only the co-ordinator writes the proposal."""
    if not is_coordinator(proposal, user):
        raise PermissionDenied("Only the project's co-ordinator can change the proposal.")


user_can_edit_proposal = answer(check_user_can_edit_proposal)


def check_user_can_read_dpia(user, proposal):
    """Whoever may view the proposal, and a panel reviewer assigned to it once they have
    declared no conflict of interest."""
    if not user_can_read_full_proposal_as_reviewer(user, proposal):
        check_user_can_view_proposal(user, proposal)
