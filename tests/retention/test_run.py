"""The destruction run: exactly what has passed its period goes, with its files, under a
certificate; holds, shared files and the audit trail stay; a dry run changes nothing."""

import json
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accreditation.models import AccreditationApplication
from audit.models import AuditEvent
from notifications.models import Notification
from projects.models import Proposal
from reports.models import ReportExport
from retention.models import DestructionCertificate, LegalHold, RecordKind
from retention.services import RetentionRefused, legal_hold_place, retention_run
from tests.outputs.factories import OutputFileFactory
from tests.retention.helpers import (
    LONG_AGO,
    TODAY,
    entry,
    orphan_stored,
    proposal_withdrawn,
    schedule_confirmed,
    secretariat_user,
    sha256,
    world_make,
)

pytestmark = pytest.mark.django_db

KINDS_RUN = (
    "application_withdrawn_draft",
    "proposal_withdrawn_draft",
    "notification_read",
    "report_export",
    "orphaned_file",
)
MODELS = {
    "application_withdrawn_draft": AccreditationApplication,
    "proposal_withdrawn_draft": Proposal,
    "notification_read": Notification,
    "report_export": ReportExport,
}


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _exists(kind, identifier):
    if kind == "orphaned_file":
        return default_storage.exists(identifier)
    return MODELS[kind].objects.filter(pk=identifier).exists()


def test_retention_dry_run_lists_exactly_the_expired_records_and_changes_nothing():
    world = world_make()
    events = AuditEvent.objects.count()

    certificate = retention_run(on=TODAY, dry_run=True)

    for kind in KINDS_RUN:
        assert entry(certificate, kind)["identifiers"] == world.expired[kind], kind
    listed = {f["name"]: f["sha256"] for e in certificate.kinds for f in e["files"]}
    assert listed == {name: sha256(content) for name, content in world.files.items()}
    assert certificate.dry_run and certificate.pk is None
    assert not DestructionCertificate.objects.exists()
    assert AuditEvent.objects.count() == events
    for kind in KINDS_RUN:
        for identifier in world.expired[kind] + world.fresh[kind]:
            assert _exists(kind, identifier), (kind, identifier)
    for name in world.files:
        assert default_storage.exists(name)


def test_retention_dry_run_works_on_the_proposed_schedule_but_a_real_run_is_refused():
    world = world_make()

    certificate = retention_run(on=TODAY, dry_run=True)
    assert (
        entry(certificate, "notification_read")["identifiers"] == world.expired["notification_read"]
    )
    with pytest.raises(RetentionRefused, match="proposed defaults"):
        retention_run(on=TODAY, dry_run=False)
    assert Notification.objects.filter(pk__in=world.expired["notification_read"]).count() == 1


def test_retention_run_destroys_exactly_the_expired_records_and_their_files(
    django_capture_on_commit_callbacks,
):
    world = world_make()
    schedule = schedule_confirmed()

    with django_capture_on_commit_callbacks(execute=True):
        certificate = retention_run(on=TODAY, dry_run=False)

    for kind in KINDS_RUN:
        for identifier in world.expired[kind]:
            assert not _exists(kind, identifier), (kind, identifier)
        for identifier in world.fresh[kind]:
            assert _exists(kind, identifier), (kind, identifier)
    for name in world.files:
        assert not default_storage.exists(name), name
    saved = DestructionCertificate.objects.get()
    assert saved.pk == certificate.pk and not saved.dry_run
    assert saved.schedule_id == schedule.version
    for kind in KINDS_RUN:
        assert entry(saved, kind)["identifiers"] == world.expired[kind]
        assert entry(saved, kind)["count"] == len(world.expired[kind])
    recorded = {f["name"]: f["sha256"] for e in saved.kinds for f in e["files"]}
    assert recorded == {name: sha256(content) for name, content in world.files.items()}
    assert saved.total == len(KINDS_RUN)
    assert entry(saved, "project_closed")["run"] and entry(saved, "project_closed")["count"] == 0
    event = AuditEvent.objects.get(action="retention.run")
    assert event.object_id == str(saved.pk)
    assert event.payload["counts"]["notification_read"] == 1


def test_retention_run_a_second_time_destroys_nothing_more(django_capture_on_commit_callbacks):
    world_make()
    schedule_confirmed()
    with django_capture_on_commit_callbacks(execute=True):
        retention_run(on=TODAY, dry_run=False)

    again = retention_run(on=TODAY, dry_run=False)

    assert again.total == 0


def test_retention_run_leaves_a_held_record_and_names_it_held(django_capture_on_commit_callbacks):
    world = world_make()
    by = secretariat_user()
    schedule_confirmed(by)
    held_proposal = world.expired["proposal_withdrawn_draft"][0]
    held_file = world.expired["orphaned_file"][0]
    legal_hold_place(
        kind=RecordKind.PROPOSAL_WITHDRAWN_DRAFT,
        identifier=held_proposal,
        reason="Subject access request SAR-2027-14",
        by=by,
    )
    legal_hold_place(
        kind=RecordKind.ORPHANED_FILE, identifier=held_file, reason="Investigation", by=by
    )

    with django_capture_on_commit_callbacks(execute=True):
        certificate = retention_run(on=TODAY, dry_run=False)

    proposal = Proposal.objects.get(pk=held_proposal)
    assert default_storage.exists(proposal.dpia_file.name)
    assert default_storage.exists(held_file)
    assert entry(certificate, "proposal_withdrawn_draft")["held"] == [held_proposal]
    assert entry(certificate, "proposal_withdrawn_draft")["identifiers"] == []
    assert entry(certificate, "orphaned_file")["held"] == [held_file]
    # The other expired kinds still went.
    assert entry(certificate, "notification_read")["count"] == 1


