"""What the audit trail shows for this app's own actions, and where its objects open; registered
in ``audit.hooks`` from the app's ``AppConfig.ready()``."""

from django.contrib.auth import get_user_model

from .models import TeamMember

WORDS = {
    "proposal.create": "Started a project proposal",
    "proposal.update_section": "Changed a section of a proposal",
    "proposal.dataset_add": "Asked for a dataset",
    "proposal.dataset_remove": "Removed a dataset from a proposal",
    "proposal.team_invite": "Invited a team member",
    "proposal.team_accept": "Joined a project team",
    "proposal.team_decline": "Declined to join a project team",
    "proposal.team_remove": "Removed a team member",
    "proposal.consent_give": "Answered a consent request for a department's data",
    "proposal.reviewer_assign": "Assigned a panel reviewer",
    "proposal.reviewer_unassign": "Took a panel reviewer off a proposal",
    "proposal.reviewer_role_removed": "Panel assignment ended with the reviewer's role",
    "proposal.panel_exclusion": "Kept a reviewer off a proposal",
    "proposal.conflict_declare": "Declared a conflict of interest, or none",
    "proposal.recommendation_submit": "Submitted a panel recommendation",
    "proposal.start_schedule": "Scheduled a project's start",
    "proposal.start_unschedule": "Stopped a project's scheduled start",
    "proposal.start_schedule_refused": "Scheduled start could not go ahead",
    "proposal.amendment_start": "Started an amendment to a project",
    "proposal.amendment_apply": "Applied an approved amendment",
    "project.publication_waived": "Waived publication of a project's outputs",
    "data_owner_representative.add": "Made someone a department's data owner",
    "data_owner_representative.remove": "Ended someone's place as a department's data owner",
}

OBJECT_PAGES = {
    "projects.proposal": "projects:proposal_detail",
}


def _proposal_people(proposal):
    """The co-ordinator, every team member with an account, and the accounts of everyone
    invited by email: their homes list the proposal or the invitation. Two queries, each
    through an index."""
    team = list(TeamMember.objects.filter(proposal=proposal).values_list("user_id", "email"))
    # Addresses as typed and in lower case, as accounts keep them, found through the unique
    # index on the address: an account whose address differs only in case sees the
    # invitation once what is kept of its home expires.
    invited = {
        address
        for user_id, email in team
        if user_id is None and email
        for address in (email, email.lower())
    }
    people = [proposal.coordinator_id, *(user_id for user_id, _ in team)]
    if invited:
        people += get_user_model().objects.filter(email__in=invited).values_list("pk", flat=True)
    return people


# Whose own pages show something of an object of each type, beyond whoever acted.
PEOPLE_CONCERNED = {"projects.proposal": _proposal_people}
