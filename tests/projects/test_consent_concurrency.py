"""Two data owners answering at once, and two secretariat clicks on one screening step, give
exactly one transition."""

import pytest
from django.db import connection

from audit.models import AuditEvent
from identity.roles import Role
from projects.consent.services import consent_give
from projects.models import DataOwnerRepresentative, DatasetRequest, PanelDecision, Proposal
from projects.screening.services import (
    CHECK_KEYS,
    proposal_fast_track,
    screening_pass,
    screening_start,
)
from tests.accreditation.test_concurrency import at_once
from tests.factories import UserFactory
from tests.legislation.factories import DatasetFactory
from tests.projects.states import proposal_submitted

State = Proposal.State


@pytest.fixture
def needs_row_locks():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks; set DATABASE_URL to run this on PostgreSQL.")


def data_owner_for(department):
    owner = UserFactory(roles=[Role.DATA_OWNER], totp=True)
    DataOwnerRepresentative.objects.create(user=owner, department=department)
    return owner


@pytest.mark.django_db(transaction=True)
def test_consent_give_by_two_data_owners_at_once_sends_the_proposal_on_once(needs_row_locks):
    secretariat = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    hmrc, dwp = DatasetFactory.create_batch(2, consent_required=True)
    owners = [data_owner_for(hmrc.department), data_owner_for(dwp.department)]
    proposal = screening_start(proposal=proposal_submitted(datasets=[hmrc, dwp]), by=secretariat)
    proposal = screening_pass(proposal=proposal, checks=CHECK_KEYS, by=secretariat)
    requests = [
        DatasetRequest.objects.get(proposal=proposal, dataset=dataset) for dataset in (hmrc, dwp)
    ]

    outcomes = at_once(
        lambda: consent_give(dataset_request=requests[0], by=owners[0]),
        lambda: consent_give(dataset_request=requests[1], by=owners[1]),
    )

    assert outcomes == ["done", "done"], outcomes
    proposal.refresh_from_db()
    assert proposal.state == State.PANEL_REVIEW
    assert AuditEvent.objects.filter(action="proposal.send_to_panel").count() == 1


@pytest.mark.django_db(transaction=True)
def test_proposal_fast_track_twice_at_once_gives_one_decision(needs_row_locks):
    one, two = UserFactory.create_batch(2, roles=[Role.SECRETARIAT], totp=True)
    proposal = screening_start(proposal=proposal_submitted(), by=one)
    copies = [Proposal.objects.get(pk=proposal.pk) for _ in range(2)]

    outcomes = at_once(
        lambda: proposal_fast_track(
            proposal=copies[0], checks=CHECK_KEYS, rationale="Low risk.", by=one
        ),
        lambda: proposal_fast_track(
            proposal=copies[1], checks=CHECK_KEYS, rationale="Low risk.", by=two
        ),
    )

    assert outcomes.count("done") == 1, outcomes
    assert PanelDecision.objects.filter(proposal=proposal).count() == 1
    assert proposal.screenings.count() == 1