def test_retention_run_destroys_a_record_once_its_hold_is_lifted(
    django_capture_on_commit_callbacks,
):
    from retention.services import legal_hold_lift

    world = world_make()
    by = secretariat_user()
    schedule_confirmed(by)
    identifier = world.expired["application_withdrawn_draft"][0]
    hold = legal_hold_place(
        kind=RecordKind.APPLICATION_WITHDRAWN_DRAFT, identifier=identifier, reason="Claim", by=by
    )
    legal_hold_lift(hold=hold, reason="Claim settled", by=by)

    certificate = retention_run(on=TODAY, dry_run=False)

    assert entry(certificate, "application_withdrawn_draft")["identifiers"] == [identifier]
    assert LegalHold.objects.get().lift_reason == "Claim settled"


def test_retention_run_never_deletes_a_file_another_record_refers_to(
    django_capture_on_commit_callbacks,
):
    schedule_confirmed()
    # A withdrawn amendment shares its project's DPIA: the amendment goes, the file stays.
    shared = proposal_withdrawn(LONG_AGO)
    project_file = shared.dpia_file.name
    sharing = proposal_withdrawn(LONG_AGO, dpia_name=project_file)
    Proposal.objects.filter(pk=shared.pk).update(state=Proposal.State.ACTIVE)
    # An old content-addressed output still in a request is no orphan.
    output = OutputFileFactory()
    orphan_stored(LONG_AGO, b"unused")  # beside it, a real orphan
    stored_output = output.file.name

    with django_capture_on_commit_callbacks(execute=True):
        certificate = retention_run(on=TODAY, dry_run=False)

    assert not Proposal.objects.filter(pk=sharing.pk).exists()
    assert default_storage.exists(project_file)
    assert entry(certificate, "proposal_withdrawn_draft")["files"] == []
    assert entry(certificate, "proposal_withdrawn_draft")["files_kept"] == [project_file]
    assert default_storage.exists(stored_output)
    orphans = entry(certificate, "orphaned_file")["identifiers"]
    assert stored_output not in orphans and len(orphans) == 1


def test_retention_run_deletes_no_audit_event(django_capture_on_commit_callbacks):
    world = world_make()
    schedule_confirmed()
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    withdrawals = AuditEvent.objects.filter(
        object_id__in=world.expired["application_withdrawn_draft"],
        object_type="accreditation.accreditationapplication",
    ).count()

    with django_capture_on_commit_callbacks(execute=True):
        retention_run(on=TODAY, dry_run=False)

    after = set(AuditEvent.objects.values_list("pk", flat=True))
    assert before <= after
    assert len(after - before) == 1  # the run's own event
    assert withdrawals and (
        AuditEvent.objects.filter(
            object_id__in=world.expired["application_withdrawn_draft"],
            object_type="accreditation.accreditationapplication",
        ).count()
        == withdrawals
    )


def _run_queries(*, dry_run, on_commit):
    with CaptureQueriesContext(connection) as queries, on_commit(execute=True):
        certificate = retention_run(on=TODAY, dry_run=dry_run)
    return len(queries), certificate.total


@pytest.mark.parametrize("dry_run", [True, False])
def test_retention_run_queries_are_the_same_for_1_and_3_records_of_each_kind(
    dry_run, django_capture_on_commit_callbacks
):
    schedule_confirmed()
    world_make(copies=1)
    few, destroyed = _run_queries(dry_run=dry_run, on_commit=django_capture_on_commit_callbacks)
    assert destroyed == 5
    world_make(copies=3)

    many, destroyed = _run_queries(dry_run=dry_run, on_commit=django_capture_on_commit_callbacks)

    assert destroyed == (20 if dry_run else 15)
    assert many == few


def test_retention_run_command_dry_run_prints_what_would_go_and_changes_nothing():
    world = world_make()
    out = StringIO()

    call_command("retention_run", "--dry-run", "--date", TODAY.isoformat(), stdout=out)

    text = out.getvalue()
    assert "Would destroy 5 under retention schedule version 1" in text
    for name, content in world.files.items():
        assert f"file {name} sha256 {sha256(content)}" in text
    assert "- Closed projects, with their reviews and decisions (" in text
    assert "Not yet destroyed by the run" not in text
    assert not DestructionCertificate.objects.exists()
    assert Notification.objects.count() == 2


def test_retention_run_command_refuses_a_bad_date_and_an_unconfirmed_schedule():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("retention_run", "--date", "31/03/2027", stdout=StringIO())
    with pytest.raises(CommandError, match="proposed defaults"):
        call_command("retention_run", stdout=StringIO())


def test_retention_run_command_writes_the_certificate(django_capture_on_commit_callbacks):
    world_make()
    schedule_confirmed()
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention_run", "--date", TODAY.isoformat(), stdout=out)

    certificate = DestructionCertificate.objects.get()
    assert f"Certificate {certificate.pk} written." in out.getvalue()
    assert json.dumps(certificate.kinds)  # plain data, as the download gives it
