"""Output requests brought to any state through the services, as their author and two output
checkers would take them there (``output_request_at``), with the checkers' own steps."""

import contextlib
import hashlib

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from identity.roles import Role
from outputs.check.services import file_checks_run
from outputs.models import CheckResult, FileGroup, OutputFile, OutputRequest, OutputType
from outputs.publication.services import publication_record
from outputs.release.services import output_request_release
from outputs.request.services import (
    file_add,
    group_add,
    output_request_create,
    output_request_submit,
    output_request_withdraw,
)
from outputs.review.services import (
    file_vote_set,
    group_comment_add,
    output_request_approve,
    output_request_reject,
    output_request_return,
    review_submit,
)
from projects.models import Proposal
from tests.factories import UserFactory
from tests.outputs.factories import SMALL_TABLE_CSV, OutputRequestFactory, upload
from tests.projects.factories import accredit
from tests.projects.states import proposal_at

State = OutputRequest.State

TABLE = b"region,count\nNorth,120\nSouth,245\n"
FIGURE = b"%PDF-1.4\n" + b"0" * 300_000 + b"\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def checker(**kwargs):
    return UserFactory(roles=[Role.OUTPUT_CHECKER], totp=True, **kwargs)


# Reaching a state


def output_request_at(
    state,
    *,
    groups=1,
    files_per_group=1,
    failed=False,
    votes=("approve", "approve"),
    on=None,
    **kwargs,
):
    """A request taken to ``state`` through the services: made by the co-ordinator of an active
    project (``project=`` another, ``author=`` another member) with ``groups`` described groups
    of ``files_per_group`` files each, checked (``failed`` files fail the threshold check), then
    submitted, reviewed by two output checkers voting ``votes`` on every file, and approved,
    returned (with a public comment on every group), rejected, released or withdrawn.

    ``on`` (a datetime) takes the steps at that moment, the project's included. Other keywords
    are ``OutputRequestFactory``'s (``title``, ``project__team``...). The checkers are on
    ``.checkers``.
    """
    clock = time_machine.travel(on, tick=False) if on else contextlib.nullcontext()
    with clock:
        output_request = request_with_files(
            groups=groups, files_per_group=files_per_group, failed=failed, **kwargs
        )
        output_request.checkers = []
        if state == State.DRAFT:
            return output_request
        if state == State.WITHDRAWN:
            return output_request_withdraw(output_request=output_request, by=output_request.author)
        output_request = output_request_submit(
            output_request=output_request, by=output_request.author
        )
        checkers = []
        for vote in votes[: _reviews_for(state)]:
            checkers.append(checker())
            output_request = review_with(output_request, checkers[-1], vote)
        if state == State.APPROVED or state == State.RELEASED:
            output_request = output_request_approve(output_request=output_request, by=checkers[0])
        elif state == State.RETURNED:
            public_comment_everywhere(output_request, checkers[0])
            output_request = output_request_return(output_request=output_request, by=checkers[0])
        elif state == State.REJECTED:
            output_request = output_request_reject(
                output_request=output_request, reasons="The tables identify people.", by=checkers[0]
            )
        if state == State.RELEASED:
            output_request = output_request_release(output_request=output_request, by=checkers[0])
    output_request.refresh_from_db()
    output_request.checkers = checkers
    if output_request.state != state:
        raise ValueError(f"output_request_at cannot reach {state} (got {output_request.state})")
    return output_request


def _reviews_for(state):
    if state == State.SUBMITTED:
        return 0
    if state == State.PARTIALLY_REVIEWED:
        return 1
    return 2


def request_with_files(*, groups=1, files_per_group=1, failed=False, **kwargs):
    """A draft with ``groups`` described groups of ``files_per_group`` files each, their
    automated checks run: the rows the upload service and the checks task write (the files'
    bytes are not stored)."""
    output_request = OutputRequestFactory(**kwargs)
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


def output_file_add(group, *, name="table.csv", failed=False):
    """A file row in ``group`` with its threshold check passed (or failed, a cell flagged), as
    the upload and the checks task leave it; the bytes are not stored."""
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
    return output_request_at(
        State.SUBMITTED, groups=groups, files_per_group=files_per_group, failed=failed, **kwargs
    )


