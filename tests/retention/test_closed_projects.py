"""Closed projects reduced to their register entry twenty years after they closed: the people,
the free text the register does not show, the saved versions, the invitations and the stored
files go; the public register's entry and every report figure stay the same."""

import datetime

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outputs.models import OutputFile, OutputRequest
from outputs.publication.services import publication_record
from projects.lifecycle.services import project_close
from projects.models import (
    DatasetRequest,
    PanelDecision,
    Proposal,
    ProposalSnapshot,
    Recommendation,
    ReviewerAssignment,
    ScreeningReview,
    TeamMember,
)
from reports.figures import report_build
from retention.models import DestructionCertificate, RecordKind
from retention.services import legal_hold_place, retention_run
from tests.accreditation.factories import ApplicantFactory
from tests.outputs.states import output_request_at
from tests.projects.factories import TeamMemberFactory
from tests.projects.states import amendment_at, proposal_at
from tests.retention.helpers import (
    TODAY,
    entry,
    now_is,
    schedule_confirmed,
    secretariat_user,
    sha256,
)

pytestmark = pytest.mark.django_db

# The proposed period is twenty years from the closing.
CLOSED_LONG_AGO = datetime.datetime(2006, 3, 2, 10, 0, tzinfo=datetime.UTC)
CLOSED_LATELY = datetime.datetime(2020, 3, 4, 10, 0, tzinfo=datetime.UTC)
KIND = RecordKind.PROJECT_CLOSED
ANONYMISED = "Anonymised record"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def closed_project(on, stamp):
    """A project with a co-ordinator and a team member at their organisations, a DPIA, a
    released output published with its citation and an invitation never answered, closed by
    its co-ordinator ``on``."""
    with time_machine.travel(on, tick=False):
        coordinator = ApplicantFactory(
            full_name=f"Coordinator Quillfeather {stamp}", email=f"quill-{stamp}@example.org"
        )
        member = ApplicantFactory(
            full_name=f"Member Thistlewood {stamp}", email=f"thistle-{stamp}@example.org"
        )
    project = proposal_at(
        Proposal.State.ACTIVE,
        on=on,
        coordinator=coordinator,
        team=[member],
        title=f"Travel to work in coastal towns {stamp}",
        route="panel",
    )
    with time_machine.travel(on, tick=False):
        project.dpia_file.save(
            "dpia.pdf", ContentFile(f"%PDF-1.4\n% DPIA {stamp}\n%%EOF\n".encode()), save=True
        )
        output_request = output_request_at(OutputRequest.State.RELEASED, project=project)
        for output_file in OutputFile.objects.filter(group__request=output_request):
            publication_record(
                output_file=output_file,
                citation=f"Office for Statistics ({stamp}). Coastal commuting.",
                doi="10.1234/coastal.5678",
                by=output_request.author,
            )
        TeamMemberFactory(
            proposal=project,
            user=None,
            accepted_at=None,
            email=f"invitee-{stamp}@example.org",
            invited_by=coordinator,
        )
        project_close(project=project, by=coordinator, reason="The work is done.")
    return Proposal.objects.select_related("coordinator__profile").get(pk=project.pk)


def figures():
    """Every figure of the report over the years the projects fall in."""
    report = report_build(
        date_from=datetime.date(2000, 1, 1), date_to=TODAY, organisation=None, today=TODAY
    )
    return {
        "state_counts": report.state_counts,
        "stage_times": report.stage_times,
        "compliance": report.compliance,
        "by_month": report.by_month,
        "by_organisation": report.by_organisation,
    }


def register_page(client):
    response = client.get(reverse("project_register:list"))
    assert response.status_code == 200
    return response.content.decode()


def project_rows(project):
    """Every row of ``project`` and what hangs off it, as text."""
    pk = project.pk
    return repr(
        [
            list(Proposal.objects.filter(pk=pk).values()),
            list(TeamMember.objects.filter(proposal=pk).values()),
            list(ProposalSnapshot.objects.filter(proposal=pk).values()),
            list(DatasetRequest.objects.filter(proposal=pk).values()),
            list(ScreeningReview.objects.filter(proposal=pk).values()),
            list(ReviewerAssignment.objects.filter(proposal=pk).values()),
            list(Recommendation.objects.filter(assignment__proposal=pk).values()),
            list(PanelDecision.objects.filter(proposal=pk).values()),
        ]
    )


def people_of(project):
    people = [project.coordinator, *(m.user for m in project.team.exclude(user=None))]
    words = [word for person in people for word in (person.full_name, person.email)]
    return words + list(project.team.values_list("email", flat=True))


def _run(on_commit, *, dry_run=False):
    with now_is(TODAY), on_commit(execute=True):
        return retention_run(on=TODAY, dry_run=dry_run)


