"""Steps that cannot be undone ask first, on a page saying what will happen, and only then are
taken: an output checker rejecting a request, the secretariat recording a panel's rejection. In
Chromium, with axe on every page."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from outputs.models import OutputRequest
from projects.models import Proposal
from tests.browser.sessions import session_cookie
from tests.outputs.states import reviewed_request
from tests.projects.states import panel_ready, secretariat_new

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_as(page, live_server, user, path):
    page.context.clear_cookies()
    page.context.add_cookies([session_cookie(user, live_server)])
    page.goto(live_server.url + path)
    page.check_accessibility()


def click(page, role, name):
    page.follow(page.get_by_role(role, name=name, exact=True))
    page.check_accessibility()


def test_output_checker_rejecting_a_request_confirms_first(checked_page, live_server):
    page = checked_page
    output_request, checker, _ = reviewed_request(title="Tables for the paper")
    open_as(page, live_server, checker, reverse("outputs:review", kwargs={"pk": output_request.pk}))

    page.get_by_label("Why is the request rejected?").fill("Table 2 holds cells under 10.")
    click(page, "button", "Reject")

    expect(page.locator("h1")).to_have_text("Reject “Tables for the paper”?")
    expect(page.locator("main")).to_contain_text("This cannot be undone.")
    expect(page.locator("main")).to_contain_text("is told your reasons: Table 2 holds cells")
    output_request.refresh_from_db()
    assert output_request.state == OutputRequest.State.REVIEWED

    click(page, "button", "Yes, reject the request")

    expect(page.locator("body")).to_contain_text("The request has been rejected.")
    output_request.refresh_from_db()
    assert output_request.state == OutputRequest.State.REJECTED


def test_secretariat_rejecting_a_proposal_can_cancel_then_confirms(checked_page, live_server):
    page = checked_page
    secretariat = secretariat_new()
    proposal, _ = panel_ready(by=secretariat)
    panel = reverse("projects:panel", kwargs={"pk": proposal.pk})
    open_as(page, live_server, secretariat, panel)

    def reject():
        page.get_by_label("Reject", exact=True).check()
        page.get_by_label("Rationale").fill("The public benefit is not shown.")
        click(page, "button", "Record decision")
        expect(page.locator("main")).to_contain_text("This cannot be undone.")

    reject()
    click(page, "link", "Cancel")
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.PANEL_REVIEW

    reject()
    click(page, "button", "Yes, reject the proposal")

    expect(page.locator("body")).to_contain_text("The panel's decision has been recorded: rejected")
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.REJECTED
