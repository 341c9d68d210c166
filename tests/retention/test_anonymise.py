"""Rejected applications reduced to anonymous records six years after the decision: the person,
the people named and the free text go; every figure of the reports and the register stays."""

import datetime

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accreditation.models import Accreditation, AccreditationApplication
from accreditation.register.selectors import register_entries
from projects.models import Proposal
from reports.figures import report_build
from researchers.declaration.models import Declaration
from retention.models import DestructionCertificate, RecordKind
from retention.services import legal_hold_place, retention_run
from tests.accreditation.factories import AccreditationFactory, ApplicantFactory
from tests.accreditation.states import accreditation_at, application_at
from tests.projects.states import proposal_at
from tests.retention.helpers import (
    TODAY,
    entry,
    now_is,
    schedule_confirmed,
    secretariat_user,
    sha256,
)

pytestmark = pytest.mark.django_db

# The proposed period is six years from the decision.
DECIDED_LONG_AGO = datetime.datetime(2020, 3, 2, 10, 0, tzinfo=datetime.UTC)
DECIDED_LATELY = datetime.datetime(2024, 3, 4, 10, 0, tzinfo=datetime.UTC)
KIND = "application_rejected"


def rejected(on):
    application = application_at(AccreditationApplication.State.REJECTED, on=on)
    return AccreditationApplication.objects.select_related("applicant__profile").get(
        pk=application.pk
    )


def figures(organisation=None):
    """Every figure of the report over the years the records fall in."""
    report = report_build(
        date_from=datetime.date(2019, 1, 1),
        date_to=TODAY,
        organisation=organisation,
        today=TODAY,
    )
    return {
        "state_counts": report.state_counts,
        "stage_times": report.stage_times,
        "compliance": report.compliance,
        "by_month": report.by_month,
        "by_organisation": report.by_organisation,
    }


def _run(on_commit, *, dry_run=False):
    with now_is(TODAY), on_commit(execute=True):
        return retention_run(on=TODAY, dry_run=dry_run)


def test_retention_run_reduces_a_rejected_application_to_an_anonymous_record(
    django_capture_on_commit_callbacks,
):
    old = rejected(DECIDED_LONG_AGO)
    recent = rejected(DECIDED_LATELY)
    person, organisation = old.applicant, old.applicant.profile.organisation
    AccreditationFactory(researcher=recent.applicant)  # on the register
    schedule_confirmed()

    certificate = _run(django_capture_on_commit_callbacks)

    assert entry(certificate, KIND)["identifiers"] == [str(old.pk)]
    assert entry(certificate, KIND)["action"] == "anonymise"
    old.refresh_from_db()
    assert old.applicant != person
    assert old.applicant.full_name == "Anonymised record"
    assert not old.applicant.is_active and not old.applicant.has_usable_password()
    assert old.applicant.profile.organisation == organisation
    assert old.decision_reasons == "" and old.return_comments == ""
    assert old.supervisor is None
    assert old.state == AccreditationApplication.State.REJECTED
    assert old.submitted_at and old.decided_at
    recent.refresh_from_db()
    assert recent.applicant.full_name != "Anonymised record"
    assert recent.decision_reasons


def test_retention_run_anonymising_leaves_every_report_and_register_figure_unchanged(
    django_capture_on_commit_callbacks,
):
    old = rejected(DECIDED_LONG_AGO)
    another_old = rejected(DECIDED_LONG_AGO)
    rejected(DECIDED_LATELY)
    organisation = old.applicant.profile.organisation
    AccreditationFactory(researcher=another_old.applicant)
    schedule_confirmed()
    before = figures(), figures(organisation)
    register_before = [(e.name, e.organisation) for e in register_entries(on=TODAY)]

    certificate = _run(django_capture_on_commit_callbacks)

    assert entry(certificate, KIND)["count"] == 2
    assert (figures(), figures(organisation)) == before
    assert [(e.name, e.organisation) for e in register_entries(on=TODAY)] == register_before
    applications = next(
        row for row in before[0]["state_counts"] if row.label.endswith("accreditation applications")
    )
    assert ("Rejected", 3) in applications.counts  # the reduced ones are among those counted


