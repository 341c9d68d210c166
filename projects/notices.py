"""Who is told about each step of a project proposal, from submission to closing.

Registered in ``notifications.hooks`` by ``ProjectsConfig.ready()``; the emails are
sent once the step has committed, so what the step recorded beside the transition (the
screening comments, the refused consent, the panel's decision) is there to read.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.urls import reverse, reverse_lazy

from accreditation.notices import secretariat_recipients, secretariat_unless_from_draft
from accreditation.selectors import secretariat_users
from notifications.hooks import Notice, notices_to, person
from notifications.services import Message, object_about, object_key
from projects.lifecycle.selectors import project_members
from projects.screening.sections import section_names
from workflow.services import unmet_conditions

from .models import (
    DataOwnerRepresentative,
    DatasetRequest,
    PanelDecision,
    Proposal,
    ScreeningReview,
)

if TYPE_CHECKING:
    from legislation.models import Department
    from researchers.models import User

    from .models import ReviewerAssignment, TeamMember

PROPOSAL = "projects.Proposal"
ACCREDITATION = "accreditation.Accreditation"
Consent = DatasetRequest.Consent


# Who


_coordinator = person("coordinator")


def _members(event):
    return project_members(event.instance)


def _route(*routes):
    """Only when the step was taken by one of ``routes`` (the payload's ``route``)."""

    def applies(event):
        return event.payload.get("route") in routes

    return applies


def _when(applies, to):
    def people(event):
        return to(event) if applies(event) else []

    return people


def _data_owners_waited_for(event):
    return list(dict.fromkeys(rep.user for rep in _representatives(event)))


def _representatives(event):
    departments = (
        event.instance.dataset_requests.filter(consent=Consent.PENDING)
        .values("dataset__department")
        .distinct()
    )
    return (
        DataOwnerRepresentative.objects.filter(department__in=departments, user__is_active=True)
        .select_related("user", "department")
        .order_by("department__name", "user__email")
    )


def _reviewers(event):
    if event.from_state != "panel_review":
        return []
    assignments = event.instance.assignments.filter(removed_at__isnull=True).select_related(
        "reviewer"
    )
    return [assignment.reviewer for assignment in assignments]


# Where


def _proposal_page(event):
    return reverse("projects:proposal_detail", kwargs={"pk": event.instance.pk})


def _screen_page(event):
    return reverse("projects:screen", kwargs={"pk": event.instance.pk})


def _panel_page(event):
    return reverse("projects:panel", kwargs={"pk": event.instance.pk})


def _reviewer_queue(event):
    return reverse("projects:reviewer_queue")


def _consent_page(event):
    return reverse("projects:consent", kwargs={"pk": event.instance.pk})


# What


def _proposal(event):
    proposal = event.instance
    return {"proposal": proposal, "project": proposal, "coordinator": proposal.coordinator}


def _decision(event):
    return event.instance.decisions.order_by("-decided_at", "-pk").first()


def _decided(event):
    return {**_proposal(event), "decision": _decision(event)}


def _decision_subject(event):
    decision = _decision(event)
    outcome = decision.get_outcome_display().lower() if decision else "recorded"
    return f"Decision on your project proposal: {outcome}"


def _screening_comments(event):
    screening = (
        event.instance.screenings.filter(outcome=ScreeningReview.Outcome.RETURNED)
        .order_by("-created_at", "-pk")
        .first()
    )
    comments = screening.section_comments if screening else {}
    names = section_names()
    return {
        **_proposal(event),
        "comments": [(names[key], comments[key]) for key in names if key in comments],
    }


def _refused_consent(event):
    refused = (
        DatasetRequest.objects.select_related("dataset__department")
        .filter(proposal=event.instance, pk=event.payload.get("request"))
        .first()
    )
    return {
        **_proposal(event),
        "dataset": refused.dataset if refused else None,
        "department": refused.dataset.department if refused else None,
        "reasons": refused.consent_reasons if refused else "",
    }


def _for_secretariat(event):
    return {**_refused_consent(event), "for_secretariat": True}


def _own_department(event, user):
    departments = [rep.department for rep in _representatives(event) if rep.user_id == user.pk]
    return {"department": departments[0] if departments else None, "departments": departments}


def _moved(what_happened, what_next):
    def context(event):
        return {**_proposal(event), "what_happened": what_happened, "what_next": what_next}

    return context


def _closed(event):
    return {
        **_proposal(event),
        "early": event.from_state == Proposal.State.ACTIVE,
        "reason": event.payload.get("reason", ""),
    }


def _still_ended(to):
    """Only while the project is still ended once the step has committed: one that had nothing
    left open closed in the same transaction, and its people hear that it closed instead."""

    def people(event):
        still = Proposal.objects.filter(pk=event.instance.pk, state=Proposal.State.ENDED)
        return to(event) if still.exists() else []

    return people


def _ended(event):
    return {**_proposal(event), "reasons": unmet_conditions(event.instance, "close")}


def _ended_for_secretariat(event):
    return {**_ended(event), "for_secretariat": True}


_to_coordinator = notices_to("coordinator", link=_proposal_page, action_text="Open your proposal")


def _progress(subject, what_happened, what_next):
    """The co-ordinator hears where their proposal has got to."""
    return _to_coordinator(
        subject, "proposal_moved", context=_moved(what_happened, what_next), summary=what_next
    )


def _panel_decision():
    return _to_coordinator(
        _decision_subject,
        "panel_decision",
        context=_decided,
        summary="Read the panel's decision and its rationale.",
    )


NOTICES = {
    (PROPOSAL, "submit"): (
        Notice(
            to=secretariat_recipients,
            subject="A project proposal is waiting to be screened",
            template="proposal_submitted",
            link=_screen_page,
            action_text="Screen the proposal",
            asks=True,
            context=_proposal,
            summary="Check it is complete and feasible, then pass it on, return it or approve it.",
        ),
        _to_coordinator(
            "Your project proposal has been sent",
            "proposal_sent",
            context=_proposal,
            summary="The secretariat will screen it and tell you what happens next.",
            tell_actor=True,
        ),
    ),
    (PROPOSAL, "start_screening"): _progress(
        "Your project proposal is being screened",
        "The secretariat has started screening your project proposal.",
        "They check it is complete and feasible. We will email you when it moves on, or if "
        "they need you to change something.",
    ),
    (PROPOSAL, "return_to_coordinator"): (
        Notice(
            to=_when(_route("screening"), _coordinator),
            subject="Your project proposal needs changes",
            template="proposal_returned",
            link=_proposal_page,
            action_text="Change your proposal",
            asks=True,
            context=_screening_comments,
            summary="Make the changes the secretariat asks for, then send it again.",
        ),
        Notice(
            to=_when(_route("consent"), _coordinator),
            subject="A data owner has refused consent for your project",
            template="consent_refused",
            link=_proposal_page,
            action_text="Go to your proposal",
            context=_refused_consent,
            summary="Change the proposal to answer the reasons, or remove the dataset.",
        ),
        Notice(
            to=_when(_route("consent"), secretariat_recipients),
            subject="A data owner has refused consent for a project",
            template="consent_refused",
            link=_screen_page,
            action_text="Open the proposal",
            context=_for_secretariat,
            summary="The proposal has been returned to its co-ordinator.",
        ),
        Notice(
            to=_when(_route(PanelDecision.Route.PANEL), _coordinator),
            subject=_decision_subject,
            template="panel_decision",
            link=_proposal_page,
            action_text="Open your proposal",
            context=_decided,
            summary="Read the panel's decision and change your proposal.",
        ),
        Notice(
            # A return by any other route still reaches the co-ordinator.
            to=_when(
                lambda event: not _route("screening", "consent", PanelDecision.Route.PANEL)(event),
                _coordinator,
            ),
            subject="Your project proposal needs changes",
            template="proposal_moved",
            link=_proposal_page,
            action_text="Change your proposal",
            asks=True,
            context=_moved(
                "Your project proposal has been returned to you for changes.",
                "Open your proposal to see what to change, then send it again.",
            ),
            summary="Open your proposal to see what to change, then send it again.",
        ),
    ),
    (PROPOSAL, "send_to_data_owners"): (
        Notice(
            to=_data_owners_waited_for,
            subject="A project asks to use your department's data",
            template="consent_requested",
            link=_consent_page,
            action_text="Give or refuse consent",
            asks=True,
            context=_proposal,
            person_context=_own_department,
            summary="Give or refuse consent for each of your department's datasets it requests.",
        ),
        _progress(
            "Your project proposal has gone to the data owners",
            "The secretariat has screened your project proposal. It asks for data whose owning "
            "department must consent to its use.",
            "The data owners will give or refuse consent. Then the proposal goes to the panel.",
        ),
    ),
    (PROPOSAL, "send_to_panel"): (
        Notice(
            to=_when(_route("consent"), secretariat_recipients),
            subject="A project proposal is ready for the panel: assign reviewers",
            template="proposal_ready_for_panel",
            link=_panel_page,
            action_text="Assign reviewers",
            asks=True,
            context=_proposal,
            summary="Every data owner has consented. Assign three reviewers.",
        ),
        _progress(
            "Your project proposal has gone to the panel",
            "Your project proposal has gone to the Research Accreditation Panel.",
            "Three reviewers will each recommend a decision. Then the panel decides, and we "
            "will email you the decision.",
        ),
    ),
    (PROPOSAL, "fast_track_approve"): _to_coordinator(
        "Your project has been approved",
        "proposal_fast_tracked",
        action_text="Go to your project",
        context=_decided,
        summary="Approved under delegated authority. Activate it on or after its start date.",
    ),
    (PROPOSAL, "approve"): _panel_decision(),
    (PROPOSAL, "approve_with_conditions"): _panel_decision(),
    (PROPOSAL, "reject"): _panel_decision(),
    (PROPOSAL, "activate"): Notice(
        to=_members,
        subject="Your project is active",
        template="project_activated",
        link=_proposal_page,
        action_text="Open the project",
        context=_proposal,
        summary="The team may begin work under the conditions of its approval.",
    ),
    (PROPOSAL, "end"): (
        Notice(
            to=_still_ended(_members),
            subject="Your project has ended",
            template="project_ended",
            link=_proposal_page,
            action_text="Open the project",
            context=_ended,
            summary=(
                "No new outputs can be sent for checking. Record where your released outputs "
                "were published so the project can close."
            ),
        ),
        Notice(
            to=_still_ended(secretariat_recipients),
            subject="A project has ended but cannot close yet",
            template="project_ended",
            link=_proposal_page,
            action_text="Open the project",
            context=_ended_for_secretariat,
            summary=(
                "It closes once its released outputs are published or waived and nothing is "
                "left with the output checkers."
            ),
        ),
    ),
    (PROPOSAL, "reopen"): Notice(
        to=_members,
        subject="Your project is active again",
        template="project_reopened",
        link=_proposal_page,
        action_text="Open the project",
        context=_proposal,
        summary="An approved amendment moved its end date. The team may work on it again.",
    ),
    (PROPOSAL, "close"): Notice(
        to=_members,
        subject="Your project has closed",
        template="project_closed",
        link=_proposal_page,
        action_text="Open the project",
        context=_closed,
        summary="The team no longer has access to the project's data.",
    ),
    (PROPOSAL, "withdraw"): (
        Notice(
            to=secretariat_unless_from_draft,
            subject="A project proposal has been withdrawn",
            template="proposal_withdrawn",
            link=_proposal_page,
            action_text="See the proposal",
            context=_proposal,
            summary="You do not need to do anything.",
        ),
        Notice(
            to=_reviewers,
            subject="A project proposal you were reviewing has been withdrawn",
            template="proposal_withdrawn",
            link=_reviewer_queue,
            action_text="See your reviews",
            context=_proposal,
            summary="You do not need to review it any more.",
        ),
    ),
}


# A team member's accreditation ends or is stopped: the steps are accreditation's, the people
# told are the co-ordinators of the projects the researcher works on.

_LOST = {"suspended": "suspended", "revoked": "revoked", "expired": "ended"}


def _projects_of_team_member(event):
    """Live projects on whose accepted team the researcher is, but which they do not lead."""
    researcher = event.instance.researcher
    return (
        Proposal.objects.filter(
            state__in=Proposal.LIVE,
            team__user=researcher,
            team__accepted_at__isnull=False,
        )
        .exclude(coordinator=researcher)
        .distinct()
        .order_by("title", "pk")
    )


def _coordinators_of_team_member(event):
    projects = _projects_of_team_member(event).select_related("coordinator")
    return list(dict.fromkeys(project.coordinator for project in projects))


def _team_member_projects_context(event, user):
    return {"projects": list(_projects_of_team_member(event).filter(coordinator=user))}


def _team_member_context(event):
    return {
        "researcher": event.instance.researcher,
        # The secretariat's reasons stay between it and the researcher.
        "lost": _LOST.get(event.to_state, event.to_state),
    }


def _team_member_notice():
    return Notice(
        to=_coordinators_of_team_member,
        subject=lambda event: (
            f"{event.instance.researcher.get_full_name()}'s accreditation has been "
            f"{_LOST.get(event.to_state, event.to_state)}"
        ),
        template="team_member_accreditation_lost",
        link=reverse_lazy("projects:proposal_list"),
        action_text="See your projects",
        context=_team_member_context,
        person_context=_team_member_projects_context,
        summary="A member of your project team may not see the project's data for now.",
    )


TEAM_MEMBER_NOTICES = {
    (ACCREDITATION, transition): _team_member_notice()
    for transition in ("suspend", "revoke", "expire")
}


# Not steps of a state machine: the service where each happens sends it by name, through
# ``notifications.services.notify``.

REPLACEMENT_NEEDED = "proposal.replacement_needed"
PANEL_SHORT = "proposal.panel_short"  # a reviewer lost the role


def _proposal_link(proposal):
    return reverse("projects:proposal_detail", kwargs={"pk": proposal.pk})


def _panel_link(proposal):
    return reverse("projects:panel", kwargs={"pk": proposal.pk})


def team_invitation(member: "TeamMember", *, invitee: "User | None", by: "User") -> Message:
    """The person invited onto ``member``'s team hears of it and is asked to answer.

    ``invitee`` is the account at the invited address, or None: an address nobody has an
    account for yet can only be emailed (there is no list for the invitation to wait in), and
    the email says to create an account with that address first.
    """
    proposal = member.proposal
    link = reverse("projects:team_invitation", kwargs={"token": member.token})
    return Message(
        to=(invitee or member.email,),
        kind="proposal.team_invite",
        subject="You have been invited to join a research project",
        template="team_invitation",
        context={
            "proposal": proposal,
            "person": invitee,
            "inviter": by,
            "action_url": link,
            "action_text": "Accept or decline the invitation",
        },
        link=link,
        summary=f"{by.get_full_name()} invites you to join “{proposal.title}”.",
        about=proposal.notice_about,
        object_key=object_key(member),
        needs_action=True,
    )


def team_answered(proposal: Proposal, *, member: "User", accepted: bool) -> Message:
    """The co-ordinator hears that ``member`` has accepted or declined their invitation."""
    link = _proposal_link(proposal)
    return Message(
        to=(proposal.coordinator,),
        kind=f"proposal.team_{'accept' if accepted else 'decline'}",
        subject=(
            "A researcher has joined your project team"
            if accepted
            else "A researcher has declined to join your project team"
        ),
        template="team_answered",
        context={
            "proposal": proposal,
            "person": proposal.coordinator,
            "member": member,
            "accepted": accepted,
            "action_url": link,
            "action_text": "Open the proposal",
        },
        link=link,
        summary=(
            f"{member.get_full_name()} {'joined' if accepted else 'declined to join'} the team."
        ),
        about=object_about(proposal),
        object_key=object_key(proposal),
    )


def reviewer_assigned(assignment: "ReviewerAssignment") -> Message:
    """A panel reviewer is asked to declare any conflict of interest, then review."""
    proposal = assignment.proposal
    link = reverse("projects:review", kwargs={"pk": proposal.pk})
    return Message(
        to=(assignment.reviewer,),
        kind="proposal.reviewer_assign",
        subject="You have been asked to review a project proposal",
        template="panel_review_assigned",
        context={
            "person": assignment.reviewer,
            "proposal": proposal,
            "assignment": assignment,
            "action_url": link,
            "action_text": "Open the proposal",
        },
        link=link,
        summary="Declare any conflict of interest, then review it.",
        about=object_about(assignment),
        object_key=object_key(assignment),
        needs_action=True,
    )


def reviewer_unassigned(assignment: "ReviewerAssignment", *, reason: str) -> Message:
    """A panel reviewer hears they are no longer reviewing the proposal, and why."""
    proposal = assignment.proposal
    return Message(
        to=(assignment.reviewer,),
        kind="proposal.reviewer_unassign",
        subject="You are no longer reviewing a project proposal",
        template="panel_review_unassigned",
        context={"person": assignment.reviewer, "proposal": proposal, "reason": reason},
        summary=reason,
        about=proposal.notice_about,
    )


def replacement_needed(assignment: "ReviewerAssignment") -> Message:
    """The secretariat hears that a reviewer declared a conflict of interest, and is asked to
    assign a replacement."""
    proposal = assignment.proposal
    link = _panel_link(proposal)
    return Message(
        to=tuple(secretariat_users()),
        kind=REPLACEMENT_NEEDED,
        subject="A reviewer has declared a conflict of interest: assign a replacement",
        template="panel_conflict_declared",
        context={
            "proposal": proposal,
            "assignment": assignment,
            "reviewer": assignment.reviewer,
            "action_url": link,
            "action_text": "Assign a replacement reviewer",
        },
        link=link,
        summary=f"{assignment.reviewer.get_full_name()} declared a conflict of interest.",
        about=object_about(proposal),
        object_key=object_key(proposal),
        needs_action=True,
    )


def recommendations_in(proposal: Proposal) -> Message:
    """The secretariat is asked to record the decision once the panel's recommendations are
    in."""
    link = _panel_link(proposal)
    return Message(
        to=tuple(secretariat_users()),
        kind="proposal.recommendations_in",
        subject="The panel's recommendations are in: record the decision",
        template="panel_recommendations_in",
        context={
            "proposal": proposal,
            "action_url": link,
            "action_text": "Record the panel's decision",
        },
        link=link,
        summary="Every recommendation the panel needs is in.",
        about=object_about(proposal),
        object_key=object_key(proposal),
        needs_action=True,
    )


def amendment_in_force(project: Proposal) -> Message:
    """The project's members hear that an approved amendment is now the version in force."""
    link = reverse("projects:versions", kwargs={"pk": project.pk})
    return Message(
        to=tuple(project_members(project)),
        kind="proposal.amendment_apply",
        subject="An amendment to your project is in force",
        template="project_amended",
        context={
            "project": project,
            "version": project.version,
            "action_url": link,
            "action_text": "See what changed",
        },
        link=link,
        summary=f"Version {project.version} of the project is now in force.",
        about=object_about(project),
        object_key=object_key(project),
    )


# A role taken away: the service that ends what the role gave sends these.


def panel_short(proposal: Proposal, *, reviewer: "User") -> Message:
    """The secretariat hears that a reviewer who had not recommended has lost the role."""
    link = reverse("projects:panel", kwargs={"pk": proposal.pk})
    return Message(
        to=tuple(secretariat_users()),
        kind=PANEL_SHORT,
        subject="A reviewer has lost the panel-reviewer role: assign a replacement",
        template="panel_reviewer_role_removed",
        context={
            "proposal": proposal,
            "reviewer": reviewer,
            "action_url": link,
            "action_text": "Assign a replacement reviewer",
        },
        link=link,
        summary=f"{reviewer.get_full_name()} is no longer a panel reviewer, so the panel for "
        f"“{proposal.title}” is short of a recommendation.",
        about=proposal.notice_about,
        object_key=object_key(proposal),
        needs_action=True,
    )


def department_unrepresented(
    department: "Department", proposals: Sequence[Proposal], *, former: "User"
) -> Message:
    """The secretariat hears that nobody is left to answer for ``department``, whose consent
    ``proposals`` wait for."""
    link = reverse("projects:representatives")
    return Message(
        to=tuple(secretariat_users()),
        kind="data_owner_representative.none_left",
        subject=f"Nobody now answers for {department} on consent: name a data owner",
        template="consent_department_unrepresented",
        context={
            "department": department,
            "former": former,
            "proposals": proposals,
            "action_url": link,
            "action_text": "Name a data owner for the department",
        },
        link=link,
        summary=f"{former.get_full_name()} is no longer a data owner, and {len(proposals)} "
        f"proposal(s) wait for {department}'s consent with nobody to answer for it.",
    )


def project_start_refused(project: Proposal, *, reasons: Sequence[str]) -> Message:
    """The co-ordinator hears that their project could not start itself on its start date, and
    why."""
    link = reverse("projects:activate", kwargs={"pk": project.pk})
    return Message(
        to=(project.coordinator,),
        kind="proposal.start_schedule_refused",
        subject=f"“{project.title}” could not start on {project.start_date:%-d %B %Y}",
        template="project_start_refused",
        context={
            "project": project,
            "reasons": list(reasons),
            "action_url": link,
            "action_text": "Start the project",
        },
        link=link,
        summary="The project did not start itself: " + " ".join(reasons) + " Once that is put "
        "right, start it from its page.",
    )
