import pytest

from audit.models import AuditEvent
from projects.models import Proposal, ProposalSnapshot, TeamMember
from projects.proposal import services as services
from tests.accreditation.test_concurrency import at_once, needs_row_locks  # noqa: F401
from tests.projects.factories import proposal_ready_to_submit
from workflow.errors import TransitionRefused


@pytest.mark.django_db(transaction=True)
def test_proposal_submit_twice_at_once_sends_it_once(needs_row_locks):  # noqa: F811
    proposal = proposal_ready_to_submit()
    copies = [Proposal.objects.get(pk=proposal.pk) for _ in range(2)]

    outcomes = at_once(
        *(
            lambda copy=copy: services.proposal_submit(proposal=copy, by=copy.coordinator)
            for copy in copies
        )
    )

    assert outcomes.count("done") == 1, outcomes
    refused = [outcome for outcome in outcomes if isinstance(outcome, TransitionRefused)]
    assert refused, outcomes
    assert "already been sent to the secretariat" in str(refused[0])
    assert AuditEvent.objects.filter(action="proposal.submit").count() == 1
    assert ProposalSnapshot.objects.filter(proposal=proposal).count() == 1


@pytest.mark.django_db(transaction=True)
def test_team_invite_same_address_twice_at_once_makes_one_invitation(needs_row_locks):  # noqa: F811
    proposal = proposal_ready_to_submit()

    outcomes = at_once(
        *(
            lambda: services.team_invite(
                proposal=proposal, email="both@example.org", by=proposal.coordinator
            )
            for _ in range(2)
        )
    )

    assert outcomes.count("done") == 1, outcomes
    assert TeamMember.objects.filter(proposal=proposal, email="both@example.org").count() == 1