def test_retention_run_keeps_a_held_rejected_application_and_reduces_each_once(
    django_capture_on_commit_callbacks,
):
    held = rejected(DECIDED_LONG_AGO)
    other = rejected(DECIDED_LONG_AGO)
    by = secretariat_user()
    schedule_confirmed(by)
    legal_hold_place(
        kind=RecordKind.APPLICATION_REJECTED,
        identifier=str(held.pk),
        reason="Tribunal claim ET-2027-9",
        by=by,
    )

    first = _run(django_capture_on_commit_callbacks)
    second = _run(django_capture_on_commit_callbacks)

    assert entry(first, KIND)["held"] == [str(held.pk)]
    assert entry(first, KIND)["identifiers"] == [str(other.pk)]
    assert entry(second, KIND)["identifiers"] == []
    held.refresh_from_db()
    assert held.decision_reasons and held.applicant.full_name != "Anonymised record"


def test_retention_dry_run_lists_rejected_applications_and_changes_nothing(
    django_capture_on_commit_callbacks,
):
    old = rejected(DECIDED_LONG_AGO)
    person = old.applicant
    schedule_confirmed()

    certificate = _run(django_capture_on_commit_callbacks, dry_run=True)

    assert entry(certificate, KIND)["identifiers"] == [str(old.pk)]
    old.refresh_from_db()
    assert old.applicant == person and old.decision_reasons
    assert not DestructionCertificate.objects.exists()


def rejected_proposal(on, dpia):
    with time_machine.travel(on, tick=False):
        coordinator = ApplicantFactory()  # with a profile naming their organisation
    proposal = proposal_at(Proposal.State.REJECTED, on=on, coordinator=coordinator)
    proposal.dpia_file.save("dpia.pdf", ContentFile(dpia), save=True)
    return Proposal.objects.select_related("coordinator__profile").get(pk=proposal.pk)


