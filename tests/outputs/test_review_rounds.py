import pytest

from audit.models import AuditEvent
from outputs.check.services import file_checks_run
from outputs.models import OutputRequest
from outputs.request.services import file_replace, output_request_submit
from outputs.review.services import (
    file_vote_set,
    group_comment_add,
    output_request_approve,
    output_request_return,
    review_submit,
)
from tests.outputs.factories import SMALL_TABLE_CSV, upload
from tests.outputs.states import checker, files_of, output_request_submitted, review_with
from workflow.errors import TransitionRefused

pytestmark = pytest.mark.django_db
State = OutputRequest.State


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_returned_request_replaced_file_and_resubmitted_needs_two_new_approvals():
    output_request = output_request_submitted()
    one, two = checker(), checker()
    review_with(output_request, one, "approve")
    output_request = review_with(output_request, two, "changes")
    group_comment_add(
        group=output_request.groups.get(), text="Suppress North.", public=True, by=two
    )
    output_request = output_request_return(output_request=output_request, by=two)

    old = files_of(output_request)[0]
    new = file_replace(
        output_file=old,
        by=output_request.author,
        upload_file=upload(SMALL_TABLE_CSV.replace(b"North,25", b"North,*"), "table-v2.csv"),
    )
    file_checks_run(file=new)
    output_request = output_request_submit(output_request=output_request, by=output_request.author)
    assert output_request.state == State.SUBMITTED

    # The first round's approval does not carry over to the new round or the new file.
    with pytest.raises(TransitionRefused):
        review_submit(output_request=output_request, by=one)
    assert files_of(output_request) == [new]
    review_with(output_request, one, "approve")
    output_request = review_with(output_request, two, "approve")
    assert output_request.state == State.REVIEWED
    output_request = output_request_approve(output_request=output_request, by=one)
    assert output_request.state == State.APPROVED


def test_replacing_a_file_forgets_votes_in_open_reviews():
    output_request = output_request_submitted()
    one, two = checker(), checker()
    third = checker()
    old = files_of(output_request)[0]
    # A third checker starts a review that the other two overtake.
    file_vote_set(output_file=old, vote="approve", by=third)
    review_with(output_request, one, "approve")
    output_request = review_with(output_request, two, "changes")
    group_comment_add(group=old.group, text="Suppress North.", public=True, by=two)
    output_request = output_request_return(output_request=output_request, by=two)

    file_replace(output_file=old, by=output_request.author, upload_file=upload(b"a,b\n1,20\n"))
    assert not old.votes.filter(review__checker=third).exists()
    assert old.votes.filter(review__submitted_at__isnull=False).count() == 2
    reset = AuditEvent.objects.get(action="output_request.votes_reset")
    assert (reset.actor, reset.payload) == (output_request.author, {"file": old.pk, "votes": 1})
