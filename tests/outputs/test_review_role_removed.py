"""Taking the output-checker role away discards the checker's open review; a review already
submitted still counts."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from identity.roles import Role, user_has_role
from outputs.models import FileVote, GroupComment, OutputRequest, Review
from outputs.review.selectors import checker_queue_page, checker_queue_summary, checker_waiting
from outputs.review.services import (
    file_vote_set,
    group_comment_add,
    output_request_approve,
    output_request_return,
    review_submit,
)
from researchers import services as role_services
from researchers.models import User
from tests.factories import UserFactory
from tests.outputs.states import (
    checker,
    files_of,
    group_form,
    group_url,
    review_with,
    step_url,
    submitted_request,
)

pytestmark = pytest.mark.django_db

State = OutputRequest.State


@pytest.fixture
def secretariat():
    return UserFactory(roles=[Role.SECRETARIAT], totp=True)


def review_url(output_request):
    return reverse("outputs:review", kwargs={"pk": output_request.pk})


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_checker_role_removed_on_the_roles_page_discards_the_open_review(secretariat):
    output_request = submitted_request(groups=1, files_per_group=2)
    leaving = checker()
    browser = signed_in(leaving)
    first, second = files_of(output_request)
    assert (
        browser.post(
            group_url(first.group),
            group_form(first.group, {first: "approve"}),
        ).status_code
        == 302
    )
    group_comment_add(
        group=output_request.groups.get(), text="Row 3 is small.", public=True, by=leaving
    )

    removed = signed_in(secretariat).post(
        reverse("researchers:person_roles", kwargs={"pk": leaving.pk}),
        {"roles": [Role.RESEARCHER]},
    )

    assert removed.status_code == 302
    vote = group_form(second.group, {second: "approve"})
    assert browser.post(group_url(second.group), vote).status_code == 403
    assert browser.post(step_url(output_request, "submit"), {}).status_code == 403
    assert not Review.objects.filter(checker=leaving).exists()
    assert not FileVote.objects.exists()
    assert not GroupComment.objects.exists()
    event = AuditEvent.objects.get(action="output_request.review_discarded")
    assert event.actor == secretariat
    assert event.payload["checker"] == leaving.pk
    assert (event.payload["votes"], event.payload["comments"]) == (1, 1)
    # The request waits for another checker, who can take the place.
    other = checker()
    assert output_request in checker_queue_page(user=other).object_list
    review_with(output_request, other)
    assert OutputRequest.objects.get(pk=output_request.pk).state == State.PARTIALLY_REVIEWED


def test_a_former_checker_is_given_no_requests_to_check(secretariat):
    output_request = submitted_request()
    leaving = checker()
    assert list(checker_waiting(user=leaving)) == [output_request]

    role_services.role_revoke(user=leaving, role=Role.OUTPUT_CHECKER, by=secretariat)

    assert list(checker_waiting(user=leaving)) == []
    assert checker_queue_summary(user=leaving) == {"waiting": 0, "overdue": 0}
    page = checker_queue_page(user=leaving)
    assert (page.object_list, page.summary["waiting"]) == ([], 0)
    assert list(checker_waiting(user=checker())) == [output_request]


def test_review_submitted_before_the_role_is_removed_still_counts(secretariat):
    output_request = submitted_request()
    leaving, staying = checker(), checker()
    review_with(output_request, leaving)

    role_services.role_revoke(user=leaving, role=Role.OUTPUT_CHECKER, by=secretariat)

    assert Review.objects.get(checker=leaving).submitted_at is not None
    assert not AuditEvent.objects.filter(action="output_request.review_discarded").exists()
    output_request = review_with(output_request, staying)
    assert output_request.state == State.REVIEWED
    # The departed checker's approvals are one of the two every file needs.
    approved = output_request_approve(output_request=output_request, by=staying)
    assert approved.state == State.APPROVED


def test_review_of_a_checker_whose_role_went_while_the_request_ran_is_refused(secretariat):
    output_request = submitted_request()
    leaving = checker()
    # The checker's request read their roles before the secretariat took the role away.
    in_flight = User.objects.get(pk=leaving.pk)
    assert user_has_role(in_flight, Role.OUTPUT_CHECKER)

    role_services.role_revoke(
        user=User.objects.get(pk=leaving.pk), role=Role.OUTPUT_CHECKER, by=secretariat
    )

    with pytest.raises(PermissionDenied):
        file_vote_set(output_file=files_of(output_request)[0], vote="approve", by=in_flight)
    with pytest.raises(PermissionDenied):
        review_submit(output_request=output_request, by=in_flight)
    assert not Review.objects.exists()


def test_role_removed_leaves_an_unsubmitted_review_of_a_closed_round_alone(secretariat):
    # A round closed by a return keeps what was in it when it closed, finished or not.
    output_request = submitted_request()
    one, two, slow = checker(), checker(), checker()
    file_vote_set(output_file=files_of(output_request)[0], vote="changes", by=slow)
    review_with(output_request, one, "changes")
    review_with(output_request, two, "changes")
    group_comment_add(
        group=output_request.groups.get(), text="Suppress row 3.", public=True, by=one
    )
    output_request_return(output_request=output_request, by=one)

    role_services.role_revoke(user=slow, role=Role.OUTPUT_CHECKER, by=secretariat)

    assert Review.objects.filter(checker=slow, round=1, submitted_at=None).exists()
    assert not AuditEvent.objects.filter(action="output_request.review_discarded").exists()
