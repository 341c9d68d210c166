"""The panel reviewer's, output checker's and data owner's homes are work queues: a count, the
oldest items first with their due dates, and what is overdue, in a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from identity.roles import Role
from outputs.models import OutputRequest
from tests.factories import UserFactory
from tests.outputs.states import checker, submitted_request
from tests.projects.states import assigned, panel_proposal, reviewer_new

pytestmark = pytest.mark.django_db

HOME = reverse("dashboard:home")


def _queue(page, key):
    start = page.index(f'id="queue-{key}"')
    return page[start : page.index("</section>", start)]


def test_checker_home_marks_a_request_past_the_service_level_overdue(client):
    late = submitted_request(title="Wage tables")
    OutputRequest.objects.filter(pk=late.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=30)
    )
    submitted_request(title="Pay gaps")
    client.force_login(checker())

    queue = _queue(client.get(HOME).content.decode(), "checking")

    assert '<strong class="govuk-tag govuk-tag--red">1 overdue</strong>' in queue
    late_link = reverse("outputs:review", kwargs={"pk": late.pk})
    assert queue.index(late_link) < queue.index("Pay gaps")
    assert queue.count(">Overdue</strong>") == 1


def test_reviewer_home_marks_a_review_past_its_due_date_overdue(client):
    secretariat = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    reviewer = reviewer_new()
    assignment = assigned(panel_proposal(), by=secretariat, reviewer=reviewer)
    type(assignment).objects.filter(pk=assignment.pk).update(
        due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    client.force_login(reviewer)

    queue = _queue(client.get(HOME).content.decode(), "reviews")

    assert '<strong class="govuk-tag govuk-tag--red">1 overdue</strong>' in queue
    assert reverse("projects:review", kwargs={"pk": assignment.proposal_id}) in queue


@pytest.mark.parametrize("size", [1, 8])
def test_checker_home_queries_do_not_grow_with_the_queue(
    client, django_assert_max_num_queries, size
):
    for _ in range(size):
        submitted_request()
    client.force_login(checker())

    # Session, user, roles, two-factor and declaration checks, unread count, second factor;
    # the checker's projects, the waiting dates and the first five.
    with django_assert_max_num_queries(12):
        response = client.get(HOME)

    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 6])
def test_reviewer_home_queries_do_not_grow_with_the_queue(
    client, django_assert_max_num_queries, size
):
    secretariat = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    reviewer = reviewer_new()
    for _ in range(size):
        assigned(panel_proposal(), by=secretariat, reviewer=reviewer)
    client.force_login(reviewer)

    with django_assert_max_num_queries(12):
        response = client.get(HOME)

    assert response.status_code == 200


def test_checker_home_counts_every_request_past_the_service_level_and_no_other(client):
    for title in ("Wage tables", "Rents"):
        late = submitted_request(title=title)
        OutputRequest.objects.filter(pk=late.pk).update(
            submitted_at=timezone.now() - datetime.timedelta(days=30)
        )
    submitted_request(title="Pay gaps")
    client.force_login(checker())

    queue = _queue(client.get(HOME).content.decode(), "checking")

    assert 'govuk-tag--blue">3</strong>' in queue
    assert '<strong class="govuk-tag govuk-tag--red">2 overdue</strong>' in queue