def test_retention_run_reduces_a_closed_project_to_its_register_entry(
    client, django_capture_on_commit_callbacks
):
    old = closed_project(CLOSED_LONG_AGO, "old")
    recent = closed_project(CLOSED_LATELY, "recent")
    people = people_of(old)
    organisations = sorted(
        (m.role, m.user.profile.organisation_id) for m in old.team.exclude(user=None)
    )
    assert len({organisation for _, organisation in organisations}) == 2
    with default_storage.open(old.dpia_file.name) as handle:
        dpia = handle.read()
    stored = old.dpia_file.name
    rows_before = project_rows(old)
    assert "quill-old@example.org" in rows_before and "thistle-old@example.org" in rows_before
    assert old.snapshots.exists() and old.decisions.exclude(rationale="").exists()
    recent_rows = project_rows(recent)
    schedule_confirmed()
    page_before, figures_before = register_page(client), figures()
    assert "Coastal commuting" in page_before and old.title in page_before

    certificate = _run(django_capture_on_commit_callbacks)

    assert entry(certificate, KIND)["identifiers"] == [str(old.pk)]
    assert entry(certificate, KIND)["action"] == "anonymise"
    assert entry(certificate, KIND)["files"] == [
        {"name": stored, "size": len(dpia), "sha256": sha256(dpia)}
    ]
    assert not default_storage.exists(stored)
    assert register_page(client) == page_before
    assert figures() == figures_before
    rows_after = project_rows(old)
    assert not [word for word in people if word in rows_after]
    old.refresh_from_db()
    assert old.coordinator.full_name == ANONYMISED
    assert old.coordinator.profile.organisation_id == dict(organisations)["coordinator"]
    assert {m.user.full_name for m in old.team.all()} == {ANONYMISED}
    # Each person became the stand-in for their own organisation.
    assert sorted((m.role, m.user.profile.organisation_id) for m in old.team.all()) == (
        organisations
    )
    assert not old.team.filter(accepted_at=None).exists()
    assert old.aims == old.methods == old.software == old.outputs_plan == "" and not old.dpia_file
    assert old.ethics == {} and not old.snapshots.exists()
    assert not old.decisions.exclude(rationale="").exists()
    assert old.state == Proposal.State.CLOSED and old.lay_summary and old.closed_at
    recent.refresh_from_db()
    assert project_rows(recent) == recent_rows and default_storage.exists(recent.dpia_file.name)


def test_retention_run_keeps_a_held_closed_project_and_reduces_each_once(
    django_capture_on_commit_callbacks,
):
    held = closed_project(CLOSED_LONG_AGO, "held")
    other = closed_project(CLOSED_LONG_AGO, "other")
    by = secretariat_user()
    schedule_confirmed(by)
    legal_hold_place(kind=KIND, identifier=str(held.pk), reason="Inquiry INQ-2027-4", by=by)
    rows = project_rows(held)

    first = _run(django_capture_on_commit_callbacks)
    second = _run(django_capture_on_commit_callbacks)

    assert entry(first, KIND)["held"] == [str(held.pk)]
    assert entry(first, KIND)["identifiers"] == [str(other.pk)]
    assert entry(second, KIND)["identifiers"] == []
    assert project_rows(held) == rows
    assert default_storage.exists(held.dpia_file.name)


def test_retention_dry_run_lists_closed_projects_and_changes_nothing(
    django_capture_on_commit_callbacks,
):
    old = closed_project(CLOSED_LONG_AGO, "old")
    rows = project_rows(old)
    schedule_confirmed()

    certificate = _run(django_capture_on_commit_callbacks, dry_run=True)

    assert entry(certificate, KIND)["identifiers"] == [str(old.pk)]
    assert project_rows(old) == rows
    assert default_storage.exists(old.dpia_file.name)
    assert not DestructionCertificate.objects.exists()


@pytest.mark.parametrize("dry_run", [True, False])
def test_retention_run_reducing_closed_projects_queries_are_the_same_for_1_and_2(
    dry_run, django_capture_on_commit_callbacks
):
    schedule_confirmed()

    def queries():
        with CaptureQueriesContext(connection) as captured:
            certificate = _run(django_capture_on_commit_callbacks, dry_run=dry_run)
        return len(captured), entry(certificate, KIND)["count"]

    closed_project(CLOSED_LONG_AGO, "first")
    few, reduced = queries()
    closed_project(CLOSED_LONG_AGO, "second")
    closed_project(CLOSED_LONG_AGO, "third")

    many, reduced_again = queries()

    assert many == few
    assert reduced_again == (reduced * 3 if dry_run else reduced * 2)


def test_retention_run_reduces_a_closed_projects_amendments_with_it(
    django_capture_on_commit_callbacks,
):
    before_closing = CLOSED_LONG_AGO - datetime.timedelta(days=30)
    with time_machine.travel(before_closing, tick=False):
        coordinator = ApplicantFactory(
            full_name="Coordinator Marchbanks", email="marchbanks@example.org"
        )
    project = proposal_at(
        Proposal.State.ACTIVE, on=before_closing, coordinator=coordinator, route="panel"
    )
    amendment = amendment_at(
        Proposal.State.APPROVED,
        project=project,
        on=before_closing,
        aims="Add the 2005 wave, as Coordinator Marchbanks asked.",
    )
    with time_machine.travel(CLOSED_LONG_AGO, tick=False):
        project_close(project=project, by=coordinator, reason="The work is done.")
    assert "Marchbanks" in project_rows(amendment)
    schedule_confirmed()

    certificate = _run(django_capture_on_commit_callbacks)

    assert entry(certificate, KIND)["identifiers"] == [str(project.pk)]
    assert "Marchbanks" not in project_rows(amendment)
    amendment.refresh_from_db()
    assert amendment.coordinator.full_name == ANONYMISED
    assert amendment.aims == "" and amendment.lay_summary == ""
