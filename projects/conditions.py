"""Rules a project step must meet before it can be taken. Each docstring's first paragraph is
the sentence shown to the user when the rule is not met yet.

A rule that builds on another (the end date being after the start builds on there being dates)
is met while the one it builds on is not, so each missing thing is said once.
"""

from django.utils import timezone

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
    from .proposal_selectors import proposal_members

    return proposal_members(proposal)


# Each section of the proposal


def title_given(proposal):
    """Give the project's title and a lay summary."""
    return _filled(proposal.title, proposal.lay_summary)


def purposes_given(proposal):
    """Choose at least one public-good purpose and explain how the project serves it."""
    return bool(proposal.purposes) and _filled(proposal.purpose_explanation)


def methods_given(proposal):
    """Describe the project's aims, methods and the software it will use."""
    return _filled(proposal.aims, proposal.methods, proposal.software)


def has_dates(proposal):
    """Give the project's start and end dates."""
    return proposal.start_date is not None and proposal.end_date is not None


def ends_after_start(proposal):
    """The project's end date must be after its start date."""
    if proposal.start_date is None or proposal.end_date is None:
        return True  # has_dates says what is missing
    return proposal.end_date > proposal.start_date


def requests_data(proposal):
    """Request at least one dataset."""
    return proposal.dataset_requests.exists()


def datasets_explained(proposal):
    """For every requested dataset, say which variables you need and why openly available data
    cannot be used instead."""
    return all(
        _filled(request.variables, request.open_data_reason) for request in _requests(proposal)
    )


def ethics_answered(proposal):
    """Answer every question of the ethics self-assessment, with details for any answer other
    than yes."""
    ethics = proposal.ethics or {}
    for question in ETHICS_QUESTIONS:
        entry = ethics.get(question) or {}
        answer = entry.get("answer")
        if answer not in ETHICS_ANSWERS:
            return False
        if answer != "yes" and not _filled(entry.get("details")):
            return False
    return True


def dpia_answered(proposal):
    """Say whether the project needs a data protection impact assessment."""
    return proposal.dpia_needed is not None


def dpia_uploaded(proposal):
    """Upload the data protection impact assessment the project needs."""
    return proposal.dpia_needed is not True or bool(proposal.dpia_file)


def access_mode_chosen(proposal):
    """Choose how the team will access the data."""
    return bool(proposal.access_mode)


def access_mode_strict_enough(proposal):
    """The access mode must be at least as strict as the strictest requested dataset requires."""
    from legislation.access_modes import access_mode_satisfies

    if not proposal.access_mode:
        return True  # access_mode_chosen says what is missing
    required = strictest_access_mode(proposal)
    return required is None or access_mode_satisfies(proposal.access_mode, required)


def outputs_planned(proposal):
    """Describe the outputs the project plans and how its results will be published."""
    return _filled(proposal.outputs_plan, proposal.publication_plan)


# The team


def team_accepted(proposal):
    """Every person invited to the team must accept the invitation, or be removed from the
    team."""
    return not proposal.team.filter(accepted_at__isnull=True).exists()


def team_accredited(proposal):
    """Every team member, the co-ordinator included, must hold active accreditation lasting to
    the project's end date."""
    if proposal.end_date is None:
        return True  # has_dates says what is missing
    return all(
        accreditation_lasting(user, proposal.end_date) is not None for user in _members(proposal)
    )


def supervisors_on_team(proposal):
    """A team member with provisional accreditation must have their supervisor on the team."""
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


def team_two_factor_to_join(proposal):
    """This project has started, so every member of its team, the co-ordinator included, must
    set up two-factor authentication (an authenticator app or a passkey).

    An amendment is the only way onto a running project's team, so the rule holds for
    amendments; a proposal's team needs two factors only once the project starts
    (``lifecycle_conditions.team_two_factor_to_start``).
    """
    from .lifecycle_selectors import members_without_two_factor

    if proposal.amends_id is None:
        return True
    return not members_without_two_factor(proposal)


# The data


def datasets_have_gateway(proposal):
    """Every requested dataset must be held under a legal gateway (at least one act)."""
    return not proposal.dataset_requests.filter(dataset__gateways__isnull=True).exists()


def consent_given(proposal):
    """Every dataset whose owning department must consent needs that consent."""
    from .models import DatasetRequest

    return not (
        proposal.dataset_requests.filter(dataset__consent_required=True)
        .exclude(consent=DatasetRequest.Consent.GIVEN)
        .exists()
    )


def needs_consent(proposal):
    """Data-owner review is only for proposals requesting a dataset whose owning department
    must consent."""
    return proposal.dataset_requests.filter(dataset__consent_required=True).exists()


def needs_no_consent(proposal):
    """A proposal requesting a dataset whose owning department must consent goes to the data
    owners first."""
    return not needs_consent(proposal)


def not_ended(proposal):
    """A project whose end date has passed cannot start."""
    return proposal.end_date is not None and proposal.end_date >= timezone.localdate()


def fast_track_eligible(proposal):
    """The fast track is only for proposals whose datasets need no other department's consent."""
    return not needs_consent(proposal)


# Helpers the rules share


def strictest_access_mode(proposal):
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

APPROVAL_CONDITIONS = (
    team_accepted,
    team_accredited,
    supervisors_on_team,
    team_two_factor_to_join,
    datasets_have_gateway,
    access_mode_strict_enough,
    consent_given,
)


# The panel


def panel_recommendations_in(proposal):
    """Three reviewers, at least one of them independent, must have submitted their
    recommendations."""
    submitted = list(
        proposal.assignments.on_panel()
        .filter(recommendation__isnull=False)
        .values_list("independent", flat=True)
    )
    return len(submitted) >= 3 and any(submitted)


PANEL_DECISION_CONDITIONS = (panel_recommendations_in,)
