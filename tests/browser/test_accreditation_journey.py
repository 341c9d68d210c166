"""A researcher becomes accredited, from an empty profile to the public register, in Chromium.

In the first journey the secretariat returns the application with a comment, and approves it once
fixed. In the second a newcomer signs up on the start page and gets all the way to the register
by following only the links and buttons the pages show, as a person would. No Celery worker runs
beside the live server, so the tests render and sign the declaration themselves, as the worker
would, with the service the worker calls.
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
from researchers.declaration.models import Declaration, DeclarationVersion
from researchers.declaration.services import (
    declaration_render_and_sign,
    declaration_version_publish,
)
from researchers.models import User
from researchers.profile.services import organisation_create
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
    page.follow(locator)
    page.check_accessibility()


def flip_a_byte_inside_the_page(pdf):
    # A byte of the first content stream: covered by the signature, and not one the parser
    # needs to find its way through the file.
    altered = bytearray(pdf)
    altered[pdf.index(b"stream\n") + len(b"stream\n") + 10] ^= 0x01
    return bytes(altered)


@pytest.fixture
def scheme(db):
    """The secretariat, with two factors; an approved organisation; a declaration to sign."""
    secretariat = UserFactory(full_name="Helen Ashworth", roles=[Role.SECRETARIAT], totp=True)
    organisation_create(name=ORGANISATION, by=secretariat)
    if DeclarationVersion.objects.current() is None:
        # Transactional tests empty every table, the data migration's first version included.
        declaration_version_publish(
            text="I will keep unpublished data confidential. Disclosing it without lawful "
            "authority is a criminal offence.",
            by=secretariat,
        )
    return secretariat


@pytest.fixture
def setting_up(scheme):
    researcher = UserFactory(full_name="Ada Lovelace", roles=[Role.RESEARCHER])
    return researcher, scheme


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


def click(page, name, *, role="link", within=None):
    """Follow the link (or press the button) the page shows by this name, and check where it
    leads."""
    click_and_check(page, (within or page).get_by_role(role, name=name, exact=True))


def test_new_researcher_signs_up_and_is_accredited_only_by_following_what_the_pages_show(
    checked_page, live_server, scheme, mailoutbox
):
    """From the start page, with no account, to the public register: every step is a link or
    a button a page shows. The browser is told an address only twice: the start page, and the
    link in the email that confirms the researcher's address."""
    page = checked_page
    secretariat = scheme
    email = "ada.lovelace@example.ac.uk"
    password = "an analytical engine 1843"

    # Signing up, from the start page.
    visit(page, f"{live_server.url}/")
    click(page, "Start now", role="button")
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password (again)").fill(password)
    click(page, "Create account", role="button")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    # The link in the email confirms the address.
    (message,) = mailoutbox
    assert message.to == [email]
    visit(page, re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0))
    click(page, "Confirm", role="button")

    # Signing in.
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    click(page, "Sign in", role="button")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your dashboard")
    expect(page.locator("#accreditation-standing")).to_contain_text(
        "You have not applied for accreditation yet"
    )
    researcher_cookie = next(
        c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME
    )

    # Their details, from their home.
    click(page, "See or change your profile")
    click(page, "Change organisation")
    page.get_by_label("Organisation", exact=True).select_option(label=ORGANISATION)
    page.get_by_label("Job title").fill("Research fellow")
    page.get_by_label("Work email address").fill("ada.lovelace@leeds.example.ac.uk")
    click(page, "Save", role="button")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")

    # A quantitative degree, with its certificate.
    click(page, "Add a qualification or experience")
    page.get_by_label("A degree").check()
    click(page, "Continue", role="button")
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
    click(page, "Save", role="button")
    expect(page.get_by_text("Download degree.pdf")).to_be_visible()

    # Safe Researcher Training, with its certificate.
    passed = timezone.localdate()
    click(page, "Add training")
    page.get_by_label("Course name").fill("Safe Researcher Training")
    page.get_by_label("Day").fill(str(passed.day))
    page.get_by_label("Month").fill(str(passed.month))
    page.get_by_label("Year").fill(str(passed.year))
    page.get_by_label("Upload your certificate").set_input_files(
        pdf_upload("training.pdf", "Safe Researcher Training: passed")
    )
    click(page, "Save", role="button")
    expect(page.get_by_role("link", name=re.compile("^Download certificate"))).to_be_visible()

    # The confidentiality declaration, from their home.
    click(page, "Dashboard", within=page.get_by_role("navigation", name="Menu"))
    click(page, "Sign the confidentiality declaration")
    page.get_by_label("Your full name").fill("Ada Lovelace")
    page.get_by_label("I have read this declaration and I agree to keep to it").check()
    page.get_by_label("Your password").fill(password)
    click(page, "Sign the declaration", role="button")
    researcher = User.objects.get(email=email)
    # What the worker would do next; the page shows the signed copy by itself once it is ready.
    declaration_render_and_sign(declaration=Declaration.objects.get(user=researcher))
    expect(page.get_by_text("Your reference is")).to_be_visible(timeout=10_000)

    # The application, started and sent from their home; two factors are not asked for.
    click(page, "Dashboard", within=page.get_by_role("navigation", name="Menu"))
    click(page, "Apply for accreditation", role="button")
    click(page, "Start application", role="button")
    click(page, "Change your answers")
    page.get_by_label(re.compile("^Full accreditation")).check()
    page.get_by_label(re.compile("appearing on the public register")).check()
    page.get_by_label("I commit to publishing the results of my research").check()
    click(page, "Save", role="button")
    expect(page.locator("#application-tasks")).not_to_contain_text("Incomplete")
    click(page, "Submit application", role="button")
    expect(page.locator("#application-state")).to_contain_text("Submitted")
    assert not researcher.authenticator_set.exists()

    # The secretariat screens and approves it, from their home.
    become(page, session_cookie(secretariat, live_server))
    visit(page, f"{live_server.url}/")
    click(page, "Go to your dashboard", role="button")
    click(page, "Ada Lovelace", within=page.locator("#queue-applications"))
    for checkbox in (
        page.get_by_role("group", name="Screening checks").get_by_role("checkbox").all()
    ):
        checkbox.check()
    click(page, "Save checks", role="button")
    page.get_by_role("group", name="Level of accreditation").get_by_label(
        "Full", exact=True
    ).check()
    click(page, "Approve application", role="button")
    expect(page.locator("#application-state")).to_contain_text("Approved")
    accreditation = Accreditation.objects.get(researcher=researcher)
    until = f"{accreditation.valid_until:%-d %B %Y}"

    # The researcher's home says they are accredited, and until when.
    become(page, researcher_cookie)
    visit(page, f"{live_server.url}/")
    click(page, "Go to your dashboard", role="button")
    expect(page.locator("#accreditation-standing")).to_contain_text(
        f"You hold full accreditation until {until}."
    )
    # Accredited without two factors: they are needed for project work, not for accreditation.
    expect(page.locator("#two-factor-status")).to_contain_text(
        "You have not set up two-factor authentication"
    )

    # They are on the public register.
    click(page, "Accredited researchers", within=page.get_by_role("navigation", name="Menu"))
    page.get_by_label("Name", exact=True).fill("Lovelace")
    click(page, "Search", role="button")
    row = page.get_by_role("row", name=re.compile("Ada Lovelace"))
    expect(row).to_contain_text(ORGANISATION)
    expect(row).to_contain_text("Full")
    expect(row).to_contain_text(until)
