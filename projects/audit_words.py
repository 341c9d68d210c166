"""What the audit trail shows for this app's own actions, and where its objects open; registered
in ``audit.hooks`` from the app's ``AppConfig.ready()``."""

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
