import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from identity.roles import Role
from outputs.check.services import file_checks_run
from outputs.models import OutputRequest
from outputs.request.services import file_replace, output_request_submit
from outputs.review.services import file_vote_set, group_comment_add, output_request_return
from tests.factories import UserFactory
from tests.outputs.factories import upload
from tests.outputs.states import (
    checker,
    files_of,
    group_form,
    group_url,
    output_request_at,
    output_request_submitted,
    review_with,
    reviewed_request,
    step_url,
    submitted_request,
)
from tests.projects.factories import TeamMemberFactory
from tests.projects.states import project_closed

pytestmark = pytest.mark.django_db
State = OutputRequest.State


def review_url(output_request):
    return reverse("outputs:review", kwargs={"pk": output_request.pk})


def test_queue_shows_due_date_oldest_first(client):
    first = submitted_request(title="Mortality tables")
    submitted_request(title="Income regressions")
    client.force_login(checker())
    response = client.get(reverse("outputs:queue"))
    assert response.status_code == 200
    text = response.content.decode()
    assert text.index("Mortality tables") < text.index("Income regressions")
    assert first.submitted_at.strftime("%Y") in text


def test_queue_refused_for_researcher(client):
    client.force_login(UserFactory(roles=[Role.RESEARCHER]))
    assert client.get(reverse("outputs:queue")).status_code == 403


def _rows(response):
    text = response.content.decode()
    table = text[text.index('id="checker-queue"') : text.index("</table>")]
    return table.count('<tr class="govuk-table__row">') - 1


@pytest.mark.parametrize("size", [2, 8])
def test_queue_queries_do_not_grow_with_requests(
    client, django_assert_max_num_queries, monkeypatch, size
):
    monkeypatch.setattr("outputs.review.selectors.QUEUE_PER_PAGE", 3)
    for _ in range(size):
        output_request = submitted_request(groups=2)
        review_with(output_request, checker())
    client.force_login(checker())
    # The page's own queries and the latest events about requests and projects, which the
    # checker's page is kept under once worked out.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("outputs:queue"))
    assert response.status_code == 200
    assert _rows(response) == min(size, 3)
    assert f"{size} requests waiting" in response.content.decode()


def test_queue_counts_each_request_s_files_as_they_are_now(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    one_file = submitted_request(title="One table")
    returned = output_request_submitted(groups=2, files_per_group=2)
    review_with(returned, checker(), "approve")
    asking = checker()
    returned = review_with(returned, asking, "changes")
    for group in returned.groups.all():
        group_comment_add(group=group, text="Round it.", public=True, by=asking)
    returned = output_request_return(output_request=returned, by=asking)
    new = file_replace(
        output_file=files_of(returned)[0], by=returned.author, upload_file=upload(b"a,b\nx,20\n")
    )
    file_checks_run(file=new)
    output_request_submit(output_request=returned, by=returned.author)
    client.force_login(checker())

    text = client.get(reverse("outputs:queue")).content.decode()

    rows = text[text.index('id="checker-queue"') : text.index("</table>")].split("<tr")[2:]

    def files_shown(output_request):
        (row,) = [row for row in rows if f">{output_request}</a>" in row]
        return re.search(r">(\d+ files?)</span>", row)[1]

    # A replaced file's earlier version is not counted.
    assert (files_shown(one_file), files_shown(returned)) == ("1 file", "4 files")


def test_queue_next_page_lists_the_requests_sent_after_the_first_pages(client, monkeypatch):
    monkeypatch.setattr("outputs.review.selectors.QUEUE_PER_PAGE", 2)
    titles = ["Mortality tables", "Income regressions", "Pay gaps", "Wage tables", "Rents"]
    for title in titles:
        submitted_request(title=title)
    client.force_login(checker())

    response = client.get(reverse("outputs:queue"))
    text = response.content.decode()
    assert "Mortality tables" in text and "Income regressions" in text
    assert "Pay gaps" not in text
    assert "5 requests waiting" in text

    for expected, left_out in ((["Pay gaps", "Wage tables"], "Rents"), (["Rents"], "Pay gaps")):
        next_link = re.search(r'href="(\?page=\d+)" rel="next"', text)
        response = client.get(reverse("outputs:queue") + html.unescape(next_link.group(1)))
        text = response.content.decode()
        assert all(title in text for title in expected)
        assert left_out not in text and "Mortality tables" not in text
    assert 'rel="next"' not in text
    assert "Showing 5 to 5." in text


def test_queue_counts_the_overdue_requests_and_lists_them_first(client, monkeypatch):
    monkeypatch.setattr("outputs.review.selectors.QUEUE_PER_PAGE", 2)
    for title in ("Mortality tables", "Income regressions", "Pay gaps"):
        submitted_request(title=title)
    late = submitted_request(title="Wage tables")
    OutputRequest.objects.filter(pk=late.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=30)
    )
    client.force_login(checker())

    text = client.get(reverse("outputs:queue")).content.decode()

    assert "4 requests waiting, <strong>1 overdue</strong>" in text
    assert text.count(">Overdue</strong>") == 1
    assert text.index("Wage tables") < text.index("Mortality tables")


