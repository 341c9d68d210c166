"""Who may take each project step, and who counts as a member of a project. Each transition
permission's ``message`` is the answer the state documentation and refusals give."""

from identity.roles import Role, user_has_role, user_is_signed_in


def user_is_project_member(user, proposal):
    """Whether ``user`` works on the project: its co-ordinator, or a team member who has
    accepted the invitation."""
    if not user_is_signed_in(user):
        return False
    if proposal.coordinator_id == user.pk:
        return True
    return proposal.team.filter(user=user, accepted_at__isnull=False).exists()


def is_coordinator(proposal, user):
    return user_is_signed_in(user) and proposal.coordinator_id == user.pk


is_coordinator.message = "The project's co-ordinator."


def is_coordinator_or_the_service_on_draft(proposal, user):
    if user is None:
        from notifications.stale_drafts import draft_untouched_long_enough

        return proposal.state == proposal.State.DRAFT and draft_untouched_long_enough(proposal)
    return is_coordinator(proposal, user)


is_coordinator_or_the_service_on_draft.message = (
    "The project's co-ordinator, or the service itself once nobody has worked on a draft for 60 "
    "days."
)


def is_independent_secretariat(proposal, user):
    return (
        user_is_signed_in(user)
        and user_has_role(user, Role.SECRETARIAT)
        and not user_is_project_member(user, proposal)
    )


is_independent_secretariat.message = "The secretariat, except members of the project."