def test_retention_run_reduces_a_rejected_proposal_and_keeps_every_report_figure(
    django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    dpia = b"%PDF-1.4\n% the rejected project's DPIA\n%%EOF\n"
    old = rejected_proposal(DECIDED_LONG_AGO, dpia)
    recent = rejected_proposal(DECIDED_LATELY, b"%PDF-1.4\n% another DPIA\n%%EOF\n")
    person, organisation = old.coordinator, old.coordinator.profile.organisation
    stored = old.dpia_file.name
    assert old.team.exists() and old.decisions.exists()
    schedule_confirmed()
    before = figures(), figures(organisation)

    certificate = _run(django_capture_on_commit_callbacks)

    kind = "proposal_rejected"
    assert entry(certificate, kind)["identifiers"] == [str(old.pk)]
    assert entry(certificate, kind)["files"] == [
        {"name": stored, "size": len(dpia), "sha256": sha256(dpia)}
    ]
    assert not default_storage.exists(stored)
    assert (figures(), figures(organisation)) == before
    old.refresh_from_db()
    assert old.coordinator != person and old.coordinator.full_name == "Anonymised record"
    assert old.coordinator.profile.organisation == organisation
    assert old.title == "Anonymised project proposal"
    assert old.aims == old.methods == old.lay_summary == "" and not old.dpia_file
    assert not old.team.exists() and not old.snapshots.exists()
    assert old.state == Proposal.State.REJECTED and old.submitted_at and old.decided_at
    assert all(not decision.rationale for decision in old.decisions.all())
    assert old.dataset_requests.exists()
    recent.refresh_from_db()
    assert recent.title != "Anonymised project proposal" and recent.dpia_file


def accreditation_ended(on):
    """A researcher at an organisation, declaration signed, accredited and revoked ``on``."""
    with time_machine.travel(on, tick=False):
        researcher = ApplicantFactory()
        accreditation = accreditation_at(Accreditation.State.REVOKED, researcher=researcher)
    return Accreditation.objects.select_related("researcher__profile", "application").get(
        pk=accreditation.pk
    )


def test_retention_run_reduces_an_ended_accreditation_once_its_declaration_has_gone(
    django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    old = accreditation_ended(DECIDED_LONG_AGO)
    recent = accreditation_ended(DECIDED_LATELY)
    person, organisation = old.researcher, old.researcher.profile.organisation
    schedule_confirmed()
    before = figures(), figures(organisation)
    register_before = [(e.name, e.organisation) for e in register_entries(on=TODAY)]

    certificate = _run(django_capture_on_commit_callbacks)

    assert entry(certificate, "declaration")["count"] == 1
    assert entry(certificate, "accreditation_ended")["identifiers"] == [str(old.pk)]
    assert (figures(), figures(organisation)) == before
    assert [(e.name, e.organisation) for e in register_entries(on=TODAY)] == register_before
    old.refresh_from_db()
    assert old.researcher != person and old.researcher.full_name == "Anonymised record"
    assert old.researcher.profile.organisation == organisation
    assert old.state == Accreditation.State.REVOKED and old.state_reasons == ""
    assert old.application.applicant == old.researcher
    assert old.application.decision_reasons == ""
    recent.refresh_from_db()
    assert recent.researcher.full_name != "Anonymised record" and recent.state_reasons


def test_retention_run_keeps_an_ended_accreditation_held_or_waited_on(
    django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    held = accreditation_ended(DECIDED_LONG_AGO)
    declaration_held = accreditation_ended(DECIDED_LONG_AGO)
    accredited_again = accreditation_ended(DECIDED_LONG_AGO)
    AccreditationFactory(researcher=accredited_again.researcher)
    # Its declaration gone already, so only the accreditation in force keeps the ended one.
    Declaration.objects.filter(user=accredited_again.researcher).update(
        state=Declaration.State.DESTROYED
    )
    by = secretariat_user()
    schedule_confirmed(by)
    legal_hold_place(
        kind=RecordKind.ACCREDITATION_ENDED, identifier=str(held.pk), reason="Inquiry", by=by
    )
    legal_hold_place(
        kind=RecordKind.DECLARATION,
        identifier=str(declaration_held.researcher.declarations.get().pk),
        reason="Inquiry",
        by=by,
    )

    certificate = _run(django_capture_on_commit_callbacks)

    assert entry(certificate, "accreditation_ended")["held"] == [str(held.pk)]
    assert entry(certificate, "accreditation_ended")["identifiers"] == []
    for accreditation in (held, declaration_held, accredited_again):
        accreditation.refresh_from_db()
        assert accreditation.researcher.full_name != "Anonymised record"


@pytest.mark.parametrize("dry_run", [True, False])
def test_retention_run_reducing_queries_are_the_same_for_1_and_2_records_of_each_kind(
    dry_run, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    schedule_confirmed()

    def records():
        rejected(DECIDED_LONG_AGO)
        rejected_proposal(DECIDED_LONG_AGO, b"%PDF-1.4\n% DPIA " + str(tmp_path).encode())
        # Its declaration is destroyed through its own audited transition, a few queries each
        # (test_declarations.py); here it has gone already, so only the reduction is counted.
        ended = accreditation_ended(DECIDED_LONG_AGO)
        Declaration.objects.filter(user=ended.researcher).update(state=Declaration.State.DESTROYED)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            certificate = _run(django_capture_on_commit_callbacks, dry_run=dry_run)
        return len(captured), certificate.total

    records()
    few, reduced = queries()
    records()
    records()

    many, reduced_again = queries()

    assert many == few
    assert reduced_again == (reduced * 3 if dry_run else reduced * 2)