def test_queue_says_which_requests_have_the_checkers_own_review(client):
    me = checker()
    mine = submitted_request(title="Mortality tables")
    review_with(mine, me)
    review_with(submitted_request(title="Income regressions"), checker())
    client.force_login(me)

    text = client.get(reverse("outputs:queue")).content.decode()

    row_of = {
        title: text[text.index(title) : text.index("</tr>", text.index(title))]
        for title in ("Mortality tables", "Income regressions")
    }
    assert "1 of 2" in row_of["Mortality tables"] and "Yours is in" in row_of["Mortality tables"]
    assert "1 of 2" in row_of["Income regressions"]
    assert "Yours is in" not in row_of["Income regressions"]


def test_review_page_not_found_for_checker_on_project(client):
    output_request = submitted_request()
    member = checker()
    TeamMemberFactory(proposal=output_request.project, user=member)
    client.force_login(member)
    assert client.get(review_url(output_request)).status_code == 404


def test_review_page_shows_failed_checks_and_flagged_cells(client):
    output_request = submitted_request(failed=True)
    client.force_login(checker())
    response = client.get(review_url(output_request))
    text = response.content.decode()
    assert "Automated checks failed" in text
    assert "1 flagged cell" in text
    assert "Cells under 10 suppressed." in text


def test_review_page_vote_without_comment_on_failed_file_shows_error(client):
    output_request = submitted_request(failed=True)
    client.force_login(checker())
    output_file = files_of(output_request)[0]
    response = client.post(
        group_url(output_file.group), group_form(output_file.group, {output_file: "approve"})
    )
    assert response.status_code == 200
    assert "its automated checks failed" in response.content.decode()
    assert not output_file.votes.exists()


def test_review_page_vote_and_submit(client):
    output_request = submitted_request()
    me = checker()
    client.force_login(me)
    output_file = files_of(output_request)[0]
    response = client.post(
        group_url(output_file.group), group_form(output_file.group, {output_file: "approve"})
    )
    assert response.status_code == 302
    response = client.post(step_url(output_request, "submit"), {}, follow=True)
    assert "Your review has been submitted." in response.content.decode()
    output_request.refresh_from_db()
    assert output_request.state == State.PARTIALLY_REVIEWED


def test_review_page_hides_the_other_vote_until_both_in(client):
    output_request = submitted_request()
    first, second = checker(), checker()
    review_with(output_request, first, "changes", comment="Cell in row 3 is small.")
    file_vote_set(output_file=files_of(output_request)[0], vote="approve", by=second)
    client.force_login(second)
    assert "Cell in row 3 is small." not in client.get(review_url(output_request)).content.decode()


def test_review_page_approve_refused_shows_condition(client):
    output_request, one, _ = reviewed_request(vote_two="changes")
    client.force_login(one)
    response = client.post(step_url(output_request, "approve"), {})
    assert response.status_code == 200
    assert "Every file must be approved by both checkers." in response.content.decode()
    output_request.refresh_from_db()
    assert output_request.state == State.REVIEWED


def test_review_page_reject_needs_reasons(client):
    output_request, one, _ = reviewed_request()
    client.force_login(one)
    response = client.post(step_url(output_request, "reject"), {"reject-reasons": ""})
    assert response.status_code == 200
    assert "Say why the request is rejected." in response.content.decode()
    response = client.post(
        step_url(output_request, "reject"),
        {"reject-reasons": "Disclosive.", "confirmed": "yes"},
    )
    assert response.status_code == 302
    output_request.refresh_from_db()
    assert output_request.state == State.REJECTED


