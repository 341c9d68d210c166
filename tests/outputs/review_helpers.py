"""Output requests at any review step, made through the review services."""

import hashlib

from django.urls import reverse
from django.utils import timezone

from identity.roles import Role
from outputs.models import CheckResult, FileGroup, OutputFile, OutputRequest, OutputType
from outputs.review.services import file_vote_set, group_comment_add, review_submit
from tests.factories import UserFactory
from tests.outputs.factories import OutputRequestFactory


def checker(**kwargs):
    return UserFactory(roles=[Role.OUTPUT_CHECKER], totp=True, **kwargs)


def output_file_add(group, *, name="table.csv", failed=False):
    digest = hashlib.sha256(f"{group.pk}-{name}".encode()).hexdigest()
    output_file = OutputFile.objects.create(
        group=group,
        name=name,
        output_type=OutputType.FREQUENCY_TABLE,
        file=f"private/outputs/{digest}",
        sha256=digest,
        size=10,
        content_type="text/csv",
        uploaded_by=group.request.author,
    )
    CheckResult.objects.create(
        file=output_file,
        check_name=CheckResult.Check.THRESHOLD,
        outcome=CheckResult.Outcome.FAIL if failed else CheckResult.Outcome.PASS,
        message="A cell is below the threshold." if failed else "",
        flagged_cells=[[1, 2]] if failed else [],
    )
    return output_file


def submitted_request(*, groups=1, files_per_group=1, failed=False, **kwargs):
    """A submitted request with ``groups`` groups of ``files_per_group`` files each."""
    output_request = OutputRequestFactory(
        state=OutputRequest.State.SUBMITTED, submitted_at=timezone.now(), **kwargs
    )
    for g in range(groups):
        group = FileGroup.objects.create(
            request=output_request,
            name=f"Group {g + 1}",
            context="Tables for the paper.",
            disclosure_controls="Cells under 10 suppressed.",
        )
        for f in range(files_per_group):
            output_file_add(group, name=f"table-{f + 1}.csv", failed=failed)
    return output_request


def group_url(group):
    """Where the review page's form for ``group`` posts."""
    return reverse("outputs:review_group", kwargs={"pk": group.request_id, "group_pk": group.pk})


STEP_URLS = {
    "submit": "outputs:review_submit",
    "approve": "outputs:output_request_approve",
    "return": "outputs:output_request_return",
    "reject": "outputs:output_request_reject",
}


def step_url(output_request, step):
    """Where the review page's button for ``step`` posts."""
    return reverse(STEP_URLS[step], kwargs={"pk": output_request.pk})


def group_form(group, votes=None, *, text="", public=False):
    """What the review page's form for ``group`` posts: ``votes`` maps each file to its vote,
    or to ``(vote, comment)``; ``text`` is the comment on the group."""
    prefix = f"group-{group.pk}"
    data = {}
    for output_file, given in (votes or {}).items():
        vote, comment = given if isinstance(given, tuple) else (given, "")
        data[f"{prefix}-vote_{output_file.pk}"] = vote
        data[f"{prefix}-comment_{output_file.pk}"] = comment
    if text:
        data[f"{prefix}-text"] = text
    if public:
        data[f"{prefix}-public"] = "on"
    return data


def files_of(output_request):
    return list(
        OutputFile.objects.filter(group__request=output_request, replaced_at=None).order_by("pk")
    )


def review_with(output_request, by, vote="approve", comment="Looked at every cell."):
    for output_file in files_of(output_request):
        file_vote_set(output_file=output_file, vote=vote, comment=comment, by=by)
    return review_submit(output_request=output_request, by=by)


def reviewed_request(vote_one="approve", vote_two="approve", **kwargs):
    output_request = submitted_request(**kwargs)
    one, two = checker(), checker()
    review_with(output_request, one, vote_one)
    output_request = review_with(output_request, two, vote_two)
    return output_request, one, two


def public_comment_everywhere(output_request, by):
    for group in output_request.groups.all():
        group_comment_add(group=group, text="Suppress the small cells.", public=True, by=by)
