"""A researcher asks for outputs from an active project: a table with a small cell and an ACRO
output folder. The automated checks flag the cell; the first checker asks for changes; the
researcher replaces the table; both checkers approve every file; one releases them; and the
researcher downloads the zip and records where the table was published. In Chromium, each
person on their own pages.

People sign in by a session cookie made for them, as in the project journey. The automated
checks run in the test itself, since no worker runs beside the live server. Every page is
checked with axe.
"""

import hashlib
import io
import zipfile

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from identity.roles import Role
from outputs.check.selectors import files_awaiting_checks
from outputs.check.services import file_checks_run
from outputs.models import OutputFile, OutputRequest, Publication
from projects.models import Proposal
from tests.browser.sessions import session_cookie
from tests.factories import UserFactory
from tests.outputs.acro_zips import acro_zip
from tests.projects.states import proposal_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Tables for the regional earnings paper"
GROUP = "Chapter one tables"
SMALL_CELL_TABLE = b"region,count\nNorth,25\nSouth,31\nEast,18\nWest,4\n"
TABLE = b"region,count\nNorth,25\nSouth,31\nEast,18\nWest and Wales,16\n"
CHANGES = "Merge the West row with a neighbour: it holds 4 people."
CITATION = "Okafor A. (2026) Regional pay and health. Journal of Regional Studies 12(3)."
URL = "https://www.example.org/regional-pay"


