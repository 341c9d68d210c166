"""The kinds the run destroys beyond drafts: applications withdrawn after they were sent, output
files never released and released ones, training evidence and the reminder ledger. For each, a
record past its period goes (its stored files into the certificate with their SHA-256), one
within it stays, a held one stays; a dry run changes nothing."""

import datetime

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accreditation import services as accreditation_services
from accreditation.models import Accreditation, AccreditationApplication
from identity.roles import Role
from notifications.models import ReminderSent
from outputs.models import OutputFile, OutputRequest
from outputs.publication.services import publication_record
from projects.lifecycle.services import project_close, projects_close_ended
from projects.models import Proposal
from researchers.models import Qualification, TrainingRecord
from retention.models import DestructionCertificate, RecordKind
from retention.services import legal_hold_place, retention_rule_change, retention_run
from tests.accreditation.states import accreditation_at, application_at
from tests.factories import UserFactory
from tests.outputs.states import output_request_at
from tests.projects.states import proposal_at
from tests.researchers.profile_factories import QualificationFactory, TrainingRecordFactory
from tests.retention.helpers import (
    LATELY,
    LONG_AGO,
    TODAY,
    entry,
    now_is,
    schedule_confirmed,
    secretariat_user,
    sha256,
)

pytestmark = pytest.mark.django_db

# The released files' and the training evidence's proposed periods (ten and six years) are
# shortened to a year, so LONG_AGO is past them and LATELY within.
SHORTENED = (RecordKind.OUTPUT_FILE_RELEASED, RecordKind.TRAINING_EVIDENCE)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _schedule(by):
    for kind in SHORTENED:
        retention_rule_change(
            kind=kind, period_days=365, action="destroy", reason="For the test.", by=by
        )
    schedule_confirmed(by)


def _files_stored(output_request, stamp):
    """Bytes at every stored name of ``output_request``'s files, as the upload left them."""
    stored = {}
    for output_file in OutputFile.objects.filter(group__request=output_request):
        content = f"region,count\n{stamp}-{output_file.pk},25\n".encode()
        assert default_storage.save(output_file.file.name, ContentFile(content)) == (
            output_file.file.name
        )
        stored[output_file.file.name] = content
    return stored


def _file_ids(output_request):
    return [
        str(pk)
        for pk in OutputFile.objects.filter(group__request=output_request)
        .order_by("pk")
        .values_list("pk", flat=True)
    ]


def application_withdrawn_after_sending(on):
    with time_machine.travel(on, tick=False):
        application = application_at(AccreditationApplication.State.SUBMITTED, screened=False)
        accreditation_services.application_withdraw(
            application=application, by=application.applicant
        )
    return str(application.pk)


def output_request_unreleased(on, state, stamp):
    output_request = output_request_at(state, on=on)
    return output_request, _files_stored(output_request, stamp)


def output_request_lapsed(on, stamp):
    """A request sent to the checkers and closed unreleased by the daily close on ``on``, once
    its project had ended and the grace period for checking was over."""
    day = datetime.timedelta(days=1)
    end = on.date() - 60 * day
    with time_machine.travel(on - 90 * day, tick=False):
        project = proposal_at(Proposal.State.ACTIVE, start_date=end - 200 * day, end_date=end)
        output_request = output_request_at(OutputRequest.State.SUBMITTED, project=project)
    with time_machine.travel(on, tick=False):
        projects_close_ended()
        projects_close_ended()
    output_request.refresh_from_db()
    assert output_request.state == OutputRequest.State.LAPSED
    return output_request, _files_stored(output_request, stamp)


def output_request_released_and_closed(on, stamp):
    with time_machine.travel(on, tick=False):
        output_request = output_request_at(OutputRequest.State.RELEASED)
        for output_file in OutputFile.objects.filter(group__request=output_request):
            publication_record(
                output_file=output_file,
                citation="Office for Statistics, 2025.",
                by=output_request.author,
            )
        project_close(project=output_request.project, by=output_request.project.coordinator)
    return output_request, _files_stored(output_request, stamp)


