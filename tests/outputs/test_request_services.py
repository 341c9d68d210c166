import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from PIL import Image

from accreditation.models import Accreditation
from accreditation.services import accreditation_suspend
from audit.models import AuditEvent
from identity.roles import Role
from outputs.models import OutputFile, OutputRequest, OutputType
from outputs.request.services import (
    file_add,
    file_replace,
    group_add,
    group_update,
    output_request_create,
    output_request_submit,
    output_request_withdraw,
)
from projects.models import Proposal
from tests.factories import UserFactory
from tests.outputs.factories import (
    SMALL_TABLE_CSV,
    FileGroupFactory,
    OutputFileFactory,
    OutputRequestFactory,
    upload,
)
from tests.outputs.states import output_request_at, output_request_submitted
from tests.projects.factories import accredit
from tests.projects.states import project_closed, proposal_at
from workflow.errors import TransitionRefused

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OUTPUT_FILE_MAX_BYTES = 1000


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def _draft(**kwargs):
    output_request = OutputRequestFactory(**kwargs)
    accredit(output_request.author)
    return output_request


def test_request_create_closed_project_refused():
    project = proposal_at(Proposal.State.CLOSED)
    with pytest.raises(ValidationError, match="accepts no new output requests"):
        output_request_create(project=project, by=project.coordinator, title="Tables")
    assert not OutputRequest.objects.exists()


def test_request_create_records_audit_event():
    project = proposal_at(Proposal.State.ACTIVE)
    output_request = output_request_create(project=project, by=project.coordinator, title="Tables")
    assert output_request.state == OutputRequest.State.DRAFT
    assert AuditEvent.objects.filter(action="output_request.created").count() == 1


def test_file_add_wrong_content_refused_and_nothing_stored(tmp_path):
    group = FileGroupFactory()
    program = upload(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "table.csv")
    with pytest.raises(ValidationError) as caught:
        file_add(
            group=group,
            by=group.request.author,
            upload_file=program,
            output_type=OutputType.FREQUENCY_TABLE,
        )
    assert "must be a PDF, PNG, Excel spreadsheet (XLSX), SVG image, CSV or plain text file" in str(
        caught.value
    )
    assert not OutputFile.objects.exists()
    assert not (tmp_path / "media").exists()


def test_file_add_oversize_refused_and_nothing_stored(tmp_path):
    group = FileGroupFactory()
    big = b"a,b\n" + b"1,2\n" * 300
    with pytest.raises(ValidationError, match="must be smaller than 1000"):
        file_add(
            group=group,
            by=group.request.author,
            upload_file=upload(big),
            output_type=OutputType.FREQUENCY_TABLE,
        )
    assert not OutputFile.objects.exists()
    assert not (tmp_path / "media").exists()


def test_file_add_identical_content_stored_once():
    group = FileGroupFactory()
    author = group.request.author
    first = file_add(
        group=group,
        by=author,
        upload_file=upload(SMALL_TABLE_CSV, "a.csv"),
        output_type=OutputType.FREQUENCY_TABLE,
    )
    second = file_add(
        group=group,
        by=author,
        upload_file=upload(SMALL_TABLE_CSV, "b.csv"),
        output_type=OutputType.FREQUENCY_TABLE,
    )
    digest = hashlib.sha256(SMALL_TABLE_CSV).hexdigest()
    assert (
        first.file.name
        == second.file.name
        == f"private/outputs/{digest[:2]}/{digest[2:4]}/{digest}"
    )
    assert len(default_storage.listdir(f"private/outputs/{digest[:2]}/{digest[2:4]}")[1]) == 1
    with default_storage.open(first.file.name) as stored:
        assert stored.read() == SMALL_TABLE_CSV


def test_file_add_name_sanitised():
    group = FileGroupFactory()
    output_file = file_add(
        group=group,
        by=group.request.author,
        upload_file=upload(_png(), '../../etc/<chart>".png'),
        output_type=OutputType.FIGURE,
    )
    assert output_file.name == "chart.png"
    assert output_file.content_type == "image/png"


def test_file_add_magnitude_table_without_counts_refused():
    group = FileGroupFactory()
    with pytest.raises(ValidationError, match="counts behind this magnitude table"):
        file_add(
            group=group,
            by=group.request.author,
            upload_file=upload(),
            output_type=OutputType.MAGNITUDE_TABLE,
        )


@pytest.mark.parametrize("degrees_of_freedom", [10**30, -1, 1_000_000_001, "40"])
def test_file_add_degrees_of_freedom_out_of_range_refused(degrees_of_freedom):
    group = FileGroupFactory()
    with pytest.raises(ValidationError, match="a whole number from 0 to 1,000,000,000"):
        file_add(
            group=group,
            by=group.request.author,
            upload_file=upload(),
            output_type=OutputType.REGRESSION,
            degrees_of_freedom=degrees_of_freedom,
        )
    assert not OutputFile.objects.exists()


