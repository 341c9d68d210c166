import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from audit.models import AuditEvent
from identity.roles import Role
from outputs.models import FileGroup, OutputFile, OutputRequest, OutputType
from outputs.request.forms import FileForm, GroupForm
from outputs.request.services import output_request_submit
from projects.models import Proposal
from tests.factories import UserFactory
from tests.outputs.factories import (
    SMALL_TABLE_CSV,
    FileGroupFactory,
    OutputFileFactory,
    OutputRequestFactory,
    upload,
)
from tests.projects.factories import accredit
from tests.projects.states import proposal_at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OUTPUT_FILE_MAX_BYTES = 1000


def _login(client, user):
    client.force_login(user)
    return client


def test_request_create_page_starts_a_draft(client):
    project = proposal_at(Proposal.State.ACTIVE)
    response = _login(client, project.coordinator).post(
        reverse("outputs:output_request_create", kwargs={"project_pk": project.pk}),
        {"title": "Tables for the paper"},
    )
    output_request = OutputRequest.objects.get()
    assert response.url == reverse(
        "outputs:output_request_detail", kwargs={"pk": output_request.pk}
    )
    assert output_request.title == "Tables for the paper"


def test_request_create_page_closed_project_refused(client):
    project = proposal_at(Proposal.State.CLOSED)
    response = _login(client, project.coordinator).post(
        reverse("outputs:output_request_create", kwargs={"project_pk": project.pk}),
        {"title": "Tables"},
    )
    assert response.status_code == 200
    assert "accepts no new output requests" in response.content.decode()
    assert not OutputRequest.objects.exists()


def test_file_add_page_wrong_content_shows_error(client):
    output_file = OutputFileFactory()
    group = output_file.group
    response = _login(client, group.request.author).post(
        reverse("outputs:file_add", kwargs={"pk": group.request_id, "group_pk": group.pk}),
        {"output_type": OutputType.FREQUENCY_TABLE, "file": upload(b"\x00\x01\x02binary", "t.csv")},
    )
    assert response.status_code == 200
    assert "The selected file must be a PDF, PNG" in response.content.decode()
    assert OutputFile.objects.count() == 1


def test_file_add_page_oversize_shows_error(client):
    output_file = OutputFileFactory()
    group = output_file.group
    response = _login(client, group.request.author).post(
        reverse("outputs:file_add", kwargs={"pk": group.request_id, "group_pk": group.pk}),
        {"output_type": OutputType.FREQUENCY_TABLE, "file": upload(b"a,b\n" + b"1,2\n" * 300)},
    )
    assert response.status_code == 200
    assert "The selected file must be smaller than 1000" in response.content.decode()
    assert OutputFile.objects.count() == 1


