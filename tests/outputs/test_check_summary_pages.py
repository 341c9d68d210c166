"""What the automated checks say of a file is one truth on every page: the request, the submit
page's warning, the checkers' review and the file's check results never disagree."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from outputs.check import checks as checks
from outputs.check.services import acro_import, file_checks_run
from outputs.models import FileGroup, OutputFile, OutputType
from outputs.request.services import file_add, output_request_submit
from tests.outputs.acro_zips import acro_zip, results
from tests.outputs.factories import SMALL_TABLE_CSV, OutputRequestFactory, upload
from tests.outputs.states import checker
from tests.projects.factories import accredit

pytestmark = pytest.mark.django_db

# Every count at least 10: the threshold check passes it.
SAFE_TABLE = b",men,women\nNorth,12,14\nSouth,25,30\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _group():
    output_request = OutputRequestFactory()
    accredit(output_request.author)
    return FileGroup.objects.create(
        request=output_request,
        name="Tables",
        context="Tables for the paper.",
        disclosure_controls="Cells under 10 suppressed.",
    )


def _acro(group, buffer):
    """Bring in an ACRO folder and run the automated checks, as the worker would."""
    zip_file = SimpleUploadedFile("outputs.zip", buffer.getvalue())
    imported = acro_import(
        request=group.request, group=group, zip_file=zip_file, by=group.request.author
    )
    for output_file in imported.files:
        file_checks_run(file=output_file)
    return imported.files


def _passing_table(group, name="passing.csv"):
    output_file = file_add(
        group=group,
        by=group.request.author,
        upload_file=upload(SMALL_TABLE_CSV, name),
        output_type=OutputType.FREQUENCY_TABLE,
    )
    file_checks_run(file=output_file)
    return output_file


def _get(client, user, name, **kwargs):
    client.force_login(user)
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    return response.content.decode()


def _warning(page):
    start = page.index('id="checks-warning"')
    return page[start : page.index("</dl>", start)]


def test_submit_page_warns_of_each_file_that_failed_or_needs_checking_by_eye_with_its_reason(
    client,
):
    group = _group()
    failed, by_eye = _acro(group, acro_zip("1.0.0"))
    _passing_table(group)

    page = _get(client, group.request.author, "outputs:output_request_submit", pk=group.request.pk)

    warning = _warning(page)
    assert "govuk-warning-text" in page
    assert "2 files failed the automated checks or need checking by eye" in warning
    assert failed.name in warning and "Automated checks failed" in warning
    assert "1 count is below 10 or zero in the table." in warning
    assert "ACRO failed this output." in warning
    assert by_eye.name in warning and "Needs checking by eye" in warning
    assert "residual degrees of freedom were not given" in warning
    assert "passing.csv" not in warning
    assert reverse("outputs:file_remove", kwargs={"file_pk": failed.pk}) in warning


def test_submit_page_gives_no_warning_when_every_file_passed(client):
    group = _group()
    _passing_table(group)

    page = _get(client, group.request.author, "outputs:output_request_submit", pk=group.request.pk)

    assert "Automated checks passed" in page
    assert "checks-warning" not in page
    assert "govuk-warning-text" not in page


def test_a_table_acro_marked_for_review_never_says_passed_on_any_page(client):
    group = _group()
    data = results(files={"output_0_0.csv": SAFE_TABLE, "output_1_0.csv": b",coef\nage,0.3\n"})
    data["results"]["output_0"]["status"] = "review"
    data["results"]["output_0"]["outcome"] = {}
    table, _ = _acro(
        group,
        acro_zip(
            files={"output_0_0.csv": SAFE_TABLE, "output_1_0.csv": b",coef\nage,0.3\n"}, data=data
        ),
    )
    assert table.checks.get(check_name="threshold").outcome == checks.PASS
    author = group.request.author

    pages = {
        "request": _get(client, author, "outputs:output_request_detail", pk=group.request.pk),
        "submit": _get(client, author, "outputs:output_request_submit", pk=group.request.pk),
        "checks": _get(client, author, "outputs:file_checks", file_pk=table.pk),
    }
    assert "ACRO asks for this output to be checked by eye." in _warning(pages["submit"])
    output_request_submit(output_request=group.request, by=author)
    pages["review"] = _get(client, checker(), "outputs:review", pk=group.request.pk)

    for name, page in pages.items():
        assert "Needs checking by eye" in page, name
        assert "Automated checks passed" not in page, name


def test_review_and_checks_pages_count_a_cell_flagged_by_acro_and_the_threshold_once(client):
    group = _group()
    failed, _ = _acro(group, acro_zip("1.0.0"))
    acro_result = failed.checks.get(check_name="acro")
    threshold_result = failed.checks.get(check_name="threshold")
    # Both checks flag the one small cell.
    assert len(acro_result.flagged_cells) == len(threshold_result.flagged_cells) == 1
    author = group.request.author

    checks_page = _get(client, author, "outputs:file_checks", file_pk=failed.pk)
    output_request_submit(output_request=group.request, by=author)
    review_page = _get(client, checker(), "outputs:review", pk=group.request.pk)

    assert "1 flagged cell in this table." in checks_page
    assert "1 flagged cell." in review_page
    assert "2 flagged cells" not in review_page + checks_page


def test_review_and_checks_pages_count_every_flagged_cell_not_only_those_kept(client, monkeypatch):
    monkeypatch.setattr(checks, "MAX_FLAGGED_KEPT", 2)
    group = _group()
    table = file_add(
        group=group,
        by=group.request.author,
        upload_file=upload(b"region,n\nA,1\nB,2\nC,3\nD,4\nE,5\n", "small.csv"),
        output_type=OutputType.FREQUENCY_TABLE,
    )
    file_checks_run(file=table)
    assert len(table.checks.get().flagged_cells) == 2
    author = group.request.author

    checks_page = _get(client, author, "outputs:file_checks", file_pk=table.pk)
    output_request_submit(output_request=group.request, by=author)
    review_page = _get(client, checker(), "outputs:review", pk=group.request.pk)

    assert "5 counts are below 10" in checks_page
    assert "5 flagged cells in this table." in checks_page
    assert "5 flagged cells." in review_page


def test_acro_result_stored_with_what_acro_asked_for_in_words():
    group = _group()
    data = results()
    data["results"]["output_1"]["status"] = "review"
    _, regression = _acro(group, acro_zip(data=data))
    assert regression.checks.get(check_name="acro").message == (
        "ACRO asks for this output to be checked by eye."
    )
    assert OutputFile.objects.filter(acro_status="review").get() == regression


def _draft_with(groups, files_per_group, *, failed):
    """A draft of ``groups`` groups of tables, every other one failing the checks if
    ``failed``."""
    first = _group()
    output_request = first.request
    for g in range(groups):
        group = (
            first
            if g == 0
            else FileGroup.objects.create(
                request=output_request, name=f"Group {g}", context="c", disclosure_controls="d"
            )
        )
        for f in range(files_per_group):
            small = failed and (g + f) % 2 == 0
            content = SMALL_TABLE_CSV + f"G{g}F{f},{4 if small else 11}\n".encode()
            output_file = file_add(
                group=group,
                by=output_request.author,
                upload_file=upload(content, f"table-{g}-{f}.csv"),
                output_type=OutputType.FREQUENCY_TABLE,
            )
            file_checks_run(file=output_file)
    return output_request


@pytest.mark.parametrize(
    "url_name", ["outputs:output_request_submit", "outputs:output_request_detail"]
)
@pytest.mark.parametrize(("groups", "files_per_group"), [(1, 1), (5, 4)])
def test_submit_and_request_pages_queries_do_not_grow_with_files(
    client, django_assert_max_num_queries, url_name, groups, files_per_group
):
    output_request = _draft_with(groups, files_per_group, failed=True)
    client.force_login(output_request.author)
    with django_assert_max_num_queries(14):
        response = client.get(reverse(url_name, kwargs={"pk": output_request.pk}))
    assert response.status_code == 200


@pytest.mark.parametrize("cells", [1, 400])
def test_file_checks_page_queries_do_not_grow_with_flagged_cells(
    client, django_assert_max_num_queries, cells
):
    group = _group()
    rows = "".join(f"R{n},{n % 9}\n" for n in range(cells))
    output_file = file_add(
        group=group,
        by=group.request.author,
        upload_file=upload(f"region,n\n{rows}".encode(), "small.csv"),
        output_type=OutputType.FREQUENCY_TABLE,
    )
    file_checks_run(file=output_file)
    client.force_login(group.request.author)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("outputs:file_checks", kwargs={"file_pk": output_file.pk}))
    assert f"{cells} flagged cell" in response.content.decode()
