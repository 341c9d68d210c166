"""Once a person is erased from the audit trail, no event the service's own flows wrote holds
their name or email address anywhere in its row, and every event is still there.

Each flow is taken through the services with the person's name written into the free text
people type (titles, names of groups and files, reasons, comments), as it may well be: the
secretariat reads it all on the audit pages until the erasure, and nothing of it afterwards.
"""

import json

import pytest
from django.db import connection
from django.db.models import Max
from django.urls import reverse

from accreditation.conditions import SCREENING_CHECKS
from accreditation.models import Accreditation, Level
from accreditation.services import (
    accreditation_suspend,
    application_approve,
    application_return,
    application_screen,
    application_start,
    application_submit,
    application_update,
)
from audit.models import AuditEvent
from audit.personal import ERASED, events_open
from audit.services import audit_erase_person
from identity.roles import Role
from outputs.check.services import file_checks_run
from outputs.models import OutputType
from outputs.release.services import download_record, output_request_release
from outputs.request.services import (
    file_add,
    group_add,
    output_request_create,
    output_request_submit,
)
from outputs.review.services import output_request_approve, output_request_reject
from projects.models import Proposal
from projects.panel import services as panel_services
from projects.proposal.services import proposal_create, proposal_update_section
from researchers.profile.services import profile_update, training_add
from tests.accreditation.factories import ApplicantFactory
from tests.factories import UserFactory, secretariat_for
from tests.outputs.factories import SMALL_TABLE_CSV, upload
from tests.outputs.states import checker, files_of, review_with
from tests.projects.factories import accredit
from tests.projects.states import (
    assigned,
    panel_proposal,
    proposal_at,
    recommended,
    reviewer_new,
    secretariat_member,
)

pytestmark = pytest.mark.django_db

NAME = "Perpetua Quillfeather"
EMAIL = "perpetua.quillfeather@example.ac.uk"
PERSONAL = (NAME, EMAIL)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _last_event():
    return AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0