@pytest.fixture
def people(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    coordinator = UserFactory(full_name="Amara Okafor", roles=[Role.RESEARCHER])
    project = proposal_at(
        Proposal.State.ACTIVE, coordinator=coordinator, title="Regional pay and health"
    )
    checkers = [
        UserFactory(full_name=name, roles=[Role.OUTPUT_CHECKER], totp=True)
        for name in ("Siobhan Kelly", "Daniel Mensah")
    ]
    return {"project": project, "researcher": coordinator, "checkers": checkers}


def test_output_request_is_checked_released_downloaded_and_published(
    checked_page, live_server, people, tmp_path
):
    page = checked_page
    project = people["project"]

    def become(user):
        page.context.clear_cookies()
        page.context.add_cookies([session_cookie(user, live_server)])

    def visit(path):
        page.goto(live_server.url + path)
        page.check_accessibility()

    def follow(role, name):
        page.follow(page.get_by_role(role, name=name, exact=True).first)
        page.check_accessibility()

    def checks_run():
        for output_file in files_awaiting_checks(OutputRequest.objects.get(title=TITLE)):
            file_checks_run(file=output_file)

    # The researcher starts a request, describes a group, uploads a table with a small cell
    # and the folder ACRO wrote.
    become(people["researcher"])
    visit(reverse("outputs:output_request_list", kwargs={"project_pk": project.pk}))
    follow("link", "Start an output request")
    page.get_by_label("Short description").fill(TITLE)
    follow("button", "Save")
    output_request = OutputRequest.objects.get(title=TITLE)
    follow("link", "Add a group of files")
    page.get_by_label("Group name").fill(GROUP)
    page.get_by_label("Context").fill("Counts of workers by region, 2020 to 2024.")
    page.get_by_label("Disclosure controls applied").fill("Every cell holds at least 10 people.")
    follow("button", "Save")
    follow("link", f"Add a file to {GROUP}")
    page.get_by_label("Frequency table").check()
    table = tmp_path / "regions.csv"
    table.write_bytes(SMALL_CELL_TABLE)
    page.get_by_label("File", exact=True).set_input_files(table)
    follow("button", "Upload")
    follow("link", f"Add an ACRO output folder to {GROUP}")
    acro_folder = tmp_path / "acro-outputs.zip"
    acro_folder.write_bytes(acro_zip("1.0.0").getvalue())
    page.get_by_label("Upload an ACRO output folder").set_input_files(acro_folder)
    follow("button", "Upload")
    expect(page.locator("body")).to_contain_text("2 files from the ACRO folder were added")
    checks_run()

    # The checks flag the small cell, and the researcher sees it before sending the request.
    follow("link", "Automated check results for regions.csv")
    expect(page.locator(".app-flagged-cell")).to_have_count(1)
    expect(page.locator(".app-flagged-cell")).to_contain_text("4")
    visit(reverse("outputs:output_request_detail", kwargs={"pk": output_request.pk}))
    follow("link", "Check and submit")
    follow("button", "Submit")
    output_request.refresh_from_db()
    assert output_request.state == OutputRequest.State.SUBMITTED

    def review(checker, *, table_vote, comment_to_researcher=None):
        become(checker)
        visit(reverse("outputs:queue"))
        follow("link", str(output_request))
        # One form for the group: a vote on each file and the comment, saved at once.
        for output_file in OutputFile.objects.filter(
            group__request=output_request, replaced_at=None
        ).order_by("pk"):
            card = page.locator(f"#file-{output_file.pk}")
            vote = table_vote if output_file.name == "regions.csv" else "Approve"
            card.get_by_role("radio", name=vote).check()
            field = f"id_group-{output_file.group_id}-comment_{output_file.pk}"
            hint = card.locator(f"#{field}_helptext").inner_text()
            if vote == "Approve" and "Needed to approve" in hint:
                # The checks did not pass this file: approving it needs the checker's record of
                # what they checked and why it is safe.
                card.locator(f"#{field}").fill("Exception granted: a published national figure.")
        if comment_to_researcher:
            page.get_by_label(f"Comment on {GROUP}").fill(comment_to_researcher)
            page.get_by_label("Show this comment to the researcher").check()
        follow("button", f"Save votes and comments on {GROUP}")
        expect(page.locator("body")).to_contain_text(f"Your votes and comments on {GROUP}")
        follow("button", "Submit review")

    # The first checker sees the flagged cell and asks for changes to the table; the second
    # approves; the second then returns the request with the first checker's public comment.
    first, second = people["checkers"]
    become(first)
    visit(reverse("outputs:queue"))
    follow("link", str(output_request))
    follow("link", "See the table with flagged cells of regions.csv")
    expect(page.locator(".app-flagged-cell").first).to_be_visible()
    review(first, table_vote="Request changes", comment_to_researcher=CHANGES)
    review(second, table_vote="Approve")
    output_request.refresh_from_db()
    assert output_request.state == OutputRequest.State.REVIEWED
    follow("button", "Return for changes")
    output_request.refresh_from_db()
    assert output_request.state == OutputRequest.State.RETURNED

    # The researcher reads the comment, replaces the table and sends the request again.
    become(people["researcher"])
    visit(reverse("outputs:output_request_detail", kwargs={"pk": output_request.pk}))
    expect(page.locator("body")).to_contain_text(CHANGES)
    follow("link", "Replace regions.csv")
    table.write_bytes(TABLE)
    page.get_by_label("New version of the file").set_input_files(table)
    follow("button", "Upload")
    checks_run()
    follow("link", "Check and submit")
    follow("button", "Submit")
    output_request.refresh_from_db()
    assert output_request.state == OutputRequest.State.SUBMITTED

    # Both checkers approve every file; the second approves the request and releases it.
    for checker in people["checkers"]:
        review(checker, table_vote="Approve")
    output_request.refresh_from_db()
    assert output_request.state == OutputRequest.State.REVIEWED
    follow("button", "Approve")
    output_request.refresh_from_db()
    assert output_request.state == OutputRequest.State.APPROVED
    follow("link", "Release")
    follow("button", "Release outputs")
    output_request.refresh_from_db()
    assert output_request.state == OutputRequest.State.RELEASED

    # The researcher downloads the zip; its manifest lists the table's SHA-256.
    become(people["researcher"])
    visit(reverse("outputs:output_request_detail", kwargs={"pk": output_request.pk}))
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the released outputs (zip)").click()
    with zipfile.ZipFile(io.BytesIO(download_info.value.path().read_bytes())) as archive:
        manifest = archive.read("MANIFEST.txt").decode()
        signed_record = archive.read("release-record.jws")
    assert hashlib.sha256(TABLE).hexdigest() in manifest

    # The zip's signed release record checks out on the public page the request links to.
    follow("link", "Check a release record")
    record_file = tmp_path / "release-record.jws"
    record_file.write_bytes(signed_record)
    page.get_by_label("Upload the release record").set_input_files(record_file)
    follow("button", "Check the record")
    expect(page.locator("h2.govuk-panel__title")).to_have_text("This release record is genuine")
    expect(page.locator("body")).to_contain_text(hashlib.sha256(TABLE).hexdigest())
    visit(reverse("outputs:output_request_detail", kwargs={"pk": output_request.pk}))

    # Then records where the table was published.
    follow("link", "All released outputs of this project")
    follow("link", "Record publication of regions.csv")
    page.get_by_label("Citation").fill(CITATION)
    page.get_by_label("Web address (optional if you give a DOI)").fill(URL)
    follow("button", "Save")
    publication = Publication.objects.get(file__group__request=output_request)
    assert publication.citation == CITATION
    assert publication.url == URL
    expect(page.locator("body")).to_contain_text(URL)
