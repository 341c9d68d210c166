"""A researcher takes a file out of their output request while it is theirs to change, and
never once the output checkers hold it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from audit.personal import events_open
from identity.roles import Role
from outputs.models import CheckResult, FileVote, OutputFile, OutputRequest, OutputType
from outputs.request.services import file_add, file_remove, file_replace
from outputs.review.services import group_comment_add, output_request_return
from tests.factories import UserFactory
from tests.outputs.factories import SMALL_TABLE_CSV, FileGroupFactory, OutputFileFactory, upload
from tests.outputs.states import checker, files_of, output_request_submitted, review_with

pytestmark = pytest.mark.django_db
State = OutputRequest.State


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _returned(files_per_group=2):
    """A request both checkers reviewed, asking for changes, then returned to its author."""
    output_request = output_request_submitted(files_per_group=files_per_group)
    one, two = checker(), checker()
    review_with(output_request, one, "approve")
    output_request = review_with(output_request, two, "changes")
    group_comment_add(
        group=output_request.groups.get(),
        text="Remove the summary file.",
        public=True,
        by=two,
    )
    return output_request_return(output_request=output_request, by=two)


def _remove_url(output_file):
    return reverse("outputs:file_remove", kwargs={"file_pk": output_file.pk})


def _detail_url(output_request):
    return reverse("outputs:output_request_detail", kwargs={"pk": output_request.pk})


def test_file_remove_from_a_returned_request_takes_its_checks_and_votes_and_is_audited():
    output_request = _returned()
    gone, kept = files_of(output_request)
    assert gone.checks.exists() and gone.votes.count() == 2

    file_remove(output_file=gone, by=output_request.author)

    assert files_of(output_request) == [kept]
    assert not CheckResult.objects.filter(file_id=gone.pk).exists()
    assert not FileVote.objects.filter(file_id=gone.pk).exists()
    assert kept.votes.count() == 2
    (event,) = events_open([AuditEvent.objects.get(action="output_request.file_removed")])
    assert event.actor == output_request.author
    assert "name" not in event.payload
    assert event.shown.payload["name"] == gone.name
    assert event.payload["sha256"] == gone.sha256
    assert event.payload["votes"] == 2


def test_file_remove_from_a_draft():
    output_file = OutputFileFactory()
    file_remove(output_file=output_file, by=output_file.uploaded_by)
    assert not OutputFile.objects.exists()


@pytest.mark.parametrize("reviews", [0, 1, 2])
def test_file_remove_refused_once_the_checkers_hold_the_request(reviews):
    output_request = output_request_submitted()
    for _ in range(reviews):
        output_request = review_with(output_request, checker())
    assert output_request.state in OutputRequest.IN_CHECKING
    output_file = files_of(output_request)[0]

    with pytest.raises(PermissionDenied) as refused:
        file_remove(output_file=output_file, by=output_request.author)

    assert str(refused.value) == (
        "This output request has been sent to the output checkers, so it cannot be changed now."
    )

    assert files_of(output_request) == [output_file]
    assert output_file.checks.exists()
    assert not AuditEvent.objects.filter(action="output_request.file_removed").exists()


def test_file_remove_refused_for_a_project_member_who_is_not_the_author():
    member = UserFactory(roles=[Role.RESEARCHER])
    output_file = OutputFileFactory(group__request__project__team=[member])
    with pytest.raises(PermissionDenied) as refused:
        file_remove(output_file=output_file, by=member)
    assert str(refused.value) == "Only the author of an output request can change it."
    assert OutputFile.objects.filter(pk=output_file.pk).exists()


def test_file_remove_refused_while_it_holds_the_counts_behind_a_magnitude_table():
    group = FileGroupFactory()
    table = file_add(
        group=group,
        by=group.request.author,
        upload_file=upload(b"region,mean_income\nNorth,25000\nSouth,27000\n", "income.csv"),
        output_type=OutputType.MAGNITUDE_TABLE,
        counts_upload=upload(SMALL_TABLE_CSV, "counts.csv"),
    )
    with pytest.raises(ValidationError, match=r"holds the counts behind income\.csv"):
        file_remove(output_file=table.counts_file, by=group.request.author)
    file_remove(output_file=table, by=group.request.author)
    file_remove(output_file=table.counts_file, by=group.request.author)
    assert not OutputFile.objects.exists()


def test_request_page_remove_link_asks_first_then_removes_the_file(client):
    output_request = _returned()
    gone, kept = files_of(output_request)
    client.force_login(output_request.author)

    detail = client.get(_detail_url(output_request)).content.decode()
    assert f'href="{_remove_url(gone)}"' in detail

    confirm = client.get(_remove_url(gone))
    text = confirm.content.decode()
    assert f"Remove {gone.name} from the request?" in text
    assert "This cannot be undone." in text
    assert "2 votes on it" in text
    assert files_of(output_request) == [gone, kept]
    assert not AuditEvent.objects.filter(action="output_request.file_removed").exists()

    response = client.post(_remove_url(gone), follow=True)
    assert response.redirect_chain[-1][0] == _detail_url(output_request)
    page = response.content.decode()
    assert f"{gone.name} has been removed from the request." in page
    assert files_of(output_request) == [kept]


def test_remove_page_refused_and_no_link_once_submitted(client):
    output_request = output_request_submitted()
    output_file = files_of(output_request)[0]
    client.force_login(output_request.author)

    assert _remove_url(output_file) not in client.get(_detail_url(output_request)).content.decode()
    assert client.get(_remove_url(output_file)).status_code == 403
    assert client.post(_remove_url(output_file)).status_code == 403
    assert files_of(output_request) == [output_file]


def test_remove_page_of_a_replaced_version_not_found(client):
    old = OutputFileFactory()
    file_replace(output_file=old, by=old.uploaded_by, upload_file=upload(b"a,b\nx,20\n", "v2.csv"))
    client.force_login(old.uploaded_by)
    assert client.get(_remove_url(old)).status_code == 404
    assert client.post(_remove_url(old)).status_code == 404


def test_remove_page_refusal_shows_in_an_error_summary(client):
    group = FileGroupFactory()
    table = file_add(
        group=group,
        by=group.request.author,
        upload_file=upload(b"region,mean_income\nNorth,25000\nSouth,27000\n", "income.csv"),
        output_type=OutputType.MAGNITUDE_TABLE,
        counts_upload=upload(SMALL_TABLE_CSV, "counts.csv"),
    )
    client.force_login(group.request.author)
    response = client.post(_remove_url(table.counts_file))
    assert response.status_code == 200
    text = response.content.decode()
    assert "govuk-error-summary" in text
    assert "holds the counts behind income.csv" in text
    assert OutputFile.objects.count() == 2


@pytest.mark.parametrize("files_per_group", [2, 6])
def test_remove_page_queries_do_not_grow_with_the_request(
    client, django_assert_max_num_queries, files_per_group
):
    output_request = _returned(files_per_group=files_per_group)
    output_file = files_of(output_request)[0]
    client.force_login(output_request.author)
    with django_assert_max_num_queries(6):
        assert client.get(_remove_url(output_file)).status_code == 200
