"""A project is proposed, screened, consented to, reviewed, approved with conditions, activated
and published on the register, in Chromium, each person on their own pages.

People sign in by a session cookie made for them (signing in itself is walked through by the
accounts journey), so the journey stays with the project. Every page is checked with axe.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from identity.roles import Role
from legislation.access_modes import AccessMode
from projects.consent.services import representative_add
from projects.models import PanelDecision, Proposal, TeamMember
from tests.browser.sessions import session_cookie
from tests.factories import UserFactory
from tests.legislation.factories import ActFactory, DatasetFactory
from tests.projects.factories import accredit
from tests.researchers.profile_factories import OrganisationFactory, ResearcherProfileFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Regional pay and the health of workers"
DATASET = "Journey Earnings Returns"


@pytest.fixture
def people(db):
    secretariat = UserFactory(full_name="Helen Ashworth", roles=[Role.SECRETARIAT], totp=True)
    data_owner = UserFactory(full_name="Gareth Hughes", roles=[Role.DATA_OWNER], totp=True)
    act = ActFactory(title="Journey Returns Act 1999", slug="journey-returns-act")
    dataset = DatasetFactory(
        name=DATASET, consent_required=True, access_mode=AccessMode.SAFE_SETTING, acts=[act]
    )
    representative_add(user=data_owner, department=dataset.department, by=secretariat)
    # Both will see the data once the project starts, so both have a second factor.
    coordinator = UserFactory(full_name="Amara Okafor", roles=[Role.RESEARCHER], totp=True)
    teammate = UserFactory(full_name="Tomasz Nowak", roles=[Role.RESEARCHER], passkey=True)
    for user, organisation in (
        (coordinator, "University of Leeds"),
        (teammate, "Cardiff University"),
    ):
        ResearcherProfileFactory(user=user, organisation=OrganisationFactory(name=organisation))
        accredit(user)
    reviewers = [
        UserFactory(full_name=name, roles=[Role.PANEL_REVIEWER], totp=True)
        for name in ("Fiona MacLeod", "Rhys Pritchard", "Priya Raman")
    ]
    return {
        "secretariat": secretariat,
        "data_owner": data_owner,
        "coordinator": coordinator,
        "teammate": teammate,
        "reviewers": reviewers,
    }


def test_project_is_proposed_reviewed_approved_activated_and_registered(
    checked_page, live_server, people
):
    page = checked_page

    def become(user):
        page.context.clear_cookies()
        if user is not None:
            page.context.add_cookies([session_cookie(user, live_server)])

    def visit(path):
        page.goto(live_server.url + path)
        page.check_accessibility()

    def press(name):
        page.follow(page.get_by_role("button", name=name, exact=True))
        page.check_accessibility()

    def fill(name, value):
        page.locator(f'[name="{name}"]').fill(value)

    def tick(name, value):
        page.locator(f'input[name="{name}"][value="{value}"]').check()

    # The co-ordinator drafts the proposal, section by section, and invites a teammate.
    become(people["coordinator"])
    visit(reverse("projects:proposal_start"))
    page.get_by_label("Project title").fill(TITLE)
    press("Save")
    proposal = Proposal.objects.get(title=TITLE)

    def section(slug):
        visit(reverse("projects:proposal_section", kwargs={"pk": proposal.pk, "section": slug}))

    section("title")
    fill("lay_summary", "How pay differs between places, and what that means for health.")
    press("Save")
    section("purposes")
    tick("purposes", "policy_evidence")
    fill("purpose_explanation", "The findings will inform regional health policy.")
    press("Save")
    section("methods")
    fill("aims", "Describe how pay and health differ by region.")
    fill("methods", "Panel regression with regional fixed effects.")
    fill("software", "R 4.4")
    press("Save")
    section("dates")
    start = timezone.localdate()
    end = start + datetime.timedelta(days=365)
    for name, day in (("start_date", start), ("end_date", end)):
        fill(f"{name}_day", str(day.day))
        fill(f"{name}_month", str(day.month))
        fill(f"{name}_year", str(day.year))
    press("Save")
    section("datasets")
    option = page.locator('select[name="dataset"] option', has_text=DATASET)
    page.locator('select[name="dataset"]').select_option(value=option.get_attribute("value"))
    fill("variables", "Region, year, earnings, sickness absence")
    fill("open_data_reason", "Published tables do not link pay and health by region.")
    press("Save")
    section("ethics")
    for question in (
        "public_good",
        "confidentiality",
        "methods_quality",
        "legal_compliance",
        "public_views",
    ):
        tick(f"{question}_answer", "yes")
    press("Save")
    section("dpia")
    tick("dpia_needed", "no")
    press("Save")
    section("access")
    tick("access_mode", AccessMode.SAFE_SETTING)
    press("Save")
    section("outputs")
    fill("outputs_plan", "Regional tables and regression coefficients.")
    fill("publication_plan", "An open-access working paper.")
    press("Save")
    section("team")
    fill("email", people["teammate"].email)
    press("Send invitation")

    # The teammate accepts in the service.
    become(people["teammate"])
    invitation = TeamMember.objects.get(proposal=proposal, email=people["teammate"].email)
    visit(reverse("projects:team_invitation", kwargs={"token": invitation.token}))
    tick("answer", "accept")
    press("Continue")

    # The co-ordinator checks the answers and sends the proposal.
    become(people["coordinator"])
    visit(reverse("projects:proposal_check", kwargs={"pk": proposal.pk}))
    press("Accept and send")
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.SUBMITTED

    # The secretariat screens it and passes it on to the data owner.
    become(people["secretariat"])
    visit(reverse("projects:screen", kwargs={"pk": proposal.pk}))
    press("Start screening")
    # Each check shows what the proposal answers to it; the rest of the proposal, the return
    # comments and the fast track stay folded, so the page is short to work through.
    expect(page.locator("#answers-ethics")).to_contain_text("Public good")
    expect(page.locator("#answers-gateway")).to_contain_text("Journey Returns Act 1999")
    expect(page.locator("#whole-proposal")).not_to_have_attribute("open", "")
    # About 6,100 px on this proposal before the answers moved beside the checks; 4,200 after.
    assert page.evaluate("() => document.documentElement.scrollHeight") < 5000
    for box in page.locator('input[name="checks"]').all():
        box.check()
    press("Pass on")
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.DATA_OWNER_REVIEW

    # The data owner consents for their department's dataset.
    become(people["data_owner"])
    visit(reverse("projects:consent", kwargs={"pk": proposal.pk}))
    # One form per dataset, each with its own prefix.
    page.locator('input[name$="-answer"][value="give"]').check()
    press("Send answer")
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.PANEL_REVIEW

    # The secretariat assigns three reviewers, the first independent.
    become(people["secretariat"])
    panel_url = reverse("projects:panel", kwargs={"pk": proposal.pk})
    visit(panel_url)
    for number, reviewer in enumerate(people["reviewers"]):
        select = page.locator('select[name="assign-reviewer"]')
        option = select.locator("option", has_text=reviewer.full_name)
        select.select_option(value=option.get_attribute("value"))
        if number == 0:
            page.locator('input[name="assign-independent"]').check()
        press("Assign reviewer")

    # Each reviewer declares no conflict, then recommends approval with conditions.
    for reviewer in people["reviewers"]:
        become(reviewer)
        review_url = reverse("projects:review", kwargs={"pk": proposal.pk})
        visit(review_url)
        # Only the outline until the reviewer has declared no conflict.
        expect(page.locator("#proposal-outline")).to_contain_text("University of Leeds")
        expect(page.locator("#proposal-summary")).to_have_count(0)
        tick("conflict-conflict", "no")
        press("Continue")
        tick("recommend-recommendation", "approve_with_conditions")
        for score in (
            "score_public_benefit",
            "score_analytical_merit",
            "score_feasibility",
            "score_privacy_risk_mitigation",
            "score_ethics",
        ):
            tick(f"recommend-{score}", "4")
        fill("recommend-suggested_conditions", "Report results at regional level only.")
        press("Submit recommendation")

    # The secretariat records approval with conditions.
    become(people["secretariat"])
    visit(panel_url)
    tick("decide-outcome", "approve_with_conditions")
    fill("decide-rationale", "Clear public benefit; the panel agrees on the conditions.")
    fill("decide-conditions", "Report results at regional level only.")
    press("Record decision")
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.APPROVED_WITH_CONDITIONS
    assert proposal.decisions.get().route == PanelDecision.Route.PANEL

    # The co-ordinator activates the project on its start date.
    become(people["coordinator"])
    visit(reverse("projects:activate", kwargs={"pk": proposal.pk}))
    press("Activate project")
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.ACTIVE

    # Anyone can find it on the public register.
    become(None)
    visit(reverse("project_register:list"))
    page.get_by_label("Dataset").fill("journey earnings")
    press("Search")
    card = page.locator(".govuk-summary-card", has_text=TITLE)
    expect(card).to_contain_text("University of Leeds")
    expect(card).to_contain_text("Cardiff University")
    expect(card).to_contain_text("Journey Returns Act 1999")
    expect(card).to_contain_text("By the Research Accreditation Panel")
    expect(card).to_contain_text("Active")
