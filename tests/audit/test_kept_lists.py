"""The staff's lists are kept, rendered, for whoever asks for the same page, until the audit trail
records a change to what they list: a recorded change shows at once, a checker's queue is their
own, and STAFF_LISTS_KEPT_SECONDS set to 0 works every page out afresh."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accreditation import services
from accreditation.models import AccreditationApplication
from audit.selectors import audit_latest_id
from identity.roles import Role
from projects.models import Proposal
from researchers.models import Organisation
from researchers.profile.services import organisation_approve
from tests.accreditation.factories import AccreditationFactory
from tests.accreditation.states import application_submitted
from tests.audit.helpers import record_event
from tests.factories import UserFactory
from tests.kept_pages import visit
from tests.outputs.states import checker, output_request_submitted
from tests.projects.factories import TeamMemberFactory
from tests.projects.states import proposal_submitted
from tests.researchers.profile_factories import OrganisationFactory

pytestmark = pytest.mark.django_db

APPLICATIONS = reverse("accreditation:queue")
PROPOSALS = reverse("projects:secretariat_list")
AUDIT = reverse("audit:event_list")
CHECKERS = reverse("outputs:queue")
REPORT = reverse("reports:report")


@pytest.fixture
def secretariat(client):
    member = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    client.force_login(member)
    return member


@pytest.mark.parametrize("url", [APPLICATIONS, PROPOSALS, AUDIT, REPORT])
def test_a_second_visit_shows_the_kept_page_without_reading_the_list(client, secretariat, url):
    record_event(action="test.happened")
    first, worked_out = visit(client, url)

    again, kept = visit(client, url)

    assert again == first
    assert kept < worked_out


@pytest.mark.parametrize("url", [APPLICATIONS, PROPOSALS, AUDIT])
def test_kept_for_no_time_every_visit_reads_the_list(client, secretariat, settings, url):
    settings.STAFF_LISTS_KEPT_SECONDS = 0
    record_event(action="test.happened")
    visit(client, url)
    _first, worked_out = visit(client, url)

    _again, queries = visit(client, url)

    assert queries == worked_out


def test_an_application_sent_shows_in_the_kept_queue_at_once(client, secretariat):
    first = application_submitted()
    before, _ = visit(client, APPLICATIONS)
    assert "1 application," in before

    second = application_submitted()
    after, _ = visit(client, APPLICATIONS)

    assert "2 applications," in after
    assert second.applicant.get_full_name() in after
    assert first.applicant.get_full_name() in after


def test_a_change_past_the_trail_shows_once_the_trail_moves(client, secretariat):
    # Kept under the latest event about applications: a change made past the services (and so
    # past the trail) is not seen until the kept page expires (STAFF_LISTS_KEPT_SECONDS) or
    # the trail records something about an application.
    application = application_submitted()
    visit(client, APPLICATIONS)
    AccreditationApplication.objects.filter(pk=application.pk).update(
        state=AccreditationApplication.State.DRAFT
    )
    kept, _ = visit(client, APPLICATIONS)

    record_event(action="accreditation_application.update", obj=application)
    fresh, _ = visit(client, APPLICATIONS)

    assert "1 application," in kept
    assert "0 applications," in fresh


def test_events_about_other_records_leave_the_kept_queue_as_it_is(client, secretariat):
    application_submitted()
    _first, worked_out = visit(client, APPLICATIONS)

    record_event(action="proposal.update_section", obj=proposal_submitted())
    _again, kept = visit(client, APPLICATIONS)

    assert kept < worked_out


def test_a_proposal_sent_shows_in_the_kept_list_at_once(client, secretariat):
    proposal_submitted(title="Earnings and health")
    before, _ = visit(client, PROPOSALS, {"state": Proposal.State.SUBMITTED})
    assert "1 proposal," in before

    proposal_submitted(title="Mortality by region")
    after, _ = visit(client, PROPOSALS, {"state": Proposal.State.SUBMITTED})

    assert "2 proposals," in after
    assert "Mortality by region" in after


def test_each_filter_of_the_proposal_list_is_kept_apart(client, secretariat):
    proposal_submitted(title="Earnings and health")
    proposal_submitted(title="Mortality by region")

    earnings, _ = visit(client, PROPOSALS, {"title": "earnings"})
    mortality, _ = visit(client, PROPOSALS, {"title": "mortality"})

    assert "Earnings and health" in earnings and "Mortality by region" not in earnings
    assert "Mortality by region" in mortality and "Earnings and health" not in mortality


def test_a_new_event_shows_in_the_kept_audit_list_at_once(client, secretariat):
    record_event(action="first.thing")
    before, _ = visit(client, AUDIT)

    record_event(action="second.thing")
    after, _ = visit(client, AUDIT)

    assert "2 events" in after and "1 event" in before


def test_a_request_sent_shows_in_the_kept_checkers_queue_at_once(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    output_request_submitted()
    client.force_login(checker())
    before, _ = visit(client, CHECKERS)
    assert "1 request waiting" in before

    output_request_submitted()
    after, _ = visit(client, CHECKERS)

    assert "2 requests waiting" in after


def test_a_checkers_kept_queue_is_never_shown_to_another_checker(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    output_request = output_request_submitted()
    colleague = checker()
    TeamMemberFactory(proposal=output_request.project, user=colleague)
    client.force_login(checker())
    assert output_request.title in visit(client, CHECKERS)[0]

    client.force_login(colleague)
    theirs, _ = visit(client, CHECKERS)

    # The colleague works on the project, so its requests are not theirs to check.
    assert output_request.title not in theirs
    assert "No output requests are waiting for a check." in theirs


def test_an_accreditation_suspended_leaves_the_kept_report_s_expiring_list_at_once(
    client, secretariat
):
    soon = timezone.localdate() + datetime.timedelta(days=30)
    staying = AccreditationFactory(valid_until=soon)
    leaving = AccreditationFactory(valid_until=soon)
    before, _ = visit(client, REPORT)
    assert "2 accreditations expiring" in before

    services.accreditation_suspend(
        accreditation=leaving, reasons="Under investigation.", by=secretariat
    )
    after, _ = visit(client, REPORT)

    assert "1 accreditation expiring" in after
    assert staying.researcher.get_full_name() in after
    assert leaving.researcher.get_full_name() not in after


def test_an_organisation_approved_shows_in_the_kept_report_filter_at_once(client, secretariat):
    visit(client, REPORT)
    proposed = OrganisationFactory(
        name="Institute of Fiscal Tables", status=Organisation.Status.PROPOSED
    )

    organisation_approve(organisation=proposed, by=secretariat)
    after, _ = visit(client, REPORT)

    assert "Institute of Fiscal Tables</option>" in after


def test_the_latest_event_of_a_type_is_found_past_later_events_of_other_types():
    about_user = record_event(action="first.thing", obj=UserFactory())
    about_organisation = record_event(action="second.thing", obj=OrganisationFactory())
    for _ in range(3):
        record_event(action="later.thing")

    assert audit_latest_id("researchers.user") == about_user.pk
    assert audit_latest_id("researchers.organisation") == about_organisation.pk
    assert audit_latest_id("researchers.user", "researchers.organisation") == about_organisation.pk
    assert audit_latest_id("projects.proposal") == 0