def _rows_since(since):
    """Every audit row after ``since`` as the database holds it, every column as text, by id."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM {table} WHERE id > %s ORDER BY id",  # noqa: S608 - the model's table
            [since],
        )
        return {row[0]: "|".join(str(value) for value in row) for row in cursor.fetchall()}


def _shown_since(since):
    """What the audit pages show of every event after ``since``, as one text."""
    events = events_open(AuditEvent.objects.filter(pk__gt=since).order_by("id"))
    return "\n".join(
        "|".join(
            [
                event.shown.object_repr,
                str(event.shown.ip_address),
                json.dumps(event.shown.payload, ensure_ascii=False),
            ]
        )
        for event in events
    )


def _erase_and_check(person, *, since, by):
    """Erase ``person`` and check what that leaves of the events written after ``since``."""
    before = _rows_since(since)
    # The flows did record the person's words, sealed: the pages show them, the rows do not.
    assert NAME in _shown_since(since)
    for value in PERSONAL:
        assert value not in "\n".join(before.values())

    audit_erase_person(person_id=person.pk, by=by, reason="Erasure decision ER-7")

    after = _rows_since(since)
    # Every event is still there, as written; the erasure is one more.
    assert {pk: after[pk] for pk in before} == before
    assert len(after) == len(before) + 1
    assert AuditEvent.objects.filter(pk__gt=since).count() == len(before) + 1
    for value in PERSONAL:
        assert value not in "\n".join(after.values())
    shown = _shown_since(since)
    for value in PERSONAL:
        assert value not in shown
    assert ERASED in shown


def test_researcher_application_keeps_nothing_of_the_applicant_once_erased():
    since = _last_event()
    applicant = ApplicantFactory(full_name=NAME, email=EMAIL)
    by = secretariat_for([applicant])
    profile = applicant.profile
    profile_update(
        user=applicant,
        full_name=NAME,
        organisation=profile.organisation,
        orcid=profile.orcid,
        job_title="Research fellow",
        phone=profile.phone,
        work_address=profile.work_address,
        contact_email=profile.contact_email,
        by=applicant,
    )
    training_add(
        user=applicant,
        course="Safe Researcher Training",
        passed_on=applicant.training_records.first().passed_on,
        by=applicant,
    )
    application = application_start(by=applicant)
    application_update(
        application=application,
        by=applicant,
        kind=Level.FULL,
        register_consent=True,
        publish_commitment=True,
    )
    application = application_submit(application=application, by=applicant)
    application = application_return(
        application=application, comments=f"{NAME}, add your latest degree.", by=by
    )
    application = application_submit(application=application, by=applicant)
    application = application_screen(
        application=application, checks=[key for key, _ in SCREENING_CHECKS], by=by
    )
    accreditation = application_approve(
        application=application,
        level=Level.FULL,
        reasons=f"{NAME} meets the full criteria.",
        by=by,
    )
    accreditation_suspend(
        accreditation=accreditation, reasons=f"{NAME} is under investigation.", by=by
    )
    assert Accreditation.objects.get(pk=accreditation.pk).state == Accreditation.State.SUSPENDED

    _erase_and_check(applicant, since=since, by=by)


def test_proposal_through_its_panel_keeps_nothing_of_the_coordinator_once_erased():
    since = _last_event()
    coordinator = UserFactory(roles=[Role.RESEARCHER], full_name=NAME, email=EMAIL)
    draft = proposal_create(by=coordinator, title=f"{NAME}: earnings and health")
    proposal_update_section(
        proposal=draft,
        section="title",
        values={
            "title": f"{NAME}: earnings and health by region",
            "lay_summary": f"A study led by {NAME} of how earnings relate to health.",
        },
        by=coordinator,
    )
    proposal = panel_proposal(coordinator=coordinator, title=f"{NAME}: regional earnings")
    by = secretariat_member(proposal)
    for index in range(3):
        recommended(assigned(proposal, by=by, independent=index == 0))
    panel_services.decision_record(
        proposal=proposal, outcome="approve", rationale="A clear public benefit.", by=by
    )
    assert Proposal.objects.get(pk=proposal.pk).state == Proposal.State.APPROVED

    _erase_and_check(coordinator, since=since, by=by)


def test_reviewer_assignment_keeps_nothing_of_the_reviewer_once_erased():
    proposal = panel_proposal()
    by = secretariat_member(proposal)
    since = _last_event()
    reviewer = reviewer_new(full_name=NAME, email=EMAIL)
    assignment = assigned(proposal, by=by, reviewer=reviewer)
    panel_services.conflict_declare(assignment=assignment, conflict=False, by=reviewer)
    panel_services.reviewer_unassign(
        assignment=assignment, reason=f"{NAME} has worked with the co-ordinator.", by=by
    )

    _erase_and_check(reviewer, since=since, by=by)


def _request_made(project, author, title):
    output_request = output_request_create(project=project, by=author, title=title)
    group = group_add(
        output_request=output_request,
        by=author,
        name=f"Tables by {NAME}",
        context="Counts of people by region.",
        disclosure_controls="Cells under 10 suppressed.",
    )
    output_file = file_add(
        group=group,
        by=author,
        upload_file=upload(SMALL_TABLE_CSV, f"{NAME} table 1.csv"),
        output_type=OutputType.FREQUENCY_TABLE,
    )
    file_checks_run(file=output_file)
    output_request = output_request_submit(output_request=output_request, by=author)
    checkers = [checker(), checker()]
    for one in checkers:
        output_request = review_with(output_request, one)
    return output_request, checkers


def test_output_requests_through_review_keep_nothing_of_the_author_once_erased():
    since = _last_event()
    author = UserFactory(roles=[Role.RESEARCHER], full_name=NAME, email=EMAIL)
    project = proposal_at(
        Proposal.State.ACTIVE, coordinator=author, title=f"{NAME}: regional earnings"
    )
    accredit(author)
    rejected, checkers = _request_made(project, author, f"Tables for {NAME}'s paper")
    output_request_reject(
        output_request=rejected, reasons=f"{NAME}'s tables identify people.", by=checkers[0]
    )
    released, checkers = _request_made(project, author, f"Figures for {NAME}'s paper")
    released = output_request_approve(output_request=released, by=checkers[0])
    released = output_request_release(output_request=released, by=checkers[0])
    download_record(output_request=released, files=files_of(released), by=author, as_zip=True)

    _erase_and_check(author, since=since, by=secretariat_for([author]))


def test_audit_pages_show_what_was_sealed_until_its_person_is_erased(client):
    proposal = panel_proposal(title="Earnings and health by region")
    by = secretariat_member(proposal)
    client.force_login(by)
    reviewer = reviewer_new(full_name=NAME, email=EMAIL)
    assignment = assigned(proposal, by=by, reviewer=reviewer)
    panel_services.reviewer_unassign(
        assignment=assignment, reason=f"{NAME} has worked with the co-ordinator.", by=by
    )
    event = AuditEvent.objects.get(action="proposal.reviewer_unassign")
    detail = reverse("audit:event_detail", args=[event.pk])

    listed, shown = client.get(reverse("audit:event_list")).text, client.get(detail).text

    # The proposal's title is sealed under the co-ordinator's key, the reason under the
    # reviewer's: the secretariat reads both, as written.
    assert "Earnings and health by region" in listed
    assert f"{NAME} has worked with the co-ordinator." in shown

    audit_erase_person(person_id=reviewer.pk, by=by, reason="Erasure decision ER-7")
    listed, shown = client.get(reverse("audit:event_list")).text, client.get(detail).text

    assert "Earnings and health by region" in listed
    assert "Earnings and health by region" in shown
    assert NAME not in shown
    assert ERASED in shown
