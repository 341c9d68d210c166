"""What projects hold about a person, for their copy of their data: the projects they
co-ordinate or joined, with their role and the decisions on each, and every invitation to a
team they were sent. Registered into ``researchers.hooks`` from ``ProjectsConfig.ready()``.

Other members of a team are left out: their names and addresses are their data, not this
person's.
"""

from django.db.models import Q

from researchers.data_export.archive import file_path
from researchers.hooks import PersonalData

from .models import Proposal, TeamMember


def _projects_of(person):
    return (
        Proposal.objects.filter(Q(coordinator=person) | Q(team__user=person))
        .distinct()
        .order_by("created_at", "pk")
    )


def _dpia_path(proposal):
    if not proposal.dpia_file:
        return None
    return file_path(
        "projects", proposal.pk, "data-protection-impact-assessment", proposal.dpia_file.name
    )


def _projects(person):
    projects = _projects_of(person).prefetch_related("datasets", "decisions")
    invitations = (
        TeamMember.objects.filter(Q(user=person) | Q(email__iexact=person.email))
        .select_related("proposal")
        .order_by("invited_at", "pk")
    )
    return {
        "projects": [
            {
                "id": proposal.pk,
                "your_role": "Co-ordinator"
                if proposal.coordinator_id == person.pk
                else "Team member",
                "title": proposal.title,
                "state": proposal.get_state_display(),
                "version": proposal.version,
                "amends_project": proposal.amends_id,
                "lay_summary": proposal.lay_summary,
                "purposes": proposal.purposes,
                "purpose_explanation": proposal.purpose_explanation,
                "aims": proposal.aims,
                "methods": proposal.methods,
                "software": proposal.software,
                "ethics": proposal.ethics,
                "dpia_needed": proposal.dpia_needed,
                "data_protection_impact_assessment": _dpia_path(proposal)
                if proposal.coordinator_id == person.pk
                else None,
                "access_mode": proposal.get_access_mode_display(),
                "datasets": [dataset.name for dataset in proposal.datasets.all()],
                "outputs_plan": proposal.outputs_plan,
                "publication_plan": proposal.publication_plan,
                "start_date": proposal.start_date,
                "end_date": proposal.end_date,
                "created_at": proposal.created_at,
                "submitted_at": proposal.submitted_at,
                "decided_at": proposal.decided_at,
                "activated_at": proposal.activated_at,
                "ended_at": proposal.ended_at,
                "closed_at": proposal.closed_at,
                "decisions": [
                    {
                        "outcome": decision.get_outcome_display(),
                        "route": decision.get_route_display(),
                        "rationale": decision.rationale,
                        "conditions": decision.conditions,
                        "decided_at": decision.decided_at,
                    }
                    for decision in proposal.decisions.all()
                ],
            }
            for proposal in projects
        ],
        "team_invitations": [
            {
                "project": invitation.proposal_id,
                "project_title": invitation.proposal.title,
                "email": invitation.email,
                "role": invitation.get_role_display(),
                "invited_at": invitation.invited_at,
                "accepted_at": invitation.accepted_at,
                "declined_at": invitation.declined_at,
                "status": invitation.status_label,
            }
            for invitation in invitations
        ],
    }


def _project_files(person):
    return [
        (_dpia_path(proposal), proposal.dpia_file)
        for proposal in Proposal.objects.filter(coordinator=person).order_by("created_at", "pk")
        if proposal.dpia_file
    ]


PARTS = (
    PersonalData(
        name="projects",
        describes="The projects you co-ordinate or joined, with your role, what each proposal "
        "said, the decisions on it, and every invitation to a project team you were sent. The "
        "data protection impact assessments you uploaded as co-ordinator are under "
        "files/projects/. Other members of your teams are not included.",
        rows=_projects,
        files=_project_files,
        order=40,
    ),
)
