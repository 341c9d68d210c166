"""Amending an active or ended project: a new version is written and considered while the
approved version stays in force, and takes its place only once approved. An ended project whose
approved amendment moves its end date to today or later is active again.

An amendment is a new ``Proposal`` row pointing at the project through ``amends``, starting as
a copy of it in draft with the next version number, the same team and the same dataset
requests. The co-ordinator edits it with the ordinary question pages and sends it; it is
screened like any proposal, and the secretariat decides whether it needs the panel. When it is
approved, by either route, ``amendment_apply`` gives the project in force its purpose, dates,
team and datasets, keeping a snapshot of each version for the differences page.
"""

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest

from audit.services import audit_record
from notifications.services import notify
from projects import notices
from projects.lifecycle.conditions import past_end_date
from projects.lifecycle.permissions import check_user_can_amend_project
from projects.lifecycle.selectors import amendment_open_for
from projects.lifecycle.services import project_reopen
from projects.models import DatasetRequest, Proposal, ProposalSnapshot, TeamMember
from researchers.models import User
from workflow.errors import TransitionRefused
from workflow.hooks import access_changed

State = Proposal.State
NOT_UNDER_WAY = "Only an active or ended project can be amended."

# What an amendment starts with from the project, and what an approved one gives back.
COPIED_FIELDS = (
    "title",
    "lay_summary",
    "purposes",
    "purpose_explanation",
    "aims",
    "methods",
    "software",
    "start_date",
    "end_date",
    "ethics",
    "dpia_needed",
    "dpia_file",
    "access_mode",
    "outputs_plan",
    "publication_plan",
    "exclude_team_organisations",
)
REQUEST_FIELDS = (
    "variables",
    "open_data_reason",
    "consent",
    "consent_by",
    "consent_at",
    "consent_reasons",
)
MEMBER_FIELDS = ("user", "role", "invited_by", "accepted_at", "declined_at")


def snapshot_data(proposal: Proposal) -> dict[str, Any]:
    """What ``proposal`` says now, as the plain data a snapshot keeps."""
    from projects.proposal.services import proposal_snapshot_data

    return proposal_snapshot_data(proposal)


def _snapshot(proposal: Proposal, *, reason: str) -> ProposalSnapshot:
    return ProposalSnapshot.objects.create(
        proposal=proposal, version=proposal.version, data=snapshot_data(proposal), reason=reason
    )


def _keep_version_in_force(project: Proposal) -> None:
    """Snapshot the version in force, unless a snapshot of that version exists already."""
    if not project.snapshots.filter(version=project.version).exists():
        _snapshot(project, reason="in force")


def amendment_start(*, project: Proposal, by: User, request: HttpRequest | None = None) -> Proposal:
    """The co-ordinator of an active or ended project starts an amendment, a draft copy of the
    project with the next version number; the one already in progress if there is one."""
    with transaction.atomic():
        project = Proposal.objects.select_for_update().get(pk=project.pk)
        check_user_can_amend_project(by, project)
        if project.amends_id is not None:
            raise TransitionRefused(["An amendment cannot itself be amended."])
        if project.state not in Proposal.UNDER_WAY:
            raise TransitionRefused([NOT_UNDER_WAY])
        in_progress = amendment_open_for(project)
        if in_progress is not None:
            return in_progress
        _keep_version_in_force(project)
        latest = project.amendments.aggregate(latest=Max("version"))["latest"] or 0
        amendment = Proposal.objects.create(
            **{name: getattr(project, name) for name in COPIED_FIELDS},
            coordinator=project.coordinator,
            amends=project,
            version=max(project.version, latest) + 1,
        )
        DatasetRequest.objects.bulk_create(
            DatasetRequest(
                proposal=amendment,
                dataset_id=dataset_request.dataset_id,
                **{name: getattr(dataset_request, name) for name in REQUEST_FIELDS},
            )
            for dataset_request in project.dataset_requests.all()
        )
        TeamMember.objects.bulk_create(
            TeamMember(
                proposal=amendment,
                email=member.email,
                **{name: getattr(member, name) for name in MEMBER_FIELDS},
            )
            for member in project.team.filter(declined_at__isnull=True)
        )
        audit_record(
            actor=by,
            action="proposal.amendment_start",
            obj=amendment,
            to_state=amendment.state,
            payload={"amends": project.pk, "version": amendment.version},
            request=request,
        )
    return amendment


def _apply(amendment: Proposal, *, by: User, request: HttpRequest | None = None) -> Proposal:
    """Give the project in force what the approved ``amendment`` says, and reopen it when it
    had ended and its end date is now today or later. Inside a transaction."""
    assert amendment.amends_id is not None  # amendment_apply refused anything else
    project = Proposal.objects.select_for_update().get(pk=amendment.amends_id)
    if project.version >= amendment.version:
        return project  # applied already
    if project.state not in Proposal.UNDER_WAY:
        raise TransitionRefused(
            ["The project this amends has closed, so the amendment cannot come into force."]
        )
    _keep_version_in_force(project)
    before = project.version
    for name in COPIED_FIELDS:
        setattr(project, name, getattr(amendment, name))
    project.version = amendment.version
    project.save(update_fields=[*COPIED_FIELDS, "version", "updated_at"])

    wanted = {request.dataset_id: request for request in amendment.dataset_requests.all()}
    project.dataset_requests.exclude(dataset_id__in=wanted).delete()
    for dataset_id, wanted_request in wanted.items():
        DatasetRequest.objects.update_or_create(
            proposal=project,
            dataset_id=dataset_id,
            defaults={name: getattr(wanted_request, name) for name in REQUEST_FIELDS},
        )
    members = {member.email: member for member in amendment.team.all()}
    project.team.exclude(email__in=members).delete()
    for email, member in members.items():
        TeamMember.objects.update_or_create(
            proposal=project,
            email=email,
            defaults={name: getattr(member, name) for name in MEMBER_FIELDS},
        )

    _snapshot(project, reason=f"amendment approved (proposal {amendment.pk})")
    audit_record(
        actor=by,
        action="proposal.amendment_apply",
        obj=project,
        from_state=project.state,
        to_state=project.state,
        payload={"amendment": amendment.pk, "from_version": before, "to_version": project.version},
        request=request,
    )
    notify([notices.amendment_in_force(project)])
    # Its datasets, variables, dates and team may all have changed.
    access_changed(projects=[project.pk], reason="Amendment in force")
    if project.state == State.ENDED and not past_end_date(project):
        project = project_reopen(project=project)
    return project


def amendment_apply(
    *, amendment: Proposal, by: User, request: HttpRequest | None = None
) -> Proposal:
    """Make an approved amendment the version in force of the project it amends.

    Called by the panel's decision (``panel_services.decision_record``) and the fast track
    (``screening_services.proposal_fast_track``) inside their own transaction, so the amendment
    is approved and in force together or not at all, and its audit event names the person who
    decided. Safe to call again, since a project already at the amendment's version is left
    alone.
    """
    with transaction.atomic():
        amendment = Proposal.objects.select_for_update().get(pk=amendment.pk)
        if amendment.amends_id is None:
            raise TransitionRefused(["This proposal does not amend a project."])
        if amendment.state not in Proposal.APPROVED_NOT_STARTED:
            raise TransitionRefused(["Only an approved amendment can be put in force."])
        return _apply(amendment, by=by, request=request)
