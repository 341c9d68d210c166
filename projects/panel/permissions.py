"""Who may run a proposal's panel and who may review it. Each rule is a pair: ``user_can_x`` for
buttons and templates, ``check_user_can_x`` raising PermissionDenied (or Http404 where even the
proposal's existence is not the person's business) for services and views.

Reviewing needs two things at once: the panel-reviewer role and a current assignment to the
proposal. The assignment is the one record of the grant (it carries its due date, conflict
answer and end), so nothing else has to be kept in step with it. The role is asked on every
request, so taking it away closes every reviewer's page and step at once, whatever else is left
behind.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from identity.roles import Role, user_has_role, user_is_signed_in
from projects.permissions import is_independent_secretariat


def user_can_run_panel(proposal, user):
    """The secretariat, except members of the project."""
    return is_independent_secretariat(proposal, user)


def check_user_can_run_panel(proposal, user):
    if not user_can_run_panel(proposal, user):
        raise PermissionDenied(
            "Assigning reviewers and recording the panel's decision is for the secretariat, "
            "except members of the project."
        )


def user_is_panel_reviewer(user):
    """A signed-in holder of the panel-reviewer role."""
    return user_is_signed_in(user) and user_has_role(user, Role.PANEL_REVIEWER)


def user_can_review(assignment, user):
    """A panel reviewer whose assignment is current."""
    return (
        user_is_panel_reviewer(user)
        and assignment.reviewer_id == user.pk
        and assignment.removed_at is None
    )


def check_user_can_review(assignment, user):
    if not user_can_review(assignment, user):
        raise PermissionDenied("Only the reviewer assigned to this proposal can do this.")


def user_can_read_as_reviewer(proposal, user):
    """A panel reviewer assigned to ``proposal`` now: they may open its review page (the full
    proposal opens once they declare no conflict)."""
    return (
        user_is_panel_reviewer(user)
        and proposal.assignments.filter(reviewer=user, removed_at__isnull=True).exists()
    )


def check_user_can_read_as_reviewer(proposal, user):
    """Anyone else, a former reviewer included, is told there is no such proposal."""
    if not user_can_read_as_reviewer(proposal, user):
        raise Http404


def user_can_read_full_proposal_as_reviewer(proposal, user):
    """An assigned reviewer who has declared that they have no conflict of interest in
    ``proposal``: only then do its full text and its data protection impact assessment open.
    Before that they see its title, lay summary, the team's names and organisations."""
    return (
        user_can_read_as_reviewer(proposal, user)
        and proposal.assignments.filter(
            reviewer=user, removed_at__isnull=True, conflict_declared=False
        ).exists()
    )
