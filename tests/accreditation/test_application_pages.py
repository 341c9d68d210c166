"""The applicant's, supervisor's and secretariat's accreditation pages."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accreditation import services
from accreditation.models import Accreditation, AccreditationApplication, Level
from accreditation.views import APPLICATIONS_PER_PAGE
from audit.models import AuditEvent
from identity.roles import Role
from tests.accreditation.factories import (
    AccreditationApplicationFactory,
    AccreditationFactory,
    ApplicantFactory,
)
from tests.accreditation.states import (
    application_screened,
    application_submitted,
    provisional_application,
    supervisor_for,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

State = AccreditationApplication.State
DETAIL = reverse("accreditation:application_detail")
START = reverse("accreditation:application_start")
EDIT = reverse("accreditation:application_edit")
SUBMIT = reverse("accreditation:application_submit")
WITHDRAW = reverse("accreditation:application_withdraw")
RENEW = reverse("accreditation:application_renew")
QUEUE = reverse("accreditation:queue")


def screen_url(application):
    return reverse("accreditation:screen", kwargs={"pk": application.pk})


def test_application_start_page_starts_a_draft(client):
    user = UserFactory(roles=[Role.RESEARCHER])
    client.force_login(user)

    assert "Start application" in client.get(START).content.decode()
    response = client.post(START, follow=True)

    assert response.redirect_chain[-1][0] == DETAIL
    assert AccreditationApplication.objects.get(applicant=user).state == State.DRAFT


def test_application_start_page_of_a_suspended_researcher_says_why_and_offers_no_start(
    client, secretariat
):
    accreditation = AccreditationFactory()
    services.accreditation_suspend(accreditation=accreditation, reasons="Inquiry.", by=secretariat)
    client.force_login(accreditation.researcher)

    page = client.get(START).content.decode()

    assert "cannot apply for accreditation again while it is suspended" in page
    assert f'href="{DETAIL}">Read why it was suspended' in page
    assert "either reinstate your accreditation" in page
    assert "Start application" not in page
    refused = client.post(START)
    assert "govuk-error-summary" in refused.content.decode()
    assert not AccreditationApplication.objects.filter(
        applicant=accreditation.researcher, state=State.DRAFT
    ).exists()


def test_application_start_page_of_a_revoked_researcher_says_what_it_means_then_starts(
    client, secretariat
):
    accreditation = AccreditationFactory()
    services.accreditation_revoke(accreditation=accreditation, reasons="Breach.", by=secretariat)
    client.force_login(accreditation.researcher)

    page = client.get(START).content.decode()

    assert "Your accreditation was revoked." in page
    assert "A revoked accreditation cannot be reinstated." in page
    assert f'href="{DETAIL}">Read why it was revoked' in page
    assert "contact the secretariat" in page
    assert "a new application is decided knowing why your accreditation was revoked" in page
    assert "Start a new application" in page
    client.post(START)
    assert AccreditationApplication.objects.filter(
        applicant=accreditation.researcher, state=State.DRAFT
    ).exists()


def test_application_detail_task_list_links_to_where_each_thing_is_done(client):
    user = UserFactory(roles=[Role.RESEARCHER])
    client.force_login(user)
    client.post(START)

    page = client.get(DETAIL).content.decode()

    for name in (
        "researchers:profile",
        "researchers:training_add",
        "researchers:declaration",
        "accreditation:application_edit",
    ):
        assert f'href="{reverse(name)}"' in page
    assert "Sign the current version of the confidentiality declaration." in page
    assert page.count("Incomplete") == 6


def test_application_detail_task_list_completed_for_a_ready_applicant(client):
    application = AccreditationApplicationFactory()
    client.force_login(application.applicant)

    page = client.get(DETAIL).content.decode()

    assert page.count("Completed") == 6
    assert "Incomplete" not in page


def test_application_submit_page_shows_every_missing_rule_in_an_error_summary(client):
    user = UserFactory(roles=[Role.RESEARCHER])
    client.force_login(user)
    client.post(START)

    response = client.post(SUBMIT)

    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "<title>Error: Your accreditation" in page
    assert "Add a record of passing Safe Researcher Training." in page
    assert AccreditationApplication.objects.get(applicant=user).state == State.DRAFT


def test_application_submit_twice_gives_a_clear_message_and_changes_nothing(client):
    application = AccreditationApplicationFactory()
    client.force_login(application.applicant)

    first = client.post(SUBMIT, follow=True)
    second = client.post(SUBMIT)

    assert "Your application has been sent to the secretariat" in first.content.decode()
    assert second.status_code == 200
    assert (
        "This application has already been submitted, so it cannot be submitted again."
        in second.content.decode()
    )
    application.refresh_from_db()
    assert application.state == State.SUBMITTED


def test_application_edit_saves_route_supervisor_and_commitments(client):
    application = AccreditationApplicationFactory(
        applicant__ready__qualified=False, register_consent=False, publish_commitment=False
    )
    supervisor = supervisor_for(application.applicant)
    client.force_login(application.applicant)

    response = client.post(
        EDIT,
        {
            "kind": Level.PROVISIONAL,
            "supervisor_email": supervisor.email.upper(),
            "register_consent": "on",
            "publish_commitment": "on",
        },
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.kind == Level.PROVISIONAL
    assert application.supervisor == supervisor
    assert application.register_consent and application.publish_commitment


def test_application_edit_keeps_what_was_typed_on_an_unknown_supervisor(client):
    application = AccreditationApplicationFactory()
    client.force_login(application.applicant)

    response = client.post(
        EDIT, {"kind": Level.PROVISIONAL, "supervisor_email": "nobody@example.ac.uk"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is no account with that email address" in page
    assert 'value="nobody@example.ac.uk"' in page
    assert 'href="#id_supervisor_email"' in page


def test_application_edit_refused_once_submitted(client):
    application = application_submitted()
    client.force_login(application.applicant)

    response = client.post(EDIT, {"kind": Level.FULL}, follow=True)

    assert response.redirect_chain == [(reverse("accreditation:application_detail"), 302)]
    assert "cannot be changed now" in response.content.decode()
    assert f'href="{EDIT}"' not in response.content.decode()


def test_application_edit_opens_again_once_the_secretariat_returns_it(client, secretariat):
    application = application_submitted()
    services.application_return(
        application=application, comments="Please add your ORCID iD.", by=secretariat
    )
    client.force_login(application.applicant)

    response = client.post(EDIT, {"kind": Level.FULL, "register_consent": "on"})

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == State.RETURNED
    assert application.register_consent and not application.publish_commitment


def test_application_withdraw_page_says_what_happens_then_withdraws(client):
    application = AccreditationApplicationFactory()
    client.force_login(application.applicant)

    page = client.get(WITHDRAW).content.decode()

    assert "Withdraw application" in page
    assert "This cannot be undone." in page
    assert "the secretariat will not decide it" in page
    assert "you can start a new application later" in page
    application.refresh_from_db()
    assert application.state == State.DRAFT
    assert not AuditEvent.objects.filter(action="accreditation_application.withdraw").exists()

    client.post(WITHDRAW)

    application.refresh_from_db()
    assert application.state == State.WITHDRAWN
    assert AuditEvent.objects.filter(action="accreditation_application.withdraw").count() == 1


def test_supervision_page_only_for_the_named_supervisor(client):
    application, supervisor = provisional_application()
    url = reverse("accreditation:supervision", kwargs={"pk": application.pk})

    for person in (application.applicant, UserFactory(roles=[Role.RESEARCHER])):
        client.force_login(person)
        assert client.get(url).status_code == 403
        assert client.post(url, {"answer": "confirm"}).status_code == 403

    client.force_login(supervisor)
    assert "Confirm supervision" in client.get(url).content.decode()
    client.post(url, {"answer": "confirm"})
    application.refresh_from_db()
    assert application.supervisor_confirmed_at is not None


def test_queue_lists_submitted_applications_oldest_first(client, secretariat):
    first = application_submitted()
    second = application_submitted()
    AccreditationApplicationFactory()  # a draft the secretariat does not see by default
    client.force_login(secretariat)

    response = client.get(QUEUE)

    assert list(response.context["listing"]["applications"]) == [first, second]
    drafts = client.get(QUEUE, {"state": "draft"}).context["listing"]["applications"]
    assert [application.state for application in drafts] == [State.DRAFT]


def test_queue_row_links_the_screening_page_and_says_what_is_not_given(client, secretariat):
    submitted = application_submitted()
    bare = AccreditationApplicationFactory(applicant=ApplicantFactory(ready=False), kind="")
    client.force_login(secretariat)

    page = client.get(QUEUE, {"state": ["submitted", "draft"]}).content.decode()

    sent = timezone.localtime(submitted.submitted_at)
    row = page.split(f'href="{screen_url(submitted)}">')[1].split("</tr>")[0]
    assert submitted.applicant.get_full_name() in row
    assert submitted.applicant.profile.organisation.name in row
    assert submitted.get_kind_display() in row
    assert f"{sent.day} {sent:%b} {sent.year}" in row
    assert "govuk-tag--blue" in row and "Submitted" in row
    bare_row = page.split(f'href="{screen_url(bare)}">')[1].split("</tr>")[0]
    cells = re.findall(r'<td class="govuk-table__cell">([^<]*)</td>', bare_row)
    assert cells == ["Not given", "Not chosen", "Not sent"]


@pytest.mark.parametrize("rows", [5, 200])
def test_queue_query_count_does_not_grow_with_rows(
    client, secretariat, rows, django_assert_max_num_queries, settings
):
    settings.STAFF_LISTS_KEPT_SECONDS = 0  # the list worked out, not kept from the warm-up
    # The rows application_submit leaves, made in bulk: two hundred through the services would
    # take longer than the rest of the module.
    AccreditationApplicationFactory.create_batch(rows, state=State.SUBMITTED, kind=Level.FULL)
    client.force_login(secretariat)
    client.get(QUEUE)  # warm the session and the user's roles

    with django_assert_max_num_queries(12):
        response = client.get(QUEUE)

    assert response.status_code == 200
    assert len(response.context["listing"]["applications"]) == min(rows, APPLICATIONS_PER_PAGE)


def test_screen_page_return_needs_comments_and_keeps_state(client, secretariat):
    application = application_submitted()
    client.force_login(secretariat)

    response = client.post(screen_url(application), {"action": "return", "return-comments": ""})

    assert response.status_code == 200
    assert "Enter what the applicant needs to change" in response.content.decode()
    application.refresh_from_db()
    assert application.state == State.SUBMITTED


def test_screen_page_checklist_then_approve_full(client, secretariat):
    application = application_submitted()
    client.force_login(secretariat)

    client.post(
        screen_url(application),
        {
            "action": "screen",
            "screen-checks": ["identity", "qualifications", "training", "declaration"],
        },
    )
    response = client.post(
        screen_url(application), {"action": "approve", "approve-level": Level.FULL}, follow=True
    )

    assert "The application has been approved" in response.content.decode()
    declaration = application.applicant.declarations.get()
    page = client.get(screen_url(application)).content.decode()
    assert reverse("researchers:declaration_download", kwargs={"pk": declaration.pk}) in page
    accreditation = Accreditation.objects.get(application=application)
    assert accreditation.level == Level.FULL


def test_screen_page_approve_refusal_shows_the_sentences(client, secretariat):
    application = application_submitted()
    client.force_login(secretariat)

    response = client.post(
        screen_url(application), {"action": "approve", "approve-level": Level.PROVISIONAL}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Tick every screening check before approving the application." in page
    assert "Provisional accreditation needs a fully accredited supervisor" in page
    application.refresh_from_db()
    assert (application.state, application.kind) == (State.SUBMITTED, Level.FULL)


def test_screen_page_reject_needs_reasons(client, secretariat):
    application = application_submitted()
    client.force_login(secretariat)

    empty = client.post(screen_url(application), {"action": "reject", "reject-reasons": " "})
    asked = client.post(
        screen_url(application), {"action": "reject", "reject-reasons": "No evidence."}
    )

    assert "Enter the reasons for rejecting the application" in empty.content.decode()
    page = asked.content.decode()
    assert "This cannot be undone." in page
    assert "is told your reasons: No evidence." in page
    application.refresh_from_db()
    assert application.state == State.SUBMITTED  # nothing happens before it is confirmed
    assert not AuditEvent.objects.filter(action="accreditation_application.reject").exists()

    client.post(
        screen_url(application),
        {"action": "reject", "reject-reasons": "No evidence.", "confirmed": "yes"},
    )
    application.refresh_from_db()
    assert application.state == State.REJECTED


def test_screen_page_forbids_deciding_ones_own_application(client):
    applicant = ApplicantFactory(roles=[Role.SECRETARIAT], totp=True)
    application = application_submitted(applicant=applicant)
    client.force_login(applicant)

    page = client.get(screen_url(application)).content.decode()
    response = client.post(screen_url(application), {"action": "reject", "reject-reasons": "Mine."})

    assert "Reject application" not in page
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.state == State.SUBMITTED


def test_accreditation_detail_suspend_reinstate_and_revoke(client, secretariat):
    accreditation = AccreditationFactory()
    url = reverse("accreditation:accreditation_detail", kwargs={"pk": accreditation.pk})
    client.force_login(secretariat)

    empty = client.post(url, {"action": "suspend", "suspend-reasons": ""})
    assert "Enter the reasons for suspending the accreditation" in empty.content.decode()
    client.post(url, {"action": "suspend", "suspend-reasons": "Under investigation."})
    accreditation.refresh_from_db()
    assert accreditation.state == Accreditation.State.SUSPENDED
    assert "Reinstate accreditation" in client.get(url).content.decode()

    client.post(url, {"action": "reinstate", "reinstate-reasons": ""})
    accreditation.refresh_from_db()
    assert accreditation.state == Accreditation.State.ACTIVE

    asked = client.post(url, {"action": "revoke", "revoke-reasons": "Breach."})
    assert "cannot be reinstated" in asked.content.decode()
    accreditation.refresh_from_db()
    assert accreditation.state == Accreditation.State.ACTIVE
    assert not AuditEvent.objects.filter(action="accreditation.revoke").exists()
    # The confirmation page posts the same form again, the reasons kept, with its answer.
    assert 'name="revoke-reasons" value="Breach."' in asked.content.decode()
    client.post(url, {"action": "revoke", "revoke-reasons": "Breach.", "confirmed": "yes"})
    accreditation.refresh_from_db()
    assert accreditation.state == Accreditation.State.REVOKED


def test_researcher_sees_their_accreditation_on_the_application_page(client, secretariat):
    application = application_screened(by=secretariat)

    services.application_approve(application=application, level=Level.FULL, by=secretariat)
    client.force_login(application.applicant)

    page = client.get(DETAIL).content.decode()

    assert "Your current accreditation" in page
    assert "Active" in page
    assert "Renew your accreditation" in page


def test_application_renew_page_starts_a_renewal(client):
    accreditation = AccreditationFactory(researcher=ApplicantFactory())
    client.force_login(accreditation.researcher)

    assert "Start renewal" in client.get(RENEW).content.decode()
    client.post(RENEW)

    assert AccreditationApplication.objects.get(renewal_of=accreditation).state == State.DRAFT


@pytest.mark.parametrize(
    "url_name",
    ["accreditation:queue", "accreditation:screen", "accreditation:accreditation_detail"],
)
def test_secretariat_pages_forbidden_to_researchers(client, url_name):
    accreditation = AccreditationFactory()
    kwargs = {}
    if url_name == "accreditation:screen":
        kwargs = {"pk": accreditation.application_id}
    elif url_name == "accreditation:accreditation_detail":
        kwargs = {"pk": accreditation.pk}
    client.force_login(accreditation.researcher)

    assert client.get(reverse(url_name, kwargs=kwargs)).status_code == 403
    assert client.post(reverse(url_name, kwargs=kwargs), {"action": "revoke"}).status_code == 403


def test_supervisor_finds_the_request_on_their_application_page(client):
    application = AccreditationApplicationFactory(applicant__ready__qualified=False)
    supervisor = supervisor_for(application.applicant)

    services.application_update(
        application=application,
        by=application.applicant,
        kind=Level.PROVISIONAL,
        supervisor_email=supervisor.email,
    )
    client.force_login(supervisor)

    page = client.get(DETAIL).content.decode()

    assert reverse("accreditation:supervision", kwargs={"pk": application.pk}) in page
    assert "waiting for your answer" in page


def test_screen_page_marks_the_other_routes_rules_not_needed(client, secretariat):
    import re

    application = application_submitted()  # full accreditation
    client.force_login(secretariat)

    page = client.get(screen_url(application)).content.decode()

    rules = page[
        page.index('id="submission-rules"') : page.index(
            "</ul>", page.index('id="submission-rules"')
        )
    ]
    items = [
        (tag, " ".join(text.split()))
        for tag, text in re.findall(r'govuk-tag[^"]*">([^<]+)</strong>(.*?)</li>', rules, re.S)
    ]
    not_needed = [text for tag, text in items if tag == "Not needed"]
    assert len(not_needed) == 4
    assert all("provisional" in text.lower() or "supervisor" in text.lower() for text in not_needed)
    assert ("Met", "Sign the current version of the confidentiality declaration.") in items
    assert "in the words they were given" in page
