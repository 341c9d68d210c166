"""The output rules of the data access policy, each shown to hold where a person meets it: only
the two submitted reviews of the current round count towards approving a file, and a
publication waiver lets close only the project it was recorded for.

Each test takes the steps a person takes, through the services and pages, and fails when the
line enforcing its rule is taken out.
"""

import pytest
from django.urls import reverse

from identity.roles import Role
from outputs.models import OutputRequest
from outputs.publication.services import waiver_record
from outputs.request.services import output_request_submit
from outputs.review.services import file_vote_set, output_request_approve, output_request_return
from projects.lifecycle.services import project_close
from projects.models import Proposal
from tests.factories import UserFactory
from tests.outputs.states import (
    checker,
    files_of,
    public_comment_everywhere,
    released_request,
    review_with,
    step_url,
    submitted_request,
)
from workflow.errors import TransitionRefused

pytestmark = pytest.mark.django_db

State = OutputRequest.State
APPROVED_TWICE = "Every file must be approved by both checkers."
PUBLISHED = "Every released output must be published, or the secretariat must record a waiver."


# Two independent checkers approve every file before release (§5 l.129)


def reviewed_with_a_third_checkers_approvals_unsubmitted():
    """A reviewed request: the first checker approved every file, the second asked for changes,
    and a third checker, who started a review while only one was in, approved every file but
    never submitted."""
    output_request = submitted_request(groups=2)
    first, second, third = checker(), checker(), checker()
    review_with(output_request, first, "approve")
    for output_file in files_of(output_request):
        file_vote_set(output_file=output_file, vote="approve", by=third)
    output_request = review_with(output_request, second, "changes")
    assert output_request.state == State.REVIEWED
    return output_request, first, third


def test_output_request_approve_refused_though_a_third_checkers_unsubmitted_review_approves():
    output_request, first, third = reviewed_with_a_third_checkers_approvals_unsubmitted()

    for by in (first, third):
        with pytest.raises(TransitionRefused) as refused:
            output_request_approve(output_request=output_request, by=by)
        assert refused.value.reasons == [APPROVED_TWICE]

    output_request.refresh_from_db()
    assert (output_request.state, output_request.decided_at) == (State.REVIEWED, None)


def test_review_page_refuses_approval_though_a_third_checkers_unsubmitted_review_approves(client):
    output_request, first, _ = reviewed_with_a_third_checkers_approvals_unsubmitted()
    client.force_login(first)

    page = client.post(step_url(output_request, "approve"))

    assert page.status_code == 200
    assert APPROVED_TWICE in page.content.decode()
    output_request.refresh_from_db()
    assert output_request.state == State.REVIEWED


def test_output_request_approve_refused_on_approvals_from_an_earlier_round():
    output_request = submitted_request()
    first, second, third = checker(), checker(), checker()
    review_with(output_request, first, "approve")
    output_request = review_with(output_request, second, "changes")
    public_comment_everywhere(output_request, second)
    output_request = output_request_return(output_request=output_request, by=second)
    # Sent again unchanged: the same files, which the first checker approved last round.
    output_request = output_request_submit(output_request=output_request, by=output_request.author)
    review_with(output_request, second, "approve")
    output_request = review_with(output_request, third, "changes")

    with pytest.raises(TransitionRefused) as refused:
        output_request_approve(output_request=output_request, by=second)

    assert refused.value.reasons == [APPROVED_TWICE]
    output_request.refresh_from_db()
    assert output_request.state == State.REVIEWED


# Released outputs are published, unless the secretariat waives it for that project (§5 l.129)


def test_project_close_refused_though_another_project_has_a_publication_waiver(client):
    waived, unwaived = released_request().project, released_request().project
    waiver_record(
        project=waived,
        reasons="The journal's embargo runs past the end date.",
        by=UserFactory(roles=[Role.SECRETARIAT], totp=True),
    )

    with pytest.raises(TransitionRefused) as refused:
        project_close(project=unwaived, by=unwaived.coordinator)

    assert refused.value.reasons == [PUBLISHED]
    unwaived.refresh_from_db()
    assert unwaived.state == Proposal.State.ACTIVE
    client.force_login(unwaived.coordinator)
    page = client.get(reverse("projects:close", kwargs={"pk": unwaived.pk}))
    assert PUBLISHED in page.content.decode()
    assert project_close(project=waived, by=waived.coordinator).state == Proposal.State.CLOSED