def researcher_with_evidence(ended_on, stamp):
    """A researcher whose training certificate and degree evidence were uploaded a year before
    their accreditation was revoked on ``ended_on``."""
    researcher = UserFactory(roles=[Role.RESEARCHER])
    with time_machine.travel(ended_on - datetime.timedelta(days=365), tick=False):
        training = TrainingRecordFactory(
            user=researcher,
            certificate=ContentFile(b"%PDF-1.4 training " + stamp, name="certificate.pdf"),
            certificate_name="certificate.pdf",
        )
        qualification = QualificationFactory(
            user=researcher,
            evidence=ContentFile(b"%PDF-1.4 degree " + stamp, name="degree.pdf"),
            evidence_name="degree.pdf",
        )
    with time_machine.travel(ended_on, tick=False):
        accreditation_at(
            Accreditation.State.REVOKED, researcher=researcher, valid_from=datetime.date(2023, 1, 1)
        )
    stored = {}
    for field_file in (training.certificate, qualification.evidence):
        with field_file.open("rb") as handle:
            stored[field_file.name] = handle.read()
    return [f"training-{training.pk}", f"qualification-{qualification.pk}"], stored


def ledger_row(on):
    return str(
        ReminderSent.objects.create(
            kind="proposal_stale",
            content_type=ContentType.objects.get_for_model(OutputRequest),
            object_id=10_000 + ReminderSent.objects.count(),
            due_date=on.date(),
            sent_at=on,
        ).pk
    )


def world_make():
    """For each new kind, its records past the period and within it, and the stored files of
    those past it."""
    expired, fresh, files = {}, {}, {}
    for when, side in ((LONG_AGO, expired), (LATELY, fresh)):
        stamp = f"{when:%Y%m%d}".encode()
        side["application_withdrawn_submitted"] = [application_withdrawn_after_sending(when)]
        rejected, rejected_files = output_request_unreleased(
            when, OutputRequest.State.REJECTED, stamp + b"r"
        )
        withdrawn, withdrawn_files = output_request_unreleased(
            when, OutputRequest.State.WITHDRAWN, stamp + b"w"
        )
        lapsed, lapsed_files = output_request_lapsed(when, stamp + b"l")
        side["output_file_not_released"] = (
            _file_ids(rejected) + _file_ids(withdrawn) + _file_ids(lapsed)
        )
        released, released_files = output_request_released_and_closed(when, stamp)
        side["output_file_released"] = _file_ids(released)
        side["training_evidence"], evidence_files = researcher_with_evidence(when, stamp)
        side["reminder_ledger"] = [ledger_row(when)]
        if side is expired:
            files.update(
                rejected_files | withdrawn_files | lapsed_files | released_files | evidence_files
            )
    return expired, fresh, files


def _present(kind, identifier):
    """Whether the record is whole: its row there and, for a file's kind, its file kept."""
    if kind == "application_withdrawn_submitted":
        return AccreditationApplication.objects.filter(pk=identifier).exists()
    if kind == "reminder_ledger":
        return ReminderSent.objects.filter(pk=identifier).exists()
    if kind == "training_evidence":
        prefix, number = identifier.split("-")
        if prefix == "training":
            name = TrainingRecord.objects.get(pk=number).certificate.name
        else:
            name = Qualification.objects.get(pk=number).evidence.name
        return bool(name) and default_storage.exists(name)
    output_file = OutputFile.objects.get(pk=identifier)
    return bool(output_file.file) and default_storage.exists(output_file.file.name)


NEW_KINDS = (
    "application_withdrawn_submitted",
    "output_file_not_released",
    "output_file_released",
    "training_evidence",
    "reminder_ledger",
)


def test_retention_run_destroys_each_new_kind_past_its_period_and_keeps_those_within(
    django_capture_on_commit_callbacks,
):
    expired, fresh, files = world_make()
    _schedule(secretariat_user())

    with now_is(TODAY), django_capture_on_commit_callbacks(execute=True):
        certificate = retention_run(on=TODAY, dry_run=False)

    for kind in NEW_KINDS:
        assert entry(certificate, kind)["run"], kind
        assert entry(certificate, kind)["identifiers"] == expired[kind], kind
        for identifier in expired[kind]:
            assert not _present(kind, identifier), (kind, identifier)
        for identifier in fresh[kind]:
            assert _present(kind, identifier), (kind, identifier)
    for name in files:
        assert not default_storage.exists(name), name
    recorded = {
        f["name"]: f["sha256"]
        for kind in NEW_KINDS
        for f in entry(DestructionCertificate.objects.get(), kind)["files"]
    }
    assert recorded == {name: sha256(content) for name, content in files.items()}


