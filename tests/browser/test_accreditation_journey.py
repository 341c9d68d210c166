"""A researcher becomes accredited, from an empty profile to the public register, in Chromium.

The secretariat returns the first application with a comment, and approves it once fixed. No
Celery worker runs beside the live server, so the test renders and signs the declaration itself,
as the worker would, with the service the worker calls.
"""

import re
from pathlib import Path

import pytest
import weasyprint
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from accreditation.models import Accreditation, AccreditationApplication
from identity.roles import Role
from researchers.declaration_services import (
    declaration_render_and_sign,
    declaration_version_publish,
)
from researchers.declarations import Declaration, DeclarationVersion
from researchers.profile_services import organisation_create
from tests.browser.sessions import session_cookie
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ORGANISATION = "University of Leeds"


def small_pdf(text):
    """A real, small PDF, as a certificate a researcher would upload."""
    return weasyprint.HTML(string=f"<h1>{text}</h1>").write_pdf()


def pdf_upload(name, text):
    return {"name": name, "mimeType": "application/pdf", "buffer": small_pdf(text)}


def become(page, cookie):
    """Carry on in the browser as whoever ``cookie`` signs in (nobody when None)."""
    page.context.clear_cookies()
    if cookie:
        page.context.add_cookies([cookie])


def visit(page, url):
    page.goto(url)
    page.check_accessibility()


def click_and_check(page, locator):
    locator.click()
    page.wait_for_load_state("load")
    page.check_accessibility()


def flip_a_byte_inside_the_page(pdf):
    # A byte of the first content stream: covered by the signature, and not one the parser
    # needs to find its way through the file.
    altered = bytearray(pdf)
    altered[pdf.index(b"stream\n") + len(b"stream\n") + 10] ^= 0x01
    return bytes(altered)


@pytest.fixture
def setting_up(db):
    secretariat = UserFactory(full_name="Helen Ashworth", roles=[Role.SECRETARIAT], totp=True)
    organisation_create(name=ORGANISATION, by=secretariat)
    if DeclarationVersion.objects.current() is None:
        # Transactional tests empty every table, the data migration's first version included.
        declaration_version_publish(
            text="I will keep unpublished data confidential. Disclosing it without lawful "
            "authority is a criminal offence.",
            by=secretariat,
        )
    researcher = UserFactory(full_name="Ada Lovelace", roles=[Role.RESEARCHER])
    return researcher, secretariat


