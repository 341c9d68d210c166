"""Rules a project step must meet before it can be taken. Each rule's ``message`` is the
sentence shown to the user when the rule is not met yet.

A rule that builds on another (the end date being after the start builds on there being dates)
is met while the one it builds on is not, so each missing thing is said once.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils import timezone

if TYPE_CHECKING:
    from projects.models import Proposal

ETHICS_ANSWERS = ("yes", "no", "partly")
ETHICS_QUESTIONS = (
    "public_good",
    "confidentiality",
    "methods_quality",
    "legal_compliance",
    "public_views",
)


def _filled(*values):
    return all((value or "").strip() for value in values)


def _requests(proposal):
    return list(proposal.dataset_requests.select_related("dataset"))


def _members(proposal):
    """The co-ordinator and every team member who has accepted, each once."""
    from projects.proposal.selectors import proposal_members

    return proposal_members(proposal)


# Each section of the proposal


def title_given(proposal):
    return _filled(proposal.title, proposal.lay_summary)


title_given.message = "Give the project's title and a lay summary."


def purposes_given(proposal):
    return bool(proposal.purposes) and _filled(proposal.purpose_explanation)


purposes_given.message = (
    "Choose at least one public-good purpose and explain how the project serves it."
)


def methods_given(proposal):
    return _filled(proposal.aims, proposal.methods, proposal.software)


methods_given.message = "Describe the project's aims, methods and the software it will use."


def has_dates(proposal):
    return proposal.start_date is not None and proposal.end_date is not None


has_dates.message = "Give the project's start and end dates."


def ends_after_start(proposal):
    if proposal.start_date is None or proposal.end_date is None:
        return True  # has_dates says what is missing
    return proposal.end_date > proposal.start_date


ends_after_start.message = "The project's end date must be after its start date."


def requests_data(proposal):
    return proposal.dataset_requests.exists()


requests_data.message = "Request at least one dataset."


def datasets_explained(proposal):
    return all(
        _filled(request.variables, request.open_data_reason) for request in _requests(proposal)
    )


datasets_explained.message = (
    "For every requested dataset, say which variables you need and why openly available data cannot"
    " be used instead."
)


def ethics_answered(proposal):
    ethics = proposal.ethics or {}
    for question in ETHICS_QUESTIONS:
        entry = ethics.get(question) or {}
        answer = entry.get("answer")
        if answer not in ETHICS_ANSWERS:
            return False
        if answer != "yes" and not _filled(entry.get("details")):
            return False
    return True


ethics_answered.message = (
    "Answer every question of the ethics self-assessment, with details for any answer other than "
    "yes."
)


def dpia_answered(proposal):
    return proposal.dpia_needed is not None


dpia_answered.message = "Say whether the project needs a data protection impact assessment."


def dpia_uploaded(proposal):
    return proposal.dpia_needed is not True or bool(proposal.dpia_file)


dpia_uploaded.message = "Upload the data protection impact assessment the project needs."


def access_mode_chosen(proposal):
    return bool(proposal.access_mode)


access_mode_chosen.message = "Choose how the team will access the data."


def access_mode_strict_enough(proposal):
    from legislation.access_modes import access_mode_satisfies

    if not proposal.access_mode:
        return True  # access_mode_chosen says what is missing
    required = strictest_access_mode(proposal)
    return required is None or access_mode_satisfies(proposal.access_mode, required)


access_mode_strict_enough.message = (
    "The access mode must be at least as strict as the strictest requested dataset requires."
)


def outputs_planned(proposal):
    return _filled(proposal.outputs_plan, proposal.publication_plan)


outputs_planned.message = (
    "Describe the outputs the project plans and how its results will be published."
)


# The team


def team_accepted(proposal):
    return not proposal.team.filter(accepted_at__isnull=True).exists()


team_accepted.message = (
    "Every person invited to the team must accept the invitation, or be removed from the team."
)


def team_accredited(proposal):
    if proposal.end_date is None:
        return True  # has_dates says what is missing
    return all(
        accreditation_lasting(user, proposal.end_date) is not None for user in _members(proposal)
    )


team_accredited.message = (
    "Every team member, the co-ordinator included, must hold active accreditation lasting to the "
    "project's end date."
)


def supervisors_on_team(proposal):
    from accreditation.levels import Level

    members = _members(proposal)
    ids = {user.pk for user in members}
    for user in members:
        accreditation = accreditation_lasting(user, proposal.end_date)
        if accreditation is None or accreditation.level != Level.PROVISIONAL:
            continue
        if accreditation.application.supervisor_id not in ids:
            return False
    return True


supervisors_on_team.message = (
    "A team member with provisional accreditation must have their supervisor on the team."
)


def team_two_factor_to_join(proposal):
    """This project has started, so every member of its team, the co-ordinator included, must
    set up two-factor authentication (an authenticator app or a passkey).

    An amendment is the only way onto a running project's team, so the rule holds for
    amendments; a proposal's team needs two factors only once the project starts
    (``lifecycle_conditions.team_two_factor_to_start``).
    """
    from projects.lifecycle.selectors import members_without_two_factor

    if proposal.amends_id is None:
        return True
    return not members_without_two_factor(proposal)


team_two_factor_to_join.message = (
    "This project has started, so every member of its team, the co-ordinator included, must set "
    "up two-factor authentication (an authenticator app or a passkey)."
)


# The data


def datasets_have_gateway(proposal):
    return not proposal.dataset_requests.filter(dataset__gateways__isnull=True).exists()


datasets_have_gateway.message = (
    "Every requested dataset must be held under a legal gateway (at least one act)."
)


def consent_given(proposal: "Proposal") -> bool:
    from .models import DatasetRequest

    return not (
        proposal.dataset_requests.filter(dataset__consent_required=True)
        .exclude(consent=DatasetRequest.Consent.GIVEN)
        .exists()
    )


consent_given.message = "Every dataset whose owning department must consent needs that consent."


def needs_consent(proposal):
    return proposal.dataset_requests.filter(dataset__consent_required=True).exists()


needs_consent.message = (
    "Data-owner review is only for proposals requesting a dataset whose owning department must "
    "consent."
)


def needs_no_consent(proposal):
    return not needs_consent(proposal)


needs_no_consent.message = (
    "A proposal requesting a dataset whose owning department must consent goes to the data owners "
    "first."
)


def not_ended(proposal):
    return proposal.end_date is not None and proposal.end_date >= timezone.localdate()


not_ended.message = "A project whose end date has passed cannot start."


def fast_track_eligible(proposal):
    return not needs_consent(proposal)


fast_track_eligible.message = (
    "The fast track is only for proposals whose datasets need no other department's consent."
)


# Helpers the rules share


def strictest_access_mode(proposal: "Proposal") -> str | None:
    """The strictest access mode the proposal's requested datasets require, or None."""
    from legislation.selectors import datasets_strictest_access_mode

    return datasets_strictest_access_mode(
        datasets=[request.dataset for request in _requests(proposal)]
    )


