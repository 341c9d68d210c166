import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from audit.models import AuditEvent
from outputs.models import FileVote, OutputRequest
from outputs.request.services import output_request_submit
from outputs.review.selectors import checker_queue_page, current_round, public_comments, review_page
from outputs.review.services import (
    file_vote_set,
    group_comment_add,
    output_request_approve,
    output_request_reject,
    output_request_return,
    review_submit,
    votes_reset_for_file,
)
from tests.outputs.states import (
    checker,
    files_of,
    output_file_add,
    public_comment_everywhere,
    review_with,
    reviewed_request,
    submitted_request,
)
from tests.projects.factories import TeamMemberFactory
from workflow.errors import TransitionRefused

pytestmark = pytest.mark.django_db
State = OutputRequest.State


@pytest.mark.usefixtures("eager_celery")
def test_review_submit_first_then_second_moves_request_on(
    mailoutbox, django_capture_on_commit_callbacks
):
    output_request = submitted_request()
    one, two = checker(), checker()

    output_request = review_with(output_request, one)
    assert output_request.state == State.PARTIALLY_REVIEWED
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        output_request = review_with(output_request, two)
    assert output_request.state == State.REVIEWED
    # The checker whose review completed the pair knows; the other one is told.
    assert [m.to for m in mailoutbox] == [[one.email]]
    assert mailoutbox[0].subject == "Both reviews are in for an output request"
    actions = list(
        AuditEvent.objects.filter(action__startswith="output_request.record").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == [
        "output_request.record_first_review",
        "output_request.record_second_review",
    ]


def test_review_submit_refused_for_project_member_checker():
    output_request = submitted_request()
    member = checker()
    TeamMemberFactory(proposal=output_request.project, user=member)
    with pytest.raises(PermissionDenied) as refused:
        file_vote_set(output_file=files_of(output_request)[0], vote="approve", by=member)
    assert str(refused.value) == (
        "Reviewing this output request is for output checkers who are not on its project."
    )


def test_review_submit_refused_twice_by_one_checker():
    output_request = submitted_request()
    one = checker()
    review_with(output_request, one)
    with pytest.raises(TransitionRefused, match="already submitted"):
        review_submit(output_request=output_request, by=one)


def test_review_submit_refused_until_every_file_has_a_vote():
    output_request = submitted_request(files_per_group=2)
    one = checker()
    file_vote_set(output_file=files_of(output_request)[0], vote="approve", by=one)
    with pytest.raises(TransitionRefused, match="Vote on every file"):
        review_submit(output_request=output_request, by=one)


def test_file_vote_approve_of_failed_file_needs_comment():
    output_request = submitted_request(failed=True)
    one = checker()
    with pytest.raises(ValidationError) as error:
        file_vote_set(output_file=files_of(output_request)[0], vote="approve", by=one)
    assert "comment" in error.value.message_dict
    vote = file_vote_set(
        output_file=files_of(output_request)[0],
        vote="approve",
        comment="The flagged cell is a structural zero.",
        by=one,
    )
    assert vote.vote == FileVote.Vote.APPROVE


def test_review_page_hides_other_checkers_votes_until_both_submitted():
    output_request = submitted_request()
    one, two = checker(), checker()
    review_with(output_request, one, "changes")
    file_vote_set(output_file=files_of(output_request)[0], vote="approve", by=two)

    page = review_page(output_request=output_request, user=two)
    output_file = page["groups"][0].current_files[0]
    assert output_file.my_vote.vote == "approve"
    assert output_file.other_votes == []

    review_submit(output_request=output_request, by=two)
    page = review_page(output_request=output_request, user=two)
    assert [v.vote for v in page["groups"][0].current_files[0].other_votes] == ["changes"]


@pytest.mark.usefixtures("eager_celery")
def test_output_request_approve_with_two_approvals_tells_author(
    mailoutbox, django_capture_on_commit_callbacks
):
    output_request, one, _ = reviewed_request()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        output_request = output_request_approve(output_request=output_request, by=one)
    assert output_request.state == State.APPROVED
    assert [m.to for m in mailoutbox] == [[output_request.author.email]]


def test_output_request_approve_refused_without_two_approvals():
    output_request, one, _ = reviewed_request(vote_two="changes")
    with pytest.raises(TransitionRefused, match="approved by both checkers"):
        output_request_approve(output_request=output_request, by=one)


def test_output_request_return_needs_public_comment_on_unapproved_group():
    output_request, one, _ = reviewed_request(vote_two="changes")
    with pytest.raises(TransitionRefused, match="public comment"):
        output_request_return(output_request=output_request, by=one)

    group = output_request.groups.get()
    group_comment_add(group=group, text="Only for us.", public=False, by=one)
    with pytest.raises(TransitionRefused, match="public comment"):
        output_request_return(output_request=output_request, by=one)

    public_comment_everywhere(output_request, one)
    output_request = output_request_return(output_request=output_request, by=one)
    assert output_request.state == State.RETURNED
    assert output_request.returned_at is not None


def test_a_checker_who_did_not_review_can_comment_and_return_once_reviewed():
    output_request, _, _ = reviewed_request(vote_two="changes")
    third = checker()

    group = output_request.groups.get()
    group_comment_add(
        group=group, text="Round the South row to the nearest 5.", public=True, by=third
    )
    output_request = output_request_return(output_request=output_request, by=third)

    assert output_request.state == State.RETURNED
    assert [c.text for c in public_comments(output_request)] == [
        "Round the South row to the nearest 5."
    ]
    assert public_comments(output_request)[0].author == third


def test_a_comment_while_reviewing_stays_hidden_until_that_review_is_submitted():
    output_request = submitted_request()
    one = checker()
    group = output_request.groups.get()
    group_comment_add(group=group, text="Cell 3 is small.", public=True, by=one)

    assert list(public_comments(output_request)) == []

    output_request = review_with(output_request, one)
    assert [c.text for c in public_comments(output_request)] == ["Cell 3 is small."]


def test_output_request_reject_needs_reasons():
    output_request, one, _ = reviewed_request(vote_one="changes", vote_two="changes")
    with pytest.raises(ValidationError):
        output_request_reject(output_request=output_request, reasons=" ", by=one)
    output_request = output_request_reject(
        output_request=output_request, reasons="Identifies individuals.", by=one
    )
    assert output_request.state == State.REJECTED


def test_resubmission_after_return_starts_a_new_round():
    output_request, one, two = reviewed_request(vote_two="changes")
    public_comment_everywhere(output_request, two)
    output_request = output_request_return(output_request=output_request, by=two)
    assert current_round(output_request) == 2

    output_request = output_request_submit(output_request=output_request, by=output_request.author)
    output_request = review_with(output_request, one)
    assert output_request.state == State.PARTIALLY_REVIEWED
    assert output_request.reviews.filter(round=2).count() == 1


def test_replaced_file_needs_new_votes():
    output_request = submitted_request()
    one, two = checker(), checker()
    old = files_of(output_request)[0]
    file_vote_set(output_file=old, vote="approve", by=one)
    assert votes_reset_for_file(old) == 1
    with pytest.raises(TransitionRefused, match="Vote on every file"):
        review_submit(output_request=output_request, by=one)

    # The new version is a new row, with no votes at all.
    new = output_file_add(old.group, name="table-2.csv")
    review_with(output_request, one)
    output_request = review_with(output_request, two)
    assert new.votes.filter(vote="approve").count() == 2


def test_checker_queue_oldest_first_without_own_projects():
    older = submitted_request()
    newer = submitted_request()
    OutputRequest.objects.filter(pk=older.pk).update(
        submitted_at=newer.submitted_at.replace(year=2025)
    )
    mine = submitted_request()
    me = checker()
    TeamMemberFactory(proposal=mine.project, user=me)

    queue = checker_queue_page(user=me).object_list
    assert [r.pk for r in queue] == [older.pk, newer.pk]
    assert queue[0].overdue
    assert not queue[1].overdue


def test_public_comments_show_only_public_ones_from_submitted_reviews():
    from outputs.review.selectors import public_comments

    output_request = submitted_request()
    one = checker()
    group = output_request.groups.get()
    group_comment_add(group=group, text="For the researcher.", public=True, by=one)
    group_comment_add(group=group, text="Between checkers.", public=False, by=one)
    assert list(public_comments(output_request)) == []
    review_with(output_request, one)
    assert [c.text for c in public_comments(output_request)] == ["For the researcher."]


def test_queue_index_covers_exactly_the_states_in_the_checkers_queue():
    index = next(i for i in OutputRequest._meta.indexes if i.name == "outputs_request_queue")
    assert index.condition == Q(state__in=list(OutputRequest.IN_QUEUE))
