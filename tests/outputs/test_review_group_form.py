"""A checker votes and comments on a whole group at once, is brought back to that group, and in
a later round keeps their votes on every file that did not change."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from audit.models import AuditEvent
from outputs.check.services import file_checks_run
from outputs.models import FileVote, GroupComment, OutputRequest, Review
from outputs.request.services import file_remove, file_replace, output_request_submit
from outputs.review.services import (
    file_vote_set,
    group_comment_add,
    group_review_save,
    output_request_return,
    review_submit,
)
from tests.outputs.factories import upload
from tests.outputs.states import (
    checker,
    files_of,
    group_form,
    group_url,
    output_request_submitted,
    review_with,
    submitted_request,
)
from workflow.errors import TransitionRefused

pytestmark = pytest.mark.django_db
State = OutputRequest.State


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def review_url(output_request):
    return reverse("outputs:review", kwargs={"pk": output_request.pk})


def _second_round(files_per_group=2, groups=1, *, change=None):
    """A request both checkers reviewed in round 1 (the second asking for changes), returned,
    ``change(first_file, author)`` done to it, and sent again."""
    output_request = output_request_submitted(groups=groups, files_per_group=files_per_group)
    one, two = checker(), checker()
    review_with(output_request, one, "approve", comment="Every cell at least 10.")
    output_request = review_with(output_request, two, "changes", comment="Row 3 is small.")
    for group in output_request.groups.all():
        group_comment_add(group=group, text="Suppress row 3.", public=True, by=two)
    output_request = output_request_return(output_request=output_request, by=two)
    if change is not None:
        change(files_of(output_request)[0], output_request.author)
    output_request = output_request_submit(output_request=output_request, by=output_request.author)
    return output_request, one, two


def _replace(output_file, author):
    new = file_replace(
        output_file=output_file,
        by=author,
        upload_file=upload(b"region,count\nNorth,25\nSouth,31\nEast,*\n", "table-v2.csv"),
    )
    file_checks_run(file=new)


# The service


def test_group_review_save_saves_every_vote_and_the_comment_at_once():
    output_request = submitted_request(files_per_group=2)
    first, second = files_of(output_request)
    me = checker()

    group_review_save(
        group=first.group,
        votes={first.pk: ("approve", ""), second.pk: ("changes", "Row 3 is small.")},
        comment="Round to the nearest 5.",
        public=True,
        by=me,
    )

    review = Review.objects.get(checker=me)
    assert {(v.file_id, v.vote, v.comment) for v in review.votes.all()} == {
        (first.pk, "approve", ""),
        (second.pk, "changes", "Row 3 is small."),
    }
    comment = GroupComment.objects.get(review=review)
    assert (comment.text, comment.public) == ("Round to the nearest 5.", True)
    assert AuditEvent.objects.filter(action="output_request.file_vote").count() == 2
    assert AuditEvent.objects.filter(action="output_request.group_comment").count() == 1


def test_group_review_save_saves_nothing_while_one_approval_lacks_the_checkers_record():
    output_request = submitted_request(files_per_group=2, failed=True)
    first, second = files_of(output_request)
    me = checker()

    with pytest.raises(ValidationError) as refused:
        group_review_save(
            group=first.group,
            votes={first.pk: ("approve", ""), second.pk: ("approve", "A structural zero.")},
            comment="Seen.",
            by=me,
        )

    assert set(refused.value.error_dict) == {f"comment_{first.pk}"}
    assert not FileVote.objects.exists()
    assert not GroupComment.objects.exists()
    assert not Review.objects.filter(checker=me).exists()


def test_group_review_save_refuses_a_file_of_another_group():
    output_request = submitted_request(groups=2)
    first, other = files_of(output_request)
    with pytest.raises(TransitionRefused):
        group_review_save(group=first.group, votes={other.pk: ("approve", "")}, by=checker())
    assert not FileVote.objects.exists()


def test_second_round_keeps_votes_on_unchanged_files_and_asks_again_for_a_replaced_one():
    output_request, one, _ = _second_round(change=_replace)
    unchanged, new = files_of(output_request)
    assert new.name == "table-v2.csv"

    with pytest.raises(TransitionRefused, match=r"Vote on every file[^.]*: table-v2\.csv\.$"):
        review_submit(output_request=output_request, by=one)

    file_vote_set(output_file=new, vote="approve", by=one)
    kept = FileVote.objects.get(review__checker=one, review__round=2, file=unchanged)
    assert (kept.vote, kept.comment) == ("approve", "Every cell at least 10.")
    event = AuditEvent.objects.get(action="output_request.votes_kept", actor=one)
    assert event.payload == {"round": 2, "from_round": 1, "votes": {str(unchanged.pk): "approve"}}
    output_request = review_submit(output_request=output_request, by=one)
    assert output_request.state == State.PARTIALLY_REVIEWED


def test_second_round_keeps_a_request_for_changes_too_and_it_can_be_changed():
    output_request, _, two = _second_round(change=_replace)
    unchanged, new = files_of(output_request)

    group_review_save(group=new.group, votes={new.pk: ("approve", "")}, by=two)
    assert FileVote.objects.get(review__round=2, review__checker=two, file=unchanged).vote == (
        "changes"
    )
    group_review_save(group=new.group, votes={unchanged.pk: ("approve", "Suppressed now.")}, by=two)

    output_request = review_submit(output_request=output_request, by=two)
    votes = FileVote.objects.filter(review__round=2, review__checker=two)
    assert {v.vote for v in votes} == {"approve"}


def test_second_round_keeps_nothing_for_a_checker_new_to_the_request():
    output_request, _, _ = _second_round(change=_replace)
    newcomer = checker()
    group_comment_add(group=output_request.groups.get(), text="Seen.", public=False, by=newcomer)
    assert not FileVote.objects.filter(review__checker=newcomer).exists()
    with pytest.raises(TransitionRefused):
        review_submit(output_request=output_request, by=newcomer)


def test_second_round_after_a_file_was_removed_keeps_the_votes_on_the_rest():
    output_request, one, _ = _second_round(
        files_per_group=3,
        change=lambda output_file, author: file_remove(output_file=output_file, by=author),
    )
    assert len(files_of(output_request)) == 2

    output_request = review_submit(output_request=output_request, by=one)

    assert output_request.state == State.PARTIALLY_REVIEWED


# The page


def test_review_page_group_form_saves_the_group_and_returns_to_it(client):
    output_request = submitted_request(groups=3, files_per_group=2)
    group = output_request.groups.order_by("pk")[2]
    first, second = group.files.order_by("pk")
    client.force_login(checker())

    response = client.post(
        group_url(group),
        group_form(
            group,
            {first: "approve", second: ("changes", "Row 3 is small.")},
            text="Suppress row 3.",
            public=True,
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == f"{review_url(output_request)}#group-{group.pk}"
    assert {(v.file_id, v.vote) for v in FileVote.objects.all()} == {
        (first.pk, "approve"),
        (second.pk, "changes"),
    }
    page = client.get(response["Location"]).content.decode()
    assert f"Your votes and comments on {group.name} have been saved." in page
    assert f'id="group-{group.pk}"' in page
    # Each group is one form: one button per group, none per file.
    assert len(re.findall(r'action="/outputs/checking/\d+/groups/\d+/', page)) == 3
    assert "Save vote<" not in page


def test_review_page_group_form_errors_in_a_summary_with_everything_entered_kept(client):
    output_request = submitted_request(files_per_group=3, failed=True)
    first, second, third = files_of(output_request)
    group = first.group
    client.force_login(checker())

    response = client.post(
        group_url(group),
        group_form(
            group,
            {first: ("approve", ""), second: ("approve", "A structural zero."), third: "changes"},
            text="Checked every cell.",
        ),
    )

    assert response.status_code == 200
    page = response.content.decode()
    summary = page[
        page.index("govuk-error-summary") : page.index("</ul>", page.index("govuk-error-summary"))
    ]
    assert "There is a problem" in summary
    assert f'href="#id_group-{group.pk}-comment_{first.pk}"' in summary
    assert "its automated checks failed" in summary
    assert "A structural zero." in page
    assert "Checked every cell." in page
    for output_file, vote in ((first, "approve"), (second, "approve"), (third, "changes")):
        radio = re.search(
            rf'<input[^>]*name="group-{group.pk}-vote_{output_file.pk}"[^>]*value="{vote}"[^>]*>',
            page,
        )
        assert radio and "checked" in radio.group(0), output_file.name
    assert not FileVote.objects.exists()
    assert not GroupComment.objects.exists()


def test_review_page_group_form_comment_without_a_vote_is_kept_with_an_error(client):
    output_request = submitted_request(files_per_group=2)
    first, second = files_of(output_request)
    client.force_login(checker())

    response = client.post(
        group_url(first.group),
        group_form(first.group, {first: "approve"})
        | {f"group-{first.group.pk}-comment_{second.pk}": "Is row 3 a total?"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert escape(f"Choose approve or request changes for {second.name}") in page
    assert "Is row 3 a total?" in page
    assert not FileVote.objects.exists()


def test_review_page_group_form_with_nothing_entered_says_so(client):
    output_request = submitted_request()
    client.force_login(checker())
    group = output_request.groups.get()
    response = client.post(group_url(group), group_form(group))
    assert response.status_code == 200
    assert "Choose a vote on a file in Group 1, or write a comment." in response.content.decode()


@pytest.mark.parametrize("group", ["another", "99999999999999999999999", "0"])
def test_review_page_group_form_for_no_such_group_not_found(client, group):
    output_request = submitted_request()
    another = submitted_request().groups.get()
    client.force_login(checker())
    group_pk = another.pk if group == "another" else int(group)
    url = reverse("outputs:review_group", kwargs={"pk": output_request.pk, "group_pk": group_pk})
    response = client.post(url, group_form(another))
    assert response.status_code == 404


def test_review_page_second_round_offers_kept_votes_and_marks_the_replaced_file(client):
    output_request, one, _ = _second_round(change=_replace)
    unchanged, new = files_of(output_request)
    client.force_login(one)

    page = client.get(review_url(output_request)).content.decode()

    assert "Your votes from round 1 are kept" in page
    assert "Your vote in round 1, kept: <strong>Approve</strong>" in page
    kept = re.search(
        rf'<input[^>]*name="group-{new.group_id}-vote_{unchanged.pk}"[^>]*value="approve"[^>]*>',
        page,
    )
    assert kept and "checked" in kept.group(0)
    fresh = re.search(
        rf'<input[^>]*name="group-{new.group_id}-vote_{new.pk}"[^>]*value="approve"[^>]*>', page
    )
    assert fresh and "checked" not in fresh.group(0)
    card = page[page.index(f'id="file-{new.pk}"') :]
    assert "New or replaced since round 1" in card[: card.index("govuk-summary-card__content")]


@pytest.mark.parametrize("groups", [1, 5])
def test_review_page_in_a_second_round_queries_do_not_grow_with_files(
    client, django_assert_max_num_queries, groups
):
    output_request, one, _ = _second_round(groups=groups, change=_replace)
    client.force_login(one)
    # 23 for the page, and the header's count of unread notifications.
    with django_assert_max_num_queries(24):
        response = client.get(review_url(output_request))
    assert response.status_code == 200
    assert response.content.decode().count("Save votes and comments<") == groups
