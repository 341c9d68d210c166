"""Who may run a proposal's panel and who may review it. Each rule is a pair: ``check_user_can_x``
raising PermissionDenied (or Http404 where even the proposal's existence is not the person's
business) for services and views, and ``user_can_x``, derived from it, for buttons and templates.

Reviewing needs two things at once: the panel-reviewer role and a current assignment to the
proposal. The assignment is the one record of the grant (it carries its due date, conflict
answer and end), so nothing else has to be kept in step with it. The role is asked on every
request, so taking it away closes every reviewer's page and step at once, whatever else is left
behind.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from identity.permissions import answer
from identity.roles import Role, user_has_role, user_is_signed_in
from projects.permissions import is_independent_secretariat


def check_user_can_run_panel(user, proposal):
    """The secretariat, except members of the project."""
    if not is_independent_secretariat(proposal, user):
        raise PermissionDenied(
            "Assigning reviewers and recording the panel's decision is for the secretariat, "
            "except members of the project."
        )


user_can_run_panel = answer(check_user_can_run_panel)


def user_is_panel_reviewer(user):
    """A signed-in holder of the panel-reviewer role."""
    return user_is_signed_in(user) and user_has_role(user, Role.PANEL_REVIEWER)


def check_user_can_review(user, assignment):
    """A panel reviewer whose assignment is current."""
    if not (
        user_is_panel_reviewer(user)
        and assignment.reviewer_id == user.pk
        and assignment.removed_at is None
    ):
        raise PermissionDenied("Only the reviewer assigned to this proposal can do this.")


def check_user_can_read_as_reviewer(user, proposal):
    """A panel reviewer assigned to ``proposal`` now: they may open its review page (the full
    proposal opens once they declare no conflict). Anyone else, a former reviewer included, is
    told there is no such proposal."""
    if not (
        user_is_panel_reviewer(user)
        and proposal.assignments.filter(reviewer=user, removed_at__isnull=True).exists()
    ):
        raise Http404


user_can_read_as_reviewer = answer(check_user_can_read_as_reviewer)


def user_can_read_full_proposal_as_reviewer(user, proposal):
    """An assigned reviewer who has declared that they have no conflict of interest in
    ``proposal``: only then do its full text and its data protection impact assessment open.
    Before that they see its title, lay summary, the team's names and organisations."""
    return (
        user_can_read_as_reviewer(user, proposal)
        and proposal.assignments.filter(
            reviewer=user, removed_at__isnull=True, conflict_declared=False
        ).exists()
    )