def test_file_add_magnitude_table_with_uploaded_counts():
    group = FileGroupFactory()
    table = file_add(
        group=group,
        by=group.request.author,
        upload_file=upload(b"region,mean_income\nNorth,25000\nSouth,27000\n", "income.csv"),
        output_type=OutputType.MAGNITUDE_TABLE,
        counts_upload=upload(SMALL_TABLE_CSV, "counts.csv"),
    )
    assert table.counts_file.name == "counts.csv"
    assert table.counts_file.group == group


def test_file_add_by_another_member_refused():
    member = UserFactory(roles=[Role.RESEARCHER])
    group = FileGroupFactory(request__project__team=[member])
    with pytest.raises(Exception, match="Only the author"):
        file_add(
            group=group, by=member, upload_file=upload(), output_type=OutputType.FREQUENCY_TABLE
        )


def test_file_replace_keeps_old_row_and_adds_the_new_version_to_its_group():
    output_file = OutputFileFactory()

    new = file_replace(
        output_file=output_file,
        by=output_file.uploaded_by,
        upload_file=upload(SMALL_TABLE_CSV + b"West,40\n", "table-v2.csv"),
    )

    output_file.refresh_from_db()
    assert output_file.replaced_at is not None
    assert new.replaced_at is None and new.group == output_file.group
    assert AuditEvent.objects.filter(action="output_request.file_replaced").count() == 1


@pytest.mark.parametrize("name", ["..", ".", "../tables", "a\\b", "Tables\nQ1"])
def test_group_add_refuses_a_name_that_could_not_name_a_folder(name):
    output_request = _draft()
    with pytest.raises(ValidationError) as caught:
        group_add(output_request=output_request, by=output_request.author, name=name)
    assert list(caught.value.message_dict) == ["name"]
    assert not output_request.groups.exists()


def test_group_update_refuses_a_name_that_could_not_name_a_folder():
    output_request = _draft()
    group = group_add(output_request=output_request, by=output_request.author, name="Tables")
    with pytest.raises(ValidationError, match="something other than full stops"):
        group_update(
            group=group, by=output_request.author, name="..", context="", disclosure_controls=""
        )
    group.refresh_from_db()
    assert group.name == "Tables"


def test_request_submit_each_condition_sentence():
    output_request = _draft()
    group_add(output_request=output_request, by=output_request.author, name="Tables")
    with pytest.raises(TransitionRefused) as caught:
        output_request_submit(output_request=output_request, by=output_request.author)
    assert caught.value.reasons == [
        "The request needs at least one file.",
        "Every group needs its context and the disclosure controls applied.",
    ]


def accreditation_at_suspended(accreditation):
    accreditation_suspend(
        accreditation=accreditation,
        reasons="Under investigation.",
        by=UserFactory(roles=[Role.SECRETARIAT], totp=True),
    )


def test_request_submit_suspended_researcher_refused():
    output_file = OutputFileFactory()
    output_request = output_file.group.request
    accredit(output_request.author)
    for accreditation in Accreditation.objects.filter(researcher=output_request.author):
        accreditation_at_suspended(accreditation)
    with pytest.raises(TransitionRefused) as caught:
        output_request_submit(output_request=output_request, by=output_request.author)
    assert caught.value.reasons == [
        "The author must hold active accreditation: a suspended or expired researcher cannot "
        "submit outputs."
    ]


def test_request_submit_closed_project_refused():
    output_file = OutputFileFactory()
    output_request = output_file.group.request
    accredit(output_request.author)
    project_closed(output_request.project)
    with pytest.raises(TransitionRefused, match="only while the project is active"):
        output_request_submit(output_request=output_request, by=output_request.author)


def test_request_submit_emails_checkers_and_audits(
    eager_celery, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(roles=[Role.OUTPUT_CHECKER], email="checker@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        output_request = output_request_submitted()
    assert output_request.state == OutputRequest.State.SUBMITTED
    assert output_request.submitted_at is not None
    assert [m.to for m in mailoutbox if "waiting for checking" in m.subject] == [
        ["checker@example.org"]
    ]
    event = AuditEvent.objects.get(action="output_request.submit")
    assert (event.from_state, event.to_state) == ("draft", "submitted")


def test_request_resubmit_after_return():
    output_request = output_request_at(OutputRequest.State.RETURNED, votes=("changes", "changes"))
    output_request = output_request_submit(output_request=output_request, by=output_request.author)
    assert output_request.state == OutputRequest.State.SUBMITTED


def test_request_withdraw_from_draft():
    output_request = _draft()
    output_request = output_request_withdraw(
        output_request=output_request, by=output_request.author
    )
    assert output_request.state == OutputRequest.State.WITHDRAWN
    assert AuditEvent.objects.filter(action="output_request.withdraw").exists()


def test_request_withdraw_submitted_refused():
    output_request = output_request_submitted()
    with pytest.raises(TransitionRefused):
        output_request_withdraw(output_request=output_request, by=output_request.author)