def reviewed_request(vote_one="approve", vote_two="approve", **kwargs):
    """A request both checkers have reviewed, voting ``vote_one`` and ``vote_two`` on every
    file: ``(request, first checker, second checker)``."""
    output_request = output_request_at(State.REVIEWED, votes=(vote_one, vote_two), **kwargs)
    one, two = output_request.checkers
    return output_request, one, two


def output_request_submitted(*, author=None, project=None, groups=1, files_per_group=1, **kwargs):
    """A request made and submitted through the authoring services: ``groups`` described groups
    of ``files_per_group`` distinct CSV tables each, stored and checked. The author (the
    project's co-ordinator unless given) holds active accreditation. Needs
    ``settings.MEDIA_ROOT`` set for the test."""
    output_request = output_request_ready(
        author=author, project=project, groups=groups, files_per_group=files_per_group
    )
    return output_request_submit(output_request=output_request, by=output_request.author, **kwargs)


def output_request_ready(*, author=None, project=None, groups=1, files_per_group=1):
    """A draft ready to submit, made as ``output_request_submitted`` makes it, left unsent."""
    project = project or proposal_at(Proposal.State.ACTIVE)
    author = author or project.coordinator
    accredit(author)
    output_request = output_request_create(project=project, by=author, title="Tables for the paper")
    for g in range(groups):
        group = group_add(
            output_request=output_request,
            by=author,
            name=f"Group {g + 1}",
            context="Counts of people by region.",
            disclosure_controls="Cells under 10 suppressed.",
        )
        for f in range(files_per_group):
            content = SMALL_TABLE_CSV + f"G{g + 1}F{f + 1},{f + 11}\n".encode()
            output_file = file_add(
                group=group,
                by=author,
                upload_file=upload(content, f"table-{g + 1}-{f + 1}.csv"),
                output_type=OutputType.FREQUENCY_TABLE,
            )
            # What the worker does once the upload commits.
            file_checks_run(file=output_file)
    return output_request


# The checkers' steps


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


def public_comment_everywhere(output_request, by):
    for group in output_request.groups.all():
        group_comment_add(group=group, text="Suppress the small cells.", public=True, by=by)


# Released outputs, with their bytes


def stored_file_add(group, *, name, content, output_type=OutputType.FREQUENCY_TABLE):
    """A file in ``group`` whose bytes are stored, as the upload service stores them."""
    output_file = OutputFile(
        group=group,
        name=name,
        output_type=output_type,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        content_type="text/csv" if name.endswith(".csv") else "application/pdf",
        uploaded_by=group.request.author,
    )
    output_file.file.save(name, ContentFile(content), save=False)
    output_file.save()
    # What the worker does once the upload commits.
    file_checks_run(file=output_file)
    return output_file


def approved_request(*, team=(), project=None, title="Earnings by region"):
    """A request approved by two checkers, with two groups: a table and a larger figure, plus
    a replaced file that must never be released. Needs ``settings.MEDIA_ROOT`` set for the test
    (``_media_in_tmp``)."""
    project = project or proposal_at(Proposal.State.ACTIVE, team=team)
    output_request = OutputRequestFactory(project=project, title=title)
    tables = FileGroup.objects.create(
        request=output_request, name="Tables", context="Counts.", disclosure_controls="None."
    )
    figures = FileGroup.objects.create(
        request=output_request, name="Figures", context="Plots.", disclosure_controls="None."
    )
    old = stored_file_add(tables, name="table.csv", content=b"region,count\nNorth,3\n")
    old.replaced_at = timezone.now()
    old.save()
    stored_file_add(tables, name="table.csv", content=TABLE)
    stored_file_add(figures, name="figure.pdf", content=FIGURE, output_type=OutputType.FIGURE)
    output_request = output_request_submit(output_request=output_request, by=output_request.author)
    one = checker()
    review_with(output_request, one)
    review_with(output_request, checker())
    return output_request_approve(output_request=output_request, by=one)


def released_request(**kwargs):
    output_request = approved_request(**kwargs)
    return output_request_release(output_request=output_request, by=checker())


def current_files(output_request):
    return list(
        OutputFile.objects.filter(group__request=output_request, replaced_at=None).order_by(
            "group__name", "name"
        )
    )


def publish_all(output_request, by):
    """Record a publication of every current file of a released request, by ``by``."""
    for output_file in current_files(output_request):
        publication_record(
            output_file=output_file,
            citation=f"Smith J (2027) {output_file.name}. Journal of Examples 4(2).",
            doi="10.1234/example.5678",
            by=by,
        )