def test_file_add_page_refuses_an_svg_that_can_run_code(client):
    output_file = OutputFileFactory()
    group = output_file.group
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)">'
        b"<text>Chart</text></a></svg>"
    )
    response = _login(client, group.request.author).post(
        reverse("outputs:file_add", kwargs={"pk": group.request_id, "group_pk": group.pk}),
        {"output_type": OutputType.FIGURE, "file": upload(svg, "chart.svg")},
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert "The selected SVG image contains a javascript: link, which can run code" in (
        response.text
    )
    assert OutputFile.objects.count() == 1


def test_file_add_page_stores_file(client):
    output_file = OutputFileFactory()
    group = output_file.group
    response = _login(client, group.request.author).post(
        reverse("outputs:file_add", kwargs={"pk": group.request_id, "group_pk": group.pk}),
        {
            "output_type": OutputType.FREQUENCY_TABLE,
            "file": upload(SMALL_TABLE_CSV + b"West,12\n", "second.csv"),
        },
    )
    assert response.status_code == 302
    assert OutputFile.objects.filter(name="second.csv").exists()
    assert AuditEvent.objects.filter(action="output_request.file_added").exists()


@pytest.mark.parametrize("posted", ["9" * 30, "9" * 5000, "1000000001", "-1", "12.5", "lots"])
def test_file_add_page_degrees_of_freedom_out_of_range_shows_error(client, posted):
    output_file = OutputFileFactory()
    group = output_file.group
    response = _login(client, group.request.author).post(
        reverse("outputs:file_add", kwargs={"pk": group.request_id, "group_pk": group.pk}),
        {
            "output_type": OutputType.REGRESSION,
            "file": upload(SMALL_TABLE_CSV + b"West,12\n", "model.csv"),
            "degrees_of_freedom": posted,
        },
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert (
        "Residual degrees of freedom must be a whole number from 0 to 1,000,000,000"
        in response.text
    )
    assert OutputFile.objects.count() == 1
    assert not AuditEvent.objects.filter(action="output_request.file_added").exists()


@pytest.mark.parametrize("posted", ["1000000001", "-1", "9" * 30])
def test_file_form_degrees_of_freedom_out_of_range_is_a_form_error(posted):
    form = FileForm(
        {"output_type": OutputType.REGRESSION, "degrees_of_freedom": posted},
        files_in_request=OutputFile.objects.none(),
    )
    assert form.errors["degrees_of_freedom"] == [
        "Residual degrees of freedom must be a whole number from 0 to 1,000,000,000"
    ]


def test_file_add_page_stores_the_largest_degrees_of_freedom(client):
    output_file = OutputFileFactory()
    group = output_file.group
    response = _login(client, group.request.author).post(
        reverse("outputs:file_add", kwargs={"pk": group.request_id, "group_pk": group.pk}),
        {
            "output_type": OutputType.REGRESSION,
            "file": upload(SMALL_TABLE_CSV + b"West,12\n", "model.csv"),
            "degrees_of_freedom": "1000000000",
        },
    )
    assert response.status_code == 302
    assert OutputFile.objects.get(name="model.csv").degrees_of_freedom == 1_000_000_000


BAD_GROUP_NAMES = [
    ("..", "Group name must include something other than full stops"),
    (".", "Group name must include something other than full stops"),
    ("\uff0e\uff0e", "Group name must include something other than full stops"),
    ("../tables", "Group name must not include / or \\"),
    ("..\\tables", "Group name must not include / or \\"),
    ("tables\uff0fq1", "Group name must not include / or \\"),
    ("Tables\tQ1", "Group name must not include control characters, such as tabs or line breaks"),
    ("Tables\x9bQ1", "Group name must not include control characters, such as tabs or line breaks"),
]


@pytest.mark.parametrize(("name", "message"), BAD_GROUP_NAMES)
def test_group_form_refuses_a_name_that_could_not_name_a_folder(name, message):
    form = GroupForm({"name": name})
    assert form.errors["name"] == [message]


@pytest.mark.parametrize(("name", "message"), BAD_GROUP_NAMES)
def test_group_add_page_refuses_a_name_that_could_not_name_a_folder(client, name, message):
    output_request = OutputRequestFactory()
    response = _login(client, output_request.author).post(
        reverse("outputs:group_add", kwargs={"pk": output_request.pk}),
        {"name": name, "context": "Counts by region."},
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert escape(message) in response.text
    assert "Counts by region." in response.text
    assert not FileGroup.objects.exists()


def test_group_edit_page_refuses_a_name_that_could_not_name_a_folder(client):
    group = FileGroupFactory(name="Tables")
    response = _login(client, group.request.author).post(
        reverse("outputs:group_edit", kwargs={"pk": group.request_id, "group_pk": group.pk}),
        {"name": "..", "context": "Counts."},
    )
    assert response.status_code == 200
    assert "Group name must include something other than full stops" in response.text
    group.refresh_from_db()
    assert group.name == "Tables"


def _download(client, user, output_file):
    return _login(client, user).get(
        reverse("outputs:file_download", kwargs={"file_pk": output_file.pk})
    )


def test_file_download_member_200(client):
    member = UserFactory(roles=[Role.RESEARCHER])
    output_file = OutputFileFactory(group__request__project__team=[member])
    response = _download(client, member, output_file)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == SMALL_TABLE_CSV
    assert response["X-Content-Type-Options"] == "nosniff"


def test_file_download_non_member_404(client):
    output_file = OutputFileFactory()
    assert _download(client, UserFactory(roles=[Role.RESEARCHER]), output_file).status_code == 404


def test_file_download_checker_on_the_project_404(client):
    checker = UserFactory(roles=[Role.RESEARCHER, Role.OUTPUT_CHECKER], totp=True)
    output_file = OutputFileFactory(group__request__project__team=[checker])
    request_sent(output_file.group.request)
    assert _download(client, checker, output_file).status_code == 404


def test_file_download_checker_before_submission_404_after_200(client):
    checker = UserFactory(roles=[Role.OUTPUT_CHECKER], totp=True)
    output_file = OutputFileFactory()
    assert _download(client, checker, output_file).status_code == 404
    request_sent(output_file.group.request)
    response = _download(client, checker, output_file)
    assert response.status_code == 200
    b"".join(response.streaming_content)


def test_request_submit_page_shows_each_unmet_condition(client):
    output_file = OutputFileFactory(group__context="")
    output_request = output_file.group.request
    response = _login(client, output_request.author).post(
        reverse("outputs:output_request_submit", kwargs={"pk": output_request.pk})
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Every group needs its context and the disclosure controls applied." in page


def test_request_submit_page_sends_request(client):
    output_file = OutputFileFactory()
    output_request = output_file.group.request
    accredit(output_request.author)
    response = _login(client, output_request.author).post(
        reverse("outputs:output_request_submit", kwargs={"pk": output_request.pk})
    )
    assert response.status_code == 302
    output_request.refresh_from_db()
    assert output_request.state == OutputRequest.State.SUBMITTED


def test_request_withdraw_page_says_what_happens_then_withdraws_draft(client):
    output_file = OutputFileFactory()
    output_request = output_file.group.request
    url = reverse("outputs:output_request_withdraw", kwargs={"pk": output_request.pk})
    _login(client, output_request.author)

    page = client.get(url).content.decode()

    assert "This cannot be undone." in page
    assert "nothing in it will be released" in page
    assert "start a new request and add the files again" in page
    output_request.refresh_from_db()
    assert output_request.state == OutputRequest.State.DRAFT
    assert not AuditEvent.objects.filter(action="output_request.withdraw").exists()

    client.post(url)

    output_request.refresh_from_db()
    assert output_request.state == OutputRequest.State.WITHDRAWN
    assert AuditEvent.objects.filter(action="output_request.withdraw").count() == 1


def test_request_detail_page_lists_groups_and_files(client):
    output_file = OutputFileFactory(name="regions.csv")
    output_request = output_file.group.request
    response = _login(client, output_request.author).get(
        reverse("outputs:output_request_detail", kwargs={"pk": output_request.pk})
    )
    page = response.content.decode()
    assert output_file.group.name in page
    assert "regions.csv" in page
    assert reverse("outputs:file_download", kwargs={"file_pk": output_file.pk}) in page


def test_proposal_detail_links_active_project_output_requests(client):
    project = proposal_at(Proposal.State.ACTIVE)
    response = _login(client, project.coordinator).get(
        reverse("projects:proposal_detail", kwargs={"pk": project.pk})
    )
    assert reverse("outputs:output_request_list", kwargs={"project_pk": project.pk}) in (
        response.content.decode()
    )


def test_proposal_detail_no_output_requests_link_for_secretariat(client):
    project = proposal_at(Proposal.State.ACTIVE)
    secretariat = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    response = _login(client, secretariat).get(
        reverse("projects:proposal_detail", kwargs={"pk": project.pk})
    )
    assert response.status_code == 200
    assert "Output requests" not in response.content.decode()


def request_sent(output_request):
    return output_request_submit(output_request=output_request, by=output_request.author)


def _request_with(groups, files_per_group):
    output_file = OutputFileFactory()
    output_request = output_file.group.request
    for g in range(groups):
        group = FileGroupFactory(request=output_request)
        for f in range(files_per_group):
            OutputFileFactory(group=group, content=SMALL_TABLE_CSV + f"G{g}F{f},11\n".encode())
    return output_request


@pytest.mark.parametrize("user_kind", ["author", "checker"])
def test_request_detail_page_query_count_fixed(client, user_kind):
    small = _request_with(1, 1)
    large = _request_with(6, 5)
    checker = UserFactory(roles=[Role.OUTPUT_CHECKER], totp=True)
    request_sent(small)
    request_sent(large)
    counts = []
    for output_request in (small, large):
        user = output_request.author if user_kind == "author" else checker
        client.force_login(user)
        url = reverse("outputs:output_request_detail", kwargs={"pk": output_request.pk})
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 25


def test_request_detail_page_shows_public_comments_not_private(client):
    from outputs.models import GroupComment, Review

    output_file = OutputFileFactory()
    group = output_file.group
    output_request = group.request
    checker = UserFactory(roles=[Role.OUTPUT_CHECKER], totp=True)
    review = Review.objects.create(
        request=output_request, checker=checker, submitted_at=output_request.created_at
    )
    GroupComment.objects.create(
        review=review,
        author=review.checker,
        round=review.round,
        group=group,
        text="Round cell 3.",
        public=True,
    )
    GroupComment.objects.create(
        review=review,
        author=review.checker,
        round=review.round,
        group=group,
        text="Between us.",
        public=False,
    )
    page = (
        _login(client, output_request.author)
        .get(reverse("outputs:output_request_detail", kwargs={"pk": output_request.pk}))
        .content.decode()
    )
    assert "Round cell 3." in page
    assert "Between us." not in page
