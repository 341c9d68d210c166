"""Data owners' consent to the datasets a proposal requests, and who represents a department."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from identity.roles import Role
from projects.consent.services import (
    consent_give,
    consent_refuse,
    representative_add,
    representative_remove,
)
from projects.consent.views import PROPOSALS_PER_PAGE
from projects.models import DataOwnerRepresentative, DatasetRequest, Proposal
from projects.screening.selectors import screening_feedback
from projects.screening.services import CHECK_KEYS, screening_pass, screening_start
from tests.factories import UserFactory
from tests.legislation.factories import DatasetFactory, DepartmentFactory
from tests.projects.states import proposal_submitted
from workflow.errors import TransitionRefused

pytestmark = pytest.mark.django_db

# Emails sent by the steps a test takes, as the accreditation tests read them.

State = Proposal.State
Consent = DatasetRequest.Consent
# Ids a tampered form might post: none names a row, so each is not found, never a server error.
NOT_IDS = ["abc", "1.5", "", "-1", " 1", "9" * 30, "9" * 5000]
QUEUE = reverse("projects:consent_queue")
REPRESENTATIVES = reverse("projects:representatives")


@pytest.fixture
def secretariat():
    return UserFactory(roles=[Role.SECRETARIAT], totp=True)


def data_owner_for(department):
    owner = UserFactory(roles=[Role.DATA_OWNER], totp=True)
    DataOwnerRepresentative.objects.create(user=owner, department=department)
    return owner


def with_data_owners(secretariat, *datasets):
    """A proposal requesting ``datasets``, passed on by the secretariat to the data owners."""
    proposal = proposal_submitted(datasets=list(datasets))
    proposal = screening_start(proposal=proposal, by=secretariat)
    return screening_pass(proposal=proposal, checks=CHECK_KEYS, by=secretariat)


def request_for(proposal, dataset):
    return proposal.dataset_requests.get(dataset=dataset)


def consent_url(proposal):
    return reverse("projects:consent", kwargs={"pk": proposal.pk})


@pytest.fixture
def hmrc():
    return DatasetFactory(consent_required=True)


def test_consent_give_for_the_last_dataset_sends_the_proposal_to_the_panel(secretariat, hmrc):
    dwp = DatasetFactory(consent_required=True)
    hmrc_owner, dwp_owner = data_owner_for(hmrc.department), data_owner_for(dwp.department)
    proposal = with_data_owners(secretariat, hmrc, dwp)

    proposal = consent_give(dataset_request=request_for(proposal, hmrc), by=hmrc_owner)
    assert proposal.state == State.DATA_OWNER_REVIEW

    proposal = consent_give(dataset_request=request_for(proposal, dwp), by=dwp_owner)

    assert proposal.state == State.PANEL_REVIEW
    given = request_for(proposal, dwp)
    assert (given.consent, given.consent_by) == (Consent.GIVEN, dwp_owner)
    assert AuditEvent.objects.filter(action="proposal.consent_give").count() == 2
    moved = AuditEvent.objects.get(action="proposal.send_to_panel")
    assert (moved.actor, moved.from_state) == (dwp_owner, "data_owner_review")


def test_consent_refuse_returns_the_proposal_with_the_reasons(secretariat, hmrc, sent):
    owner = data_owner_for(hmrc.department)
    proposal = with_data_owners(secretariat, hmrc)

    with sent.capture():
        proposal = consent_refuse(
            dataset_request=request_for(proposal, hmrc),
            reasons="Tax records cannot be linked to health data.",
            by=owner,
        )

    assert proposal.state == State.RETURNED
    refused = request_for(proposal, hmrc)
    assert (refused.consent, refused.consent_reasons) == (
        Consent.REFUSED,
        "Tax records cannot be linked to health data.",
    )
    event = AuditEvent.objects.get(action="proposal.return_to_coordinator")
    assert (event.actor, event.payload["route"]) == (owner, "consent")
    assert "Tax records cannot be linked" in sent.to(proposal.coordinator.email)[0].body
    assert sent.to(secretariat.email)[0].subject == (
        "A data owner has refused consent for a project"
    )
    assert screening_feedback(proposal)["refusals"] == [refused]


def test_consent_refuse_needs_reasons(secretariat, hmrc):
    owner = data_owner_for(hmrc.department)
    proposal = with_data_owners(secretariat, hmrc)

    with pytest.raises(ValidationError):
        consent_refuse(dataset_request=request_for(proposal, hmrc), reasons=" ", by=owner)

    proposal.refresh_from_db()
    assert proposal.state == State.DATA_OWNER_REVIEW


def test_consent_give_refused_for_a_data_owner_of_another_department(secretariat, hmrc):
    # The other data owner's department has a dataset on the proposal too, so only the rule
    # that each answers for their own department's data refuses them.
    dwp = DatasetFactory(consent_required=True)
    other = data_owner_for(dwp.department)
    proposal = with_data_owners(secretariat, hmrc, dwp)

    with pytest.raises(PermissionDenied) as refused:
        consent_give(dataset_request=request_for(proposal, hmrc), by=other)
    assert str(refused.value) == (
        "Only a data owner for the department that owns this dataset can answer for it."
    )

    assert request_for(proposal, hmrc).consent == Consent.PENDING


def test_consent_give_refused_once_answered(secretariat, hmrc):
    owner = data_owner_for(hmrc.department)
    proposal = with_data_owners(secretariat, hmrc, DatasetFactory(consent_required=True))
    consent_give(dataset_request=request_for(proposal, hmrc), by=owner)

    with pytest.raises(TransitionRefused):
        consent_refuse(dataset_request=request_for(proposal, hmrc), reasons="Changed.", by=owner)


def test_representative_add_and_remove_are_audited(secretariat):
    department = DepartmentFactory()
    owner = UserFactory(roles=[Role.DATA_OWNER], totp=True)

    representative = representative_add(user=owner, department=department, by=secretariat)
    representative_remove(representative=representative, by=secretariat)

    assert not DataOwnerRepresentative.objects.exists()
    actions = list(
        AuditEvent.objects.filter(actor=secretariat).order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["data_owner_representative.add", "data_owner_representative.remove"]


def test_representative_add_refuses_someone_without_the_data_owner_role(secretariat):
    with pytest.raises(ValidationError):
        representative_add(
            user=UserFactory(roles=[Role.RESEARCHER]),
            department=DepartmentFactory(),
            by=secretariat,
        )


def test_representative_add_refused_for_a_data_owner():
    owner = UserFactory(roles=[Role.DATA_OWNER], totp=True)

    with pytest.raises(PermissionDenied) as refused:
        representative_add(user=owner, department=DepartmentFactory(), by=owner)
    assert str(refused.value) == "Only the secretariat can say who represents a department."


# Pages


def test_consent_queue_lists_only_proposals_requesting_the_owners_departments_data(
    client, secretariat, hmrc
):
    owner = data_owner_for(hmrc.department)
    mine = with_data_owners(secretariat, hmrc)
    others = with_data_owners(secretariat, DatasetFactory(consent_required=True))
    client.force_login(owner)

    page = client.get(QUEUE)

    assert [proposal.pk for proposal in page.context["proposals"]] == [mine.pk]
    assert others.title not in page.content.decode()


@pytest.mark.parametrize("rows", [3, 30])
def test_consent_queue_query_count_does_not_grow_with_rows(
    client, secretariat, hmrc, rows, django_assert_max_num_queries
):
    from .factories import DatasetRequestFactory, ProposalFactory

    owner = data_owner_for(hmrc.department)
    # The rows screening_pass leaves (a proposal waiting for consent to its request), made in
    # bulk: two hundred through the services would take longer than the rest of the module.
    for proposal in ProposalFactory.create_batch(rows, state=State.DATA_OWNER_REVIEW):
        DatasetRequestFactory(proposal=proposal, dataset=hmrc)
    client.force_login(owner)
    client.get(QUEUE)

    # Two more than the page needs: the staff declaration check and the header's count of
    # unread notifications.
    with django_assert_max_num_queries(9):
        response = client.get(QUEUE)

    assert len(response.context["proposals"]) == min(rows, PROPOSALS_PER_PAGE)


def test_consent_page_is_not_found_for_a_data_owner_of_another_department(
    client, secretariat, hmrc
):
    data_owner_for(hmrc.department)
    proposal = with_data_owners(secretariat, hmrc)
    client.force_login(data_owner_for(DepartmentFactory()))

    assert client.get(consent_url(proposal)).status_code == 404


def test_consent_page_refused_for_the_secretariat(client, secretariat, hmrc):
    proposal = with_data_owners(secretariat, hmrc)
    client.force_login(secretariat)

    assert client.get(consent_url(proposal)).status_code == 403


def test_consent_page_refusal_without_reasons_keeps_the_state(client, secretariat, hmrc):
    owner = data_owner_for(hmrc.department)
    proposal = with_data_owners(secretariat, hmrc)
    dataset_request = request_for(proposal, hmrc)
    client.force_login(owner)
    prefix = f"request-{dataset_request.pk}"

    response = client.post(
        consent_url(proposal), {"request": dataset_request.pk, f"{prefix}-answer": "refuse"}
    )

    assert response.status_code == 200
    assert "Enter the reasons for refusing consent" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.state == State.DATA_OWNER_REVIEW


def test_consent_page_gives_consent_and_sends_the_proposal_on(client, secretariat, hmrc):
    owner = data_owner_for(hmrc.department)
    proposal = with_data_owners(secretariat, hmrc)
    dataset_request = request_for(proposal, hmrc)
    client.force_login(owner)
    prefix = f"request-{dataset_request.pk}"

    response = client.post(
        consent_url(proposal),
        {"request": dataset_request.pk, f"{prefix}-answer": "give"},
        follow=True,
    )

    assert "it has gone to the panel" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.state == State.PANEL_REVIEW


@pytest.mark.parametrize("posted", NOT_IDS)
def test_consent_page_with_a_posted_id_that_is_not_a_number_is_not_found(
    client, secretariat, hmrc, posted
):
    owner = data_owner_for(hmrc.department)
    proposal = with_data_owners(secretariat, hmrc)
    client.force_login(owner)

    response = client.post(consent_url(proposal), {"request": posted, "answer": "give"})

    assert response.status_code == 404
    assert "Page not found" in response.text
    assert request_for(proposal, hmrc).consent == Consent.PENDING


def test_representatives_page_adds_a_data_owner(client, secretariat):
    department = DepartmentFactory()
    owner = UserFactory(roles=[Role.DATA_OWNER], totp=True)
    client.force_login(secretariat)

    response = client.post(
        REPRESENTATIVES,
        {"action": "add", "user": owner.pk, "department": department.pk},
        follow=True,
    )

    assert "now represents" in response.content.decode()
    assert DataOwnerRepresentative.objects.filter(user=owner, department=department).exists()


def test_representatives_page_refused_for_a_data_owner(client):
    client.force_login(UserFactory(roles=[Role.DATA_OWNER], totp=True))

    assert client.get(REPRESENTATIVES).status_code == 403


def test_consent_page_is_not_found_for_a_draft(client):
    from .factories import ProposalFactory

    dataset = DatasetFactory(consent_required=True)
    owner = data_owner_for(dataset.department)
    proposal = ProposalFactory(datasets=[dataset])
    client.force_login(owner)

    assert client.get(consent_url(proposal)).status_code == 404


def test_consent_refusal_reasons_are_shown_to_the_coordinator(client, secretariat, hmrc):
    owner = data_owner_for(hmrc.department)
    proposal = with_data_owners(secretariat, hmrc)
    consent_refuse(
        dataset_request=request_for(proposal, hmrc),
        reasons="Tax records cannot be linked to health data.",
        by=owner,
    )
    client.force_login(proposal.coordinator)

    page = client.get(reverse("projects:proposal_detail", kwargs={"pk": proposal.pk}))

    assert "Tax records cannot be linked to health data." in page.content.decode()


def test_data_owner_dashboard_counts_the_proposals_waiting(client, secretariat, hmrc):
    owner = data_owner_for(hmrc.department)
    with_data_owners(secretariat, hmrc)
    client.force_login(owner)

    page = client.get(reverse("dashboard:home")).content.decode()

    queue = page[page.index('id="queue-consents"') :]
    assert '<strong class="govuk-tag govuk-tag--blue">1</strong>' in queue
    proposal = Proposal.objects.get(state=Proposal.State.DATA_OWNER_REVIEW)
    assert reverse("projects:consent", kwargs={"pk": proposal.pk}) in queue
    assert f'href="{QUEUE}"' in queue


def test_consent_is_asked_again_when_a_refused_proposal_comes_back(secretariat, hmrc):
    from projects.proposal.services import proposal_submit

    owner = data_owner_for(hmrc.department)
    proposal = with_data_owners(secretariat, hmrc)
    proposal = consent_refuse(
        dataset_request=request_for(proposal, hmrc), reasons="Too many variables.", by=owner
    )

    proposal = proposal_submit(proposal=proposal, by=proposal.coordinator)
    proposal = screening_start(proposal=proposal, by=secretariat)
    proposal = screening_pass(proposal=proposal, checks=CHECK_KEYS, by=secretariat)

    assert proposal.state == State.DATA_OWNER_REVIEW
    again = request_for(proposal, hmrc)
    assert (again.consent, again.consent_by, again.consent_reasons) == (Consent.PENDING, None, "")


def test_representatives_page_removes_a_data_owner(client, secretariat):
    department = DepartmentFactory()
    owner = data_owner_for(department)
    representative = DataOwnerRepresentative.objects.get(user=owner)
    client.force_login(secretariat)

    response = client.post(
        REPRESENTATIVES,
        {"action": "remove", "representative": representative.pk},
        follow=True,
    )

    assert "no longer represents" in response.content.decode()
    assert not DataOwnerRepresentative.objects.exists()
    assert AuditEvent.objects.filter(action="data_owner_representative.remove").exists()


@pytest.mark.parametrize("posted", NOT_IDS)
def test_representatives_page_remove_with_a_posted_id_that_is_not_a_number_is_not_found(
    client, secretariat, posted
):
    data_owner_for(DepartmentFactory())
    client.force_login(secretariat)

    response = client.post(REPRESENTATIVES, {"action": "remove", "representative": posted})

    assert response.status_code == 404
    assert "Page not found" in response.text
    assert DataOwnerRepresentative.objects.count() == 1
    assert not AuditEvent.objects.filter(action="data_owner_representative.remove").exists()


def test_screen_page_warns_when_nobody_represents_a_department_needing_consent(
    client, secretariat, hmrc
):
    proposal = screening_start(proposal=proposal_submitted(datasets=[hmrc]), by=secretariat)
    client.force_login(secretariat)

    page = client.get(reverse("projects:screen", kwargs={"pk": proposal.pk})).content.decode()

    assert 'id="unrepresented"' in page
    assert hmrc.department.name in page
