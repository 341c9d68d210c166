"""The service withdraws a draft only if, when it comes to withdraw it, the draft is still a draft
nobody has worked on for 60 days: a person may submit it, or work on it, between the sweep
finding it and withdrawing it. (Proposals: tests/projects/test_policy_breaks.py.)"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accreditation.models import AccreditationApplication, Level
from accreditation.services import application_submit, application_update
from audit.models import AuditEvent
from outputs.check.services import file_checks_run
from outputs.models import OutputRequest, OutputType
from outputs.request.services import (
    file_add,
    group_add,
    output_request_create,
    output_request_submit,
)
from outputs.review.services import output_request_return
from projects.models import Proposal
from tests.accreditation.factories import AccreditationApplicationFactory
from tests.notifications.reminder_helpers import stale_draft_found, stale_draft_withdraw
from tests.outputs.factories import upload
from tests.outputs.states import public_comment_everywhere, reviewed_request
from tests.projects.factories import accredit
from tests.projects.states import proposal_at
from workflow.services import transition_fire

pytestmark = pytest.mark.django_db

APPLICATION = "accreditation_application"
OUTPUT_REQUEST = "output_request"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_stale_application_withdrawal_leaves_one_submitted_after_it_was_found():
    application = AccreditationApplicationFactory()
    found = stale_draft_found(APPLICATION, application)
    application_submit(application=application, by=application.applicant)

    assert stale_draft_withdraw(APPLICATION, found) == []

    application.refresh_from_db()
    assert application.state == AccreditationApplication.State.SUBMITTED
    assert not AuditEvent.objects.filter(action__endswith=".withdraw").exists()


def test_stale_application_withdrawal_leaves_one_its_applicant_worked_on_after_it_was_found():
    application = AccreditationApplicationFactory()
    found = stale_draft_found(APPLICATION, application)
    application_update(
        application=application,
        by=application.applicant,
        kind=Level.FULL,
        register_consent=True,
        publish_commitment=True,
    )

    assert stale_draft_withdraw(APPLICATION, found) == []

    application.refresh_from_db()
    assert application.state == AccreditationApplication.State.DRAFT


def test_stale_application_withdrawal_withdraws_one_nobody_worked_on():
    application = AccreditationApplicationFactory()
    found = stale_draft_found(APPLICATION, application)

    assert [obj.pk for obj in stale_draft_withdraw(APPLICATION, found)] == [application.pk]

    application.refresh_from_db()
    assert application.state == AccreditationApplication.State.WITHDRAWN


def draft_output_request():
    """A draft with one checked table, ready to submit, by the co-ordinator of an active
    project."""
    project = proposal_at(Proposal.State.ACTIVE)
    accredit(project.coordinator)
    output_request = output_request_create(project=project, by=project.coordinator, title="Tables")
    group = group_add(
        output_request=output_request,
        by=project.coordinator,
        name="Tables",
        context="Counts of people by region.",
        disclosure_controls="Cells under 10 suppressed.",
    )
    output_file = file_add(
        group=group,
        by=project.coordinator,
        upload_file=upload(),
        output_type=OutputType.FREQUENCY_TABLE,
    )
    file_checks_run(file=output_file)
    return output_request


def test_stale_output_request_withdrawal_leaves_one_submitted_after_it_was_found():
    output_request = draft_output_request()
    found = stale_draft_found(OUTPUT_REQUEST, output_request)
    output_request_submit(output_request=output_request, by=output_request.author)

    assert stale_draft_withdraw(OUTPUT_REQUEST, found) == []

    output_request.refresh_from_db()
    assert output_request.state == OutputRequest.State.SUBMITTED
    assert not AuditEvent.objects.filter(action__endswith=".withdraw").exists()


def test_stale_output_request_withdrawal_withdraws_one_nobody_worked_on():
    output_request = draft_output_request()
    found = stale_draft_found(OUTPUT_REQUEST, output_request)

    assert [obj.pk for obj in stale_draft_withdraw(OUTPUT_REQUEST, found)] == [output_request.pk]

    output_request.refresh_from_db()
    assert output_request.state == OutputRequest.State.WITHDRAWN


def test_output_request_withdraw_by_the_service_refused_for_a_draft_worked_on_lately():
    output_request = draft_output_request()

    with pytest.raises(PermissionDenied):
        transition_fire(obj=output_request, transition="withdraw", by=None)

    output_request.refresh_from_db()
    assert output_request.state == OutputRequest.State.DRAFT


def test_output_request_withdraw_by_the_service_refused_once_returned():
    output_request, one, _ = reviewed_request(vote_two="changes")
    public_comment_everywhere(output_request, one)
    output_request = output_request_return(output_request=output_request, by=one)
    OutputRequest.objects.filter(pk=output_request.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=90)
    )

    with pytest.raises(PermissionDenied):
        transition_fire(obj=output_request, transition="withdraw", by=None)

    output_request.refresh_from_db()
    assert output_request.state == OutputRequest.State.RETURNED
