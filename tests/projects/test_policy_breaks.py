"""The project rules of the data access policy, each shown to hold where a person meets it: a
reason open data will not do for every dataset, an access mode strict enough for the data and a
department's consent before the panel or an approval, each data owner answering for their own
department only, and the service withdrawing only drafts nobody has worked on.

Each test takes the steps a person takes, through the services and pages, and fails when the
line enforcing its rule is taken out.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from identity.roles import Role
from legislation.access_modes import AccessMode
from legislation.services import dataset_update
from projects.consent.services import consent_give, consent_refuse
from projects.models import DataOwnerRepresentative, DatasetRequest, Proposal
from projects.panel import services as panel_services
from projects.proposal.services import (
    proposal_dataset_add,
    proposal_submit,
    proposal_update_section,
)
from projects.screening.services import (
    CHECK_KEYS,
    proposal_fast_track,
    screening_pass,
    screening_start,
)
from tests.factories import UserFactory
from tests.legislation.factories import DatasetFactory
from tests.notifications.reminder_helpers import stale_draft_found, stale_draft_withdraw
from tests.projects.factories import (
    DatasetRequestFactory,
    ProposalFactory,
    proposal_ready_to_submit,
)
from tests.projects.states import panel_ready, proposal_submitted
from workflow.errors import TransitionRefused
from workflow.services import transition_fire

pytestmark = pytest.mark.django_db

State = Proposal.State
Consent = DatasetRequest.Consent

OPEN_DATA_SENTENCE = (
    "For every requested dataset, say which variables you need and why openly available data "
    "cannot be used instead."
)
ACCESS_MODE_SENTENCE = (
    "The access mode must be at least as strict as the strictest requested dataset requires."
)
CONSENT_SENTENCE = "Every dataset whose owning department must consent needs that consent."
DATA_OWNERS_FIRST_SENTENCE = (
    "A proposal requesting a dataset whose owning department must consent goes to the data "
    "owners first."
)


@pytest.fixture
def secretariat():
    return UserFactory(roles=[Role.SECRETARIAT], totp=True)


def data_owner_for(department):
    owner = UserFactory(roles=[Role.DATA_OWNER], totp=True)
    DataOwnerRepresentative.objects.create(user=owner, department=department)
    return owner


def in_screening(secretariat, **kwargs):
    return screening_start(proposal=proposal_submitted(**kwargs), by=secretariat)


def with_the_panel(secretariat, **kwargs):
    """A proposal passed on to the panel, whose three reviewers have all recommended approval."""
    proposal = screening_pass(
        proposal=in_screening(secretariat, **kwargs), checks=CHECK_KEYS, by=secretariat
    )
    assert proposal.state == State.PANEL_REVIEW
    proposal, _ = panel_ready(by=secretariat, proposal=proposal)
    return proposal


def approval_refusals(proposal, secretariat, outcome="approve"):
    with pytest.raises(TransitionRefused) as refused:
        panel_services.decision_record(
            proposal=proposal,
            outcome=outcome,
            rationale="A clear public benefit.",
            conditions_text="Publish the code.",
            by=secretariat,
        )
    proposal.refresh_from_db()
    assert proposal.state == State.PANEL_REVIEW
    assert not proposal.decisions.exists()
    return refused.value.reasons


# Openly available data must not be enough (§5 l.116)


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_proposal_dataset_add_refused_without_a_reason_open_data_will_not_do(reason):
    proposal = ProposalFactory()

    with pytest.raises(ValidationError) as refused:
        proposal_dataset_add(
            proposal=proposal,
            dataset=DatasetFactory(),
            variables="Annual earnings, region",
            open_data_reason=reason,
            by=proposal.coordinator,
        )

    assert refused.value.message_dict == {
        "open_data_reason": ["Enter why openly available data cannot be used"]
    }
    assert not proposal.dataset_requests.exists()
    assert not AuditEvent.objects.filter(action="proposal.dataset_add").exists()


def test_proposal_submit_refused_while_a_dataset_has_no_reason_open_data_will_not_do(client):
    # A request saved before the reason was asked for, or carried into an amendment.
    proposal = proposal_ready_to_submit()
    DatasetRequestFactory(proposal=proposal, open_data_reason="")
    client.force_login(proposal.coordinator)

    page = client.post(reverse("projects:proposal_check", kwargs={"pk": proposal.pk}))

    assert page.status_code == 200
    assert OPEN_DATA_SENTENCE in page.content.decode().replace("&#x27;", "'")
    with pytest.raises(TransitionRefused) as refused:
        proposal_submit(proposal=proposal, by=proposal.coordinator)
    assert refused.value.reasons == [OPEN_DATA_SENTENCE]
    proposal.refresh_from_db()
    assert proposal.state == State.DRAFT


# The access mode at least as strict as the data needs, at the decision too (§5 l.115, l.117)


def test_panel_approval_refused_once_a_dataset_needs_a_stricter_access_mode(client, secretariat):
    dataset = DatasetFactory(access_mode=AccessMode.SAFE_SETTING)
    proposal = with_the_panel(secretariat, datasets=[dataset])
    assert proposal.access_mode == AccessMode.SAFE_SETTING
    # The catalogue changes after the proposal was sent: the data now needs the secure lab.
    dataset_update(dataset=dataset, access_mode=AccessMode.SECURE_LAB_ONLY, by=secretariat)

    assert approval_refusals(proposal, secretariat) == [ACCESS_MODE_SENTENCE]
    assert approval_refusals(proposal, secretariat, "approve_with_conditions") == [
        ACCESS_MODE_SENTENCE
    ]
    client.force_login(secretariat)
    page = client.post(
        reverse("projects:panel", kwargs={"pk": proposal.pk}),
        {"action": "decide", "decide-outcome": "approve", "decide-rationale": "Sound."},
    )
    assert ACCESS_MODE_SENTENCE in page.content.decode()
    proposal.refresh_from_db()
    assert proposal.state == State.PANEL_REVIEW


def test_fast_track_refused_once_a_dataset_needs_a_stricter_access_mode(secretariat):
    dataset = DatasetFactory(access_mode=AccessMode.REMOTE_SECURE)
    proposal = in_screening(secretariat, datasets=[dataset])
    assert proposal.access_mode == AccessMode.REMOTE_SECURE
    dataset_update(dataset=dataset, access_mode=AccessMode.SAFE_SETTING, by=secretariat)

    with pytest.raises(TransitionRefused) as refused:
        proposal_fast_track(
            proposal=proposal, checks=CHECK_KEYS, rationale="Low risk.", by=secretariat
        )

    assert refused.value.reasons == [ACCESS_MODE_SENTENCE]
    proposal.refresh_from_db()
    assert (proposal.state, proposal.fast_tracked) == (State.SCREENING, False)


# Another department's data needs that department's consent (§5 l.125)


def test_send_to_panel_from_screening_refused_while_a_dataset_needs_consent(secretariat):
    proposal = in_screening(secretariat, consent_needed=True)

    with pytest.raises(TransitionRefused) as refused:
        transition_fire(obj=proposal, transition="send_to_panel", by=secretariat)

    assert refused.value.reasons == [DATA_OWNERS_FIRST_SENTENCE]
    proposal.refresh_from_db()
    assert proposal.state == State.SCREENING


def test_send_to_panel_refused_while_one_department_has_not_consented(secretariat):
    hmrc, dwp = DatasetFactory(consent_required=True), DatasetFactory(consent_required=True)
    hmrc_owner = data_owner_for(hmrc.department)
    data_owner_for(dwp.department)
    proposal = screening_pass(
        proposal=in_screening(secretariat, datasets=[hmrc, dwp]), checks=CHECK_KEYS, by=secretariat
    )

    proposal = consent_give(
        dataset_request=proposal.dataset_requests.get(dataset=hmrc), by=hmrc_owner
    )
    assert proposal.state == State.DATA_OWNER_REVIEW
    for by in (secretariat, hmrc_owner):
        with pytest.raises(TransitionRefused) as refused:
            transition_fire(obj=proposal, transition="send_to_panel", by=by)
        assert refused.value.reasons == [CONSENT_SENTENCE]

    proposal.refresh_from_db()
    assert proposal.state == State.DATA_OWNER_REVIEW
    assert not AuditEvent.objects.filter(action="proposal.send_to_panel").exists()


def test_panel_approval_refused_once_a_dataset_needs_consent_not_given(secretariat):
    dataset = DatasetFactory(consent_required=False)
    proposal = with_the_panel(secretariat, datasets=[dataset])
    assert proposal.dataset_requests.get().consent == Consent.NOT_NEEDED
    # The catalogue learns that the data came from another department, which must consent.
    dataset_update(dataset=dataset, consent_required=True, by=secretariat)

    assert approval_refusals(proposal, secretariat) == [CONSENT_SENTENCE]
    assert approval_refusals(proposal, secretariat, "approve_with_conditions") == [CONSENT_SENTENCE]


def two_departments(secretariat):
    """A proposal with the data owners, requesting one dataset from each of two departments,
    each department with its own data owner."""
    hmrc, dwp = DatasetFactory(consent_required=True), DatasetFactory(consent_required=True)
    owners = data_owner_for(hmrc.department), data_owner_for(dwp.department)
    proposal = screening_pass(
        proposal=in_screening(secretariat, datasets=[hmrc, dwp]), checks=CHECK_KEYS, by=secretariat
    )
    assert proposal.state == State.DATA_OWNER_REVIEW
    requests = (
        proposal.dataset_requests.get(dataset=hmrc),
        proposal.dataset_requests.get(dataset=dwp),
    )
    return proposal, owners, requests


def test_consent_refused_to_a_data_owner_answering_for_another_departments_dataset(secretariat):
    proposal, (hmrc_owner, _), (_, dwp_request) = two_departments(secretariat)

    with pytest.raises(PermissionDenied):
        consent_give(dataset_request=dwp_request, by=hmrc_owner)
    with pytest.raises(PermissionDenied):
        consent_refuse(dataset_request=dwp_request, reasons="Not for health data.", by=hmrc_owner)

    dwp_request.refresh_from_db()
    assert (dwp_request.consent, dwp_request.consent_by) == (Consent.PENDING, None)
    proposal.refresh_from_db()
    assert proposal.state == State.DATA_OWNER_REVIEW
    assert not AuditEvent.objects.filter(action="proposal.consent_give").exists()


def test_consent_page_refuses_an_answer_for_another_departments_dataset(client, secretariat):
    proposal, (hmrc_owner, _), (hmrc_request, dwp_request) = two_departments(secretariat)
    client.force_login(hmrc_owner)
    url = reverse("projects:consent", kwargs={"pk": proposal.pk})

    page = client.get(url).content.decode()
    answered = client.post(
        url, {"request": dwp_request.pk, f"request-{dwp_request.pk}-answer": "give"}
    )

    assert f'name="request-{hmrc_request.pk}-answer"' in page
    assert f'name="request-{dwp_request.pk}-answer"' not in page
    assert answered.status_code == 404
    dwp_request.refresh_from_db()
    assert dwp_request.consent == Consent.PENDING


def test_consent_give_by_each_department_sends_the_proposal_on_only_after_both(secretariat):
    proposal, (hmrc_owner, dwp_owner), (hmrc_request, dwp_request) = two_departments(secretariat)

    proposal = consent_give(dataset_request=hmrc_request, by=hmrc_owner)
    assert proposal.state == State.DATA_OWNER_REVIEW

    proposal = consent_give(dataset_request=dwp_request, by=dwp_owner)
    assert proposal.state == State.PANEL_REVIEW


# The service withdraws only drafts nobody has worked on (§2 l.25)


def test_stale_draft_withdrawal_leaves_a_proposal_submitted_after_it_was_found():
    proposal = proposal_ready_to_submit()
    found = stale_draft_found("proposal", proposal)
    proposal_submit(proposal=proposal, by=proposal.coordinator)

    assert stale_draft_withdraw("proposal", found) == []

    proposal.refresh_from_db()
    assert proposal.state == State.SUBMITTED
    assert not AuditEvent.objects.filter(action="proposal.withdraw").exists()


def test_stale_draft_withdrawal_leaves_a_draft_its_coordinator_worked_on_after_it_was_found():
    proposal = ProposalFactory()
    found = stale_draft_found("proposal", proposal)
    proposal_update_section(
        proposal=proposal,
        section="methods",
        values={"aims": "Earnings and health.", "methods": "Regression.", "software": "R"},
        by=proposal.coordinator,
    )

    assert stale_draft_withdraw("proposal", found) == []

    proposal.refresh_from_db()
    assert proposal.state == State.DRAFT
    assert not AuditEvent.objects.filter(action="proposal.withdraw").exists()


def test_stale_draft_withdrawal_withdraws_a_draft_nobody_worked_on():
    proposal = ProposalFactory()
    found = stale_draft_found("proposal", proposal)

    assert [draft.pk for draft in stale_draft_withdraw("proposal", found)] == [proposal.pk]

    proposal.refresh_from_db()
    assert proposal.state == State.WITHDRAWN
    event = AuditEvent.objects.get(action="proposal.withdraw")
    assert (event.actor, event.from_state) == (None, "draft")


def test_proposal_withdraw_by_the_service_refused_once_a_proposal_is_submitted():
    proposal = proposal_submitted()

    with pytest.raises(PermissionDenied):
        transition_fire(obj=proposal, transition="withdraw", by=None)

    proposal.refresh_from_db()
    assert proposal.state == State.SUBMITTED