def test_retention_run_keeps_output_file_rows_so_requests_still_count_them(
    django_capture_on_commit_callbacks,
):
    expired, _, _ = world_make()
    _schedule(secretariat_user())
    files_before = OutputFile.objects.count()
    unreleased = OutputFile.objects.get(pk=expired["output_file_not_released"][0])

    with now_is(TODAY), django_capture_on_commit_callbacks(execute=True):
        retention_run(on=TODAY, dry_run=False)

    assert OutputFile.objects.count() == files_before
    unreleased.refresh_from_db()
    assert unreleased.file.name == "" and unreleased.sha256 and unreleased.size
    assert OutputRequest.objects.filter(state=OutputRequest.State.REJECTED).count() == 2


def test_retention_run_keeps_held_records_of_each_new_kind(django_capture_on_commit_callbacks):
    expired, _, _ = world_make()
    by = secretariat_user()
    _schedule(by)
    for kind in NEW_KINDS:
        legal_hold_place(
            kind=kind, identifier=expired[kind][0], reason="Claim CL-2027-3 pending", by=by
        )

    with now_is(TODAY), django_capture_on_commit_callbacks(execute=True):
        certificate = retention_run(on=TODAY, dry_run=False)

    for kind in NEW_KINDS:
        held = expired[kind][0]
        assert entry(certificate, kind)["held"] == [held], kind
        assert held not in entry(certificate, kind)["identifiers"], kind
        assert _present(kind, held), kind


def test_retention_dry_run_lists_the_new_kinds_and_changes_nothing():
    expired, fresh, files = world_make()
    _schedule(secretariat_user())

    with now_is(TODAY):
        certificate = retention_run(on=TODAY, dry_run=True)

    for kind in NEW_KINDS:
        assert entry(certificate, kind)["identifiers"] == expired[kind], kind
        for identifier in expired[kind] + fresh[kind]:
            assert _present(kind, identifier), (kind, identifier)
    listed = {
        f["name"]: f["sha256"] for kind in NEW_KINDS for f in entry(certificate, kind)["files"]
    }
    assert listed == {name: sha256(content) for name, content in files.items()}
    assert not DestructionCertificate.objects.exists()
    for name in files:
        assert default_storage.exists(name)


def test_retention_run_keeps_training_evidence_of_a_researcher_applying_again(
    django_capture_on_commit_callbacks,
):
    identifiers, files = researcher_with_evidence(LONG_AGO, b"again")
    researcher = TrainingRecord.objects.get(pk=identifiers[0].split("-")[1]).user
    application_at(AccreditationApplication.State.DRAFT, applicant=researcher)
    _schedule(secretariat_user())

    with now_is(TODAY), django_capture_on_commit_callbacks(execute=True):
        certificate = retention_run(on=TODAY, dry_run=False)

    assert entry(certificate, "training_evidence")["identifiers"] == []
    for name in files:
        assert default_storage.exists(name)


def test_released_file_download_answers_404_once_destroyed(
    client, django_capture_on_commit_callbacks
):
    expired, _, _ = world_make()
    _schedule(secretariat_user())
    with now_is(TODAY), django_capture_on_commit_callbacks(execute=True):
        retention_run(on=TODAY, dry_run=False)
    output_file = OutputFile.objects.select_related("group__request").get(
        pk=expired["output_file_released"][0]
    )
    client.force_login(output_file.group.request.author)

    response = client.get(reverse("outputs:released_file", args=[output_file.pk]))

    assert response.status_code == 404


def test_retention_run_queries_for_the_new_kinds_are_the_same_for_1_and_2_records_of_each(
    django_capture_on_commit_callbacks,
):
    _schedule(secretariat_user())
    world_make()

    def queries():
        with (
            now_is(TODAY),
            CaptureQueriesContext(connection) as captured,
            django_capture_on_commit_callbacks(execute=True),
        ):
            retention_run(on=TODAY, dry_run=True)
        return len(captured)

    few = queries()
    world_make()

    assert queries() == few