def test_researcher_is_accredited_appears_on_the_register_and_their_declaration_verifies(
    checked_page, live_server, setting_up
):
    page = checked_page
    url = live_server.url
    researcher, secretariat = setting_up

    # The researcher signs in.
    visit(page, f"{url}/accounts/login/")
    page.fill("#id_login", researcher.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/dashboard/")
    page.check_accessibility()
    researcher_cookie = next(
        c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME
    )

    # Their details.
    visit(page, f"{url}/profile/edit/")
    page.get_by_label("Organisation", exact=True).select_option(label=ORGANISATION)
    page.get_by_label("Job title").fill("Research fellow")
    page.get_by_label("Work email address").fill("ada.lovelace@leeds.example.ac.uk")
    click_and_check(page, page.get_by_role("button", name="Save"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")

    # A quantitative degree, with its certificate.
    visit(page, f"{url}/profile/qualifications/add/")
    page.get_by_label("A degree").check()
    click_and_check(page, page.get_by_role("button", name="Continue"))
    page.get_by_label("Bachelor's degree").check()
    page.get_by_label("Subject").fill("Mathematics")
    page.get_by_label("University or awarding body").fill("University of London")
    page.get_by_label("Upper second (2:1)").check()
    page.get_by_role("group", name=re.compile("substantial quantitative")).get_by_label(
        "Yes"
    ).check()
    page.get_by_label("Upload your degree certificate or transcript").set_input_files(
        pdf_upload("degree.pdf", "BSc Mathematics, upper second")
    )
    click_and_check(page, page.get_by_role("button", name="Save"))
    expect(page.get_by_text("Mathematics").first).to_be_visible()

    # Safe Researcher Training, with its certificate.
    passed = timezone.localdate()
    visit(page, f"{url}/profile/training/add/")
    page.get_by_label("Course name").fill("Safe Researcher Training")
    page.get_by_label("Day").fill(str(passed.day))
    page.get_by_label("Month").fill(str(passed.month))
    page.get_by_label("Year").fill(str(passed.year))
    page.get_by_label("Upload your certificate").set_input_files(
        pdf_upload("training.pdf", "Safe Researcher Training: passed")
    )
    click_and_check(page, page.get_by_role("button", name="Save"))
    expect(page.get_by_text("Safe Researcher Training").first).to_be_visible()

    # The confidentiality declaration.
    visit(page, f"{url}/declaration/")
    page.get_by_label("Your full name").fill("Ada Lovelace")
    page.get_by_label("I have read this declaration and I agree to keep to it").check()
    page.get_by_label("Your password").fill(DEFAULT_PASSWORD)
    click_and_check(page, page.get_by_role("button", name="Sign the declaration"))
    # What the worker would do next; the page shows the signed copy by itself once it is ready.
    declaration_render_and_sign(declaration=Declaration.objects.get(user=researcher))
    expect(page.get_by_text("Your reference is")).to_be_visible(timeout=10_000)

    # The application.
    visit(page, f"{url}/accreditation/")
    click_and_check(page, page.get_by_role("link", name="Apply for accreditation"))
    click_and_check(page, page.get_by_role("button", name="Start application"))
    click_and_check(page, page.get_by_role("link", name="Change your answers"))
    page.get_by_label(re.compile("^Full accreditation")).check()
    page.get_by_label(re.compile("appearing on the public register")).check()
    page.get_by_label("I commit to publishing the results of my research").check()
    click_and_check(page, page.get_by_role("button", name="Save"))
    click_and_check(page, page.get_by_role("button", name="Submit application"))
    expect(page.locator("#application-state")).to_contain_text("Submitted")
    application = AccreditationApplication.objects.get(applicant=researcher)

    # The secretariat returns it with a comment.
    become(page, session_cookie(secretariat, live_server))
    visit(page, f"{url}/accreditation/applications/")
    click_and_check(page, page.get_by_role("link", name=re.compile("Ada Lovelace")))
    page.get_by_label("What the applicant needs to change").fill(
        "Please give your ORCID iD, so we can match your publications."
    )
    click_and_check(page, page.get_by_role("button", name="Return application"))
    expect(page.locator("#application-state")).to_contain_text("Returned")

    # The researcher reads it, fixes the profile and sends the application again.
    become(page, researcher_cookie)
    visit(page, f"{url}/accreditation/")
    expect(page.locator("#return-comments")).to_contain_text("ORCID iD")
    visit(page, f"{url}/profile/edit/")
    page.get_by_label("ORCID iD (optional)").fill("0000-0002-1825-0097")
    click_and_check(page, page.get_by_role("button", name="Save"))
    visit(page, f"{url}/accreditation/")
    click_and_check(page, page.get_by_role("button", name="Submit application"))
    expect(page.locator("#application-state")).to_contain_text("Submitted")

    # The secretariat screens and approves it.
    become(page, session_cookie(secretariat, live_server))
    visit(page, f"{url}/accreditation/applications/{application.pk}/")
    for checkbox in (
        page.get_by_role("group", name="Screening checks").get_by_role("checkbox").all()
    ):
        checkbox.check()
    click_and_check(page, page.get_by_role("button", name="Save checks"))
    page.get_by_role("group", name="Level of accreditation").get_by_label(
        "Full", exact=True
    ).check()
    click_and_check(page, page.get_by_role("button", name="Approve application"))
    expect(page.locator("#application-state")).to_contain_text("Approved")
    accreditation = Accreditation.objects.get(researcher=researcher)
    assert accreditation.state == Accreditation.State.ACTIVE

    # Anyone sees the researcher on the register.
    become(page, None)
    visit(page, f"{url}/register/researchers/")
    page.get_by_label("Name", exact=True).fill("Lovelace")
    click_and_check(page, page.get_by_role("button", name="Search"))
    row = page.get_by_role("row", name=re.compile("Ada Lovelace"))
    expect(row).to_contain_text(ORGANISATION)
    expect(row).to_contain_text("Full")
    expect(row).to_contain_text(f"{accreditation.valid_until:%-d %B %Y}")

    # The researcher downloads the signed declaration.
    become(page, researcher_cookie)
    visit(page, f"{url}/declaration/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Download PDF")).click()
    signed = Path(download_info.value.path()).read_bytes()
    assert signed.startswith(b"%PDF-")

    # The public verification page accepts it, and refuses a copy with one byte changed.
    become(page, None)
    visit(page, f"{url}/verify/")
    page.get_by_label("Upload a signed declaration").set_input_files(
        {"name": "declaration.pdf", "mimeType": "application/pdf", "buffer": signed}
    )
    click_and_check(page, page.get_by_role("button", name="Check the file"))
    expect(page.get_by_role("heading", name="This declaration is genuine")).to_be_visible()
    expect(page.locator(".govuk-panel")).to_contain_text("Signed by Ada Lovelace")

    page.get_by_label("Upload a signed declaration").set_input_files(
        {
            "name": "declaration.pdf",
            "mimeType": "application/pdf",
            "buffer": flip_a_byte_inside_the_page(signed),
        }
    )
    click_and_check(page, page.get_by_role("button", name="Check the file"))
    expect(
        page.get_by_role("heading", name="This declaration could not be confirmed")
    ).to_be_visible()