def accreditation_lasting(user, until):
    """``user``'s accreditation that is active today and still valid on ``until``, or None."""
    from accreditation.selectors import accreditation_active_for

    accreditation = accreditation_active_for(user)
    if accreditation is None or until is None or accreditation.valid_until < until:
        return None
    return accreditation


# The rules of each step, in the order a page lists them.

SECTION_CONDITIONS = (
    title_given,
    purposes_given,
    methods_given,
    has_dates,
    ends_after_start,
    requests_data,
    datasets_explained,
    ethics_answered,
    dpia_answered,
    dpia_uploaded,
    access_mode_chosen,
    access_mode_strict_enough,
    outputs_planned,
)

TEAM_CONDITIONS = (team_accepted, team_accredited, supervisors_on_team, team_two_factor_to_join)

SUBMISSION_CONDITIONS = (*SECTION_CONDITIONS, *TEAM_CONDITIONS, datasets_have_gateway)

APPROVAL_CONDITIONS: tuple[Callable[["Proposal"], bool], ...] = (
    team_accepted,
    team_accredited,
    supervisors_on_team,
    team_two_factor_to_join,
    datasets_have_gateway,
    access_mode_strict_enough,
    consent_given,
)


# The panel


def panel_recommendations_in(proposal: "Proposal") -> bool:
    submitted = list(
        proposal.assignments.on_panel()
        .filter(recommendation__isnull=False)
        .values_list("independent", flat=True)
    )
    return len(submitted) >= 3 and any(submitted)


panel_recommendations_in.message = (
    "Three reviewers, at least one of them independent, must have submitted their recommendations."
)


PANEL_DECISION_CONDITIONS: tuple[Callable[["Proposal"], bool], ...] = (panel_recommendations_in,)