def test_review_page_reject_asks_first_then_rejects(client):
    output_request, one, _ = reviewed_request()
    client.force_login(one)
    posted = {"reject-reasons": "Cells under 10 in table 2."}

    asked = client.post(step_url(output_request, "reject"), posted)

    page = asked.content.decode()
    assert asked.status_code == 200
    assert "This cannot be undone." in page
    assert "nothing in it is released" in page
    assert "is told your reasons: Cells under 10 in table 2." in page
    assert 'name="reject-reasons" value="Cells under 10 in table 2."' in page
    output_request.refresh_from_db()
    assert output_request.state == State.REVIEWED  # nothing happens before it is confirmed
    assert not AuditEvent.objects.filter(action="output_request.reject").exists()

    response = client.post(
        step_url(output_request, "reject"), {**posted, "confirmed": "yes"}, follow=True
    )

    assert "The request has been rejected." in response.content.decode()
    output_request.refresh_from_db()
    assert output_request.state == State.REJECTED
    assert AuditEvent.objects.filter(action="output_request.reject").count() == 1


def test_review_page_reject_not_possible_yet_is_refused_without_asking(client):
    output_request = submitted_request()
    client.force_login(checker())

    response = client.post(step_url(output_request, "reject"), {"reject-reasons": "Disclosive."})

    page = response.content.decode()
    assert "is not possible now" in page
    assert "This cannot be undone." not in page
    output_request.refresh_from_db()
    assert output_request.state == State.SUBMITTED


def test_review_page_reject_once_checking_has_closed_is_refused_without_asking(client):
    output_request, one, _ = reviewed_request()
    project_closed(output_request.project)
    client.force_login(one)

    response = client.post(step_url(output_request, "reject"), {"reject-reasons": "Disclosive."})

    page = response.content.decode()
    assert "can be checked and released only while its project is active" in page
    assert "This cannot be undone." not in page
    output_request.refresh_from_db()
    assert output_request.state == State.REVIEWED


def test_review_page_return_needs_public_comment_then_returns(client):
    output_request, one, _ = reviewed_request(vote_two="changes")
    client.force_login(one)
    response = client.post(step_url(output_request, "return"), {})
    assert response.status_code == 200
    assert "needs a public comment" in response.content.decode()

    group = output_request.groups.get()
    response = client.post(
        group_url(group),
        group_form(group, text="Round the counts to the nearest 5.", public=True),
    )
    assert response.status_code == 302
    response = client.post(step_url(output_request, "return"), {})
    assert response.status_code == 302
    output_request.refresh_from_db()
    assert output_request.state == State.RETURNED


def test_dashboard_counts_requests_waiting_for_checker(client):
    first, second = submitted_request(), submitted_request()
    client.force_login(checker())
    page = client.get(reverse("dashboard:home")).content.decode()
    queue = page[page.index('id="queue-checking"') :]
    assert '<strong class="govuk-tag govuk-tag--blue">2</strong>' in queue
    # The oldest first, each linking to where it is checked, with the day it is due.
    assert queue.index(review_url(first)) < queue.index(review_url(second))
    assert "due by" in queue


def test_navigation_shows_output_checking_to_checkers_only(client):
    client.force_login(checker())
    assert "Output checking" in client.get(reverse("dashboard:home")).content.decode()
    client.force_login(UserFactory(roles=[Role.RESEARCHER]))
    assert reverse("outputs:queue") not in client.get(reverse("dashboard:home")).content.decode()


def test_review_page_not_found_for_a_draft(client):
    output_request = output_request_at(State.DRAFT)
    client.force_login(checker())
    assert client.get(review_url(output_request)).status_code == 404


@pytest.mark.parametrize("size", [1, 5])
def test_review_page_queries_do_not_grow_with_files(client, django_assert_max_num_queries, size):
    output_request = submitted_request(groups=size, files_per_group=2, failed=True)
    first, second = checker(), checker()
    for by in (first, second):
        for group in output_request.groups.all():
            group_comment_add(group=group, text="Seen.", public=True, by=by)
        review_with(output_request, by, "approve", comment="A structural zero.")
    client.force_login(first)
    # 21 for the page, and the header's count of unread notifications.
    with django_assert_max_num_queries(22):
        response = client.get(review_url(output_request))
    assert response.status_code == 200
