"""Every change a project member makes to an output request while writing it.

Each function locks what it changes, checks who is asking, changes it (state changes only
through ``workflow.services.transition_fire``), writes the audit event and queues the emails
and automated checks, all inside one ``transaction.atomic()``. Refusals: PermissionDenied or
Http404 for the wrong person, ``TransitionRefused`` with sentences for a step not possible yet,
``ValidationError`` for bad input.

Files are stored by content: the path is the SHA-256 of the bytes under a private prefix, so
identical content is kept once, and nothing a person typed becomes part of a path.
"""

import unicodedata
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.services import audit_record
from outputs.check.checks import TABLE_KINDS, table_too_large
from outputs.models import FileGroup, OutputFile, OutputRequest, OutputType, output_file_path
from outputs.request.permissions import (
    check_user_can_edit_request,
    check_user_can_list_requests,
    check_user_can_remove_file,
)
from outputs.review.services import votes_reset_for_file
from projects.lifecycle.conditions import access_open
from projects.models import Proposal
from researchers.models import User
from uploads.validators import ValidatedUpload, validate_upload
from workflow.errors import TransitionRefused
from workflow.services import transition_fire

if TYPE_CHECKING:
    from django.core.files import File

M = TypeVar("M", bound=models.Model)

# What an output may be, recognised by content (uploads.kinds), never by its name.
OUTPUT_KINDS = ("csv", "xlsx", "png", "svg", "pdf", "txt")
PROJECT_NOT_ACTIVE = "This project is not active, so it accepts no new output requests."
# Observations less parameters: no study has more than a billion, and the bound keeps the
# number inside every database's integer column.
DEGREES_OF_FREEDOM_MAX = 1_000_000_000
DEGREES_OF_FREEDOM_RANGE = (
    f"Residual degrees of freedom must be a whole number from 0 to {DEGREES_OF_FREEDOM_MAX:,}"
)


def group_name_problem(name: str) -> str:
    """Why ``name`` cannot name a group, or "": a group's name becomes the name of a folder in
    the released zip, so it must not climb out of it, make a path, or hide characters."""
    for form in {name, unicodedata.normalize("NFKC", name)}:
        if "/" in form or "\\" in form:
            return "Group name must not include / or \\"
        if form.strip(".") == "":
            return "Group name must include something other than full stops"
        if any(unicodedata.category(character) == "Cc" for character in form):
            return "Group name must not include control characters, such as tabs or line breaks"
    return ""


def _group_name_check(name: str) -> None:
    if not name:
        raise ValidationError({"name": "Enter a name for the group"})
    problem = group_name_problem(name)
    if problem:
        raise ValidationError({"name": problem})


def _degrees_of_freedom_check(value: object) -> None:
    if value is not None and not (isinstance(value, int) and 0 <= value <= DEGREES_OF_FREEDOM_MAX):
        raise ValidationError({"degrees_of_freedom": DEGREES_OF_FREEDOM_RANGE})


def _lock(obj: M) -> M:
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def _clean(value: str | None) -> str:
    return (value or "").strip()


def output_validate(upload_file: "File[bytes]", *, field: str = "file") -> ValidatedUpload:
    """The upload checked by content and size, or a ValidationError on ``field``."""
    try:
        upload = validate_upload(
            upload_file, allowed=OUTPUT_KINDS, max_bytes=settings.OUTPUT_FILE_MAX_BYTES
        )
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error
    too_large = table_too_large(upload.file) if upload.kind in TABLE_KINDS else ""
    if too_large:
        raise ValidationError({field: too_large}, code="too_large")
    return upload


def output_store(upload: ValidatedUpload) -> str:
    """Store a ``ValidatedUpload`` at its content address; return the storage name.

    Content already stored is not written again. Two uploads of new, identical content at once
    both end at the one address: the storage's renamed copy of the second is removed.
    """
    name = output_file_path(SimpleNamespace(sha256=upload.sha256), "")
    if not default_storage.exists(name):
        upload.file.seek(0)
        saved = default_storage.save(name, upload.file)
        if saved != name:
            default_storage.delete(saved)
    return name


def _queue_checks(output_file: OutputFile) -> None:
    """Run the automated checks on ``output_file`` once the upload has committed."""
    try:
        from outputs.tasks import run_checks
    except ImportError:  # the automated checks are not installed
        return
    file_id = output_file.pk
    transaction.on_commit(lambda: run_checks.delay(file_id))


# Requests and groups


def output_request_create(
    *, project: Proposal, by: User, title: str | None, request: HttpRequest | None = None
) -> OutputRequest:
    """Start a draft output request in an active project, up to its end date, with ``by`` as
    its author."""
    title = _clean(title)
    with transaction.atomic():
        project = Proposal.objects.select_for_update().get(pk=project.pk)
        check_user_can_list_requests(by, project)
        if not access_open(project):
            raise ValidationError(PROJECT_NOT_ACTIVE)
        if not title:
            raise ValidationError({"title": "Enter a short description of the outputs"})
        output_request = OutputRequest.objects.create(project=project, author=by, title=title)
        audit_record(
            actor=by,
            action="output_request.created",
            obj=output_request,
            to_state=output_request.state,
            payload={"project": project.pk},
            # The author's free text, under their key (the request's audit_person_id).
            personal={"title": title},
            request=request,
        )
    return output_request


def group_add(
    *,
    output_request: OutputRequest,
    by: User,
    name: str | None,
    context: str | None = "",
    disclosure_controls: str | None = "",
    request: HttpRequest | None = None,
) -> FileGroup:
    """Add a named group of files; its context and controls may follow before submission."""
    name = _clean(name)
    _group_name_check(name)
    with transaction.atomic():
        output_request = _lock(output_request)
        check_user_can_edit_request(by, output_request)
        if output_request.groups.filter(name__iexact=name).exists():
            raise ValidationError({"name": "This request already has a group with that name"})
        try:
            with transaction.atomic():
                group = FileGroup.objects.create(
                    request=output_request,
                    name=name,
                    context=_clean(context),
                    disclosure_controls=_clean(disclosure_controls),
                )
        except IntegrityError as error:
            raise ValidationError(
                {"name": "This request already has a group with that name"}
            ) from error
        audit_record(
            actor=by,
            action="output_request.group_added",
            obj=output_request,
            payload={"group": group.pk},
            # Names people give groups and files are their free text, under their key.
            person=by.pk,
            personal={"name": name},
            request=request,
        )
    return group


def group_update(
    *,
    group: FileGroup,
    by: User,
    name: str | None,
    context: str | None,
    disclosure_controls: str | None,
    request: HttpRequest | None = None,
) -> FileGroup:
    """Change a group's name, context or disclosure controls."""
    name = _clean(name)
    _group_name_check(name)
    with transaction.atomic():
        output_request = _lock(group.request)
        check_user_can_edit_request(by, output_request)
        group = FileGroup.objects.select_for_update().get(pk=group.pk)
        if output_request.groups.filter(name__iexact=name).exclude(pk=group.pk).exists():
            raise ValidationError({"name": "This request already has a group with that name"})
        group.name = name
        group.context = _clean(context)
        group.disclosure_controls = _clean(disclosure_controls)
        group.save()
        audit_record(
            actor=by,
            action="output_request.group_changed",
            obj=output_request,
            payload={"group": group.pk},
            request=request,
        )
    return group


# Files


def _file_create(
    *,
    group: FileGroup,
    upload: ValidatedUpload,
    by: User,
    output_type: str,
    counts_file: OutputFile | None = None,
    degrees_of_freedom: int | None = None,
) -> OutputFile:
    output_file = OutputFile.objects.create(
        group=group,
        name=upload.original_name
        if upload.original_name != "file"
        else f"output.{upload.extension}",
        output_type=output_type,
        file=output_store(upload),
        sha256=upload.sha256,
        size=upload.size,
        content_type=upload.content_type,
        counts_file=counts_file,
        degrees_of_freedom=degrees_of_freedom,
        uploaded_by=by,
    )
    _queue_checks(output_file)
    return output_file


def file_add(
    *,
    group: FileGroup,
    by: User,
    upload_file: "File[bytes]",
    output_type: str,
    counts_file: OutputFile | None = None,
    counts_upload: "File[bytes] | None" = None,
    degrees_of_freedom: int | None = None,
    request: HttpRequest | None = None,
) -> OutputFile:
    """Add a file to ``group``. A magnitude table needs the counts behind it: a file already in
    the request (``counts_file``) or one uploaded with it (``counts_upload``)."""
    if output_type not in OutputType.values:
        raise ValidationError({"output_type": "Select the type of output"})
    _degrees_of_freedom_check(degrees_of_freedom)
    upload = output_validate(upload_file)
    counts = output_validate(counts_upload, field="counts_upload") if counts_upload else None
    if output_type == OutputType.MAGNITUDE_TABLE and not (counts_file or counts):
        raise ValidationError(
            {"counts_file": "Choose or upload the counts behind this magnitude table"}
        )
    with transaction.atomic():
        output_request = _lock(group.request)
        check_user_can_edit_request(by, output_request)
        group = FileGroup.objects.get(pk=group.pk, request=output_request)
        if (
            counts_file is not None
            and not OutputFile.objects.filter(
                pk=counts_file.pk, group__request=output_request, replaced_at__isnull=True
            ).exists()
        ):
            raise ValidationError({"counts_file": "Choose a file from this request"})
        if counts is not None:
            counts_file = _file_create(
                group=group, upload=counts, by=by, output_type=OutputType.FREQUENCY_TABLE
            )
        if output_type != OutputType.MAGNITUDE_TABLE:
            counts_file = None
        output_file = _file_create(
            group=group,
            upload=upload,
            by=by,
            output_type=output_type,
            counts_file=counts_file,
            degrees_of_freedom=degrees_of_freedom,
        )
        audit_record(
            actor=by,
            action="output_request.file_added",
            obj=output_request,
            payload={
                "file": output_file.pk,
                "sha256": output_file.sha256,
                "output_type": output_type,
                "counts_file": counts_file.pk if counts_file else None,
            },
            person=by.pk,
            personal={"name": output_file.name},
            request=request,
        )
    return output_file


def file_replace(
    *,
    output_file: OutputFile,
    by: User,
    upload_file: "File[bytes]",
    request: HttpRequest | None = None,
) -> OutputFile:
    """Replace a file with a new version: a new row; the old one keeps ``replaced_at``.

    Magnitude tables that named the old file as their counts now name the new one, and the
    votes on the old one in reviews still open are forgotten (``votes_reset_for_file``), all in
    the one transaction.
    """
    upload = output_validate(upload_file)
    with transaction.atomic():
        output_request = _lock(output_file.group.request)
        check_user_can_edit_request(by, output_request)
        old = OutputFile.objects.select_for_update().get(pk=output_file.pk)
        if old.replaced_at is not None:
            raise ValidationError({"file": "This file has been replaced already"})
        new = _file_create(
            group=old.group,
            upload=upload,
            by=by,
            output_type=old.output_type,
            counts_file=old.counts_file,
            degrees_of_freedom=old.degrees_of_freedom,
        )
        old.replaced_at = timezone.now()
        old.save(update_fields=["replaced_at"])
        OutputFile.objects.filter(counts_file=old, replaced_at__isnull=True).update(counts_file=new)
        audit_record(
            actor=by,
            action="output_request.file_replaced",
            obj=output_request,
            payload={"old_file": old.pk, "file": new.pk, "sha256": new.sha256},
            request=request,
        )
        votes_reset_for_file(old, by=by, request=request)
    return new


def file_remove(
    *, output_file: OutputFile, by: User, request: HttpRequest | None = None
) -> dict[str, Any]:
    """Take a file out of its request while the author may still change it (a draft, or
    returned): its automated check results and any checkers' votes on it go with it, and the
    audit trail keeps its name and SHA-256. Earlier versions it replaced stay, as the record of
    what was checked in earlier rounds; the stored content stays too, as other rows may share
    it. A file holding the counts behind a magnitude table in the request is kept until that
    table is removed or given other counts.
    """
    with transaction.atomic():
        output_request = _lock(output_file.group.request)
        output_file = (
            OutputFile.objects.select_for_update(of=("self",))
            .select_related("group__request__project")
            .get(pk=output_file.pk, group__request=output_request)
        )
        check_user_can_remove_file(by, output_file)
        tables = OutputFile.objects.filter(counts_file=output_file, replaced_at__isnull=True)
        names = ", ".join(tables.order_by("pk").values_list("name", flat=True))
        if names:
            raise ValidationError(
                f"{output_file.name} holds the counts behind {names}: remove or replace that "
                "table first.",
                code="counts_file",
            )
        payload: dict[str, Any] = {
            "file": output_file.pk,
            "sha256": output_file.sha256,
            "group": output_file.group_id,
            "checks": output_file.checks.count(),
            "votes": output_file.votes.count(),
        }
        personal = {"name": output_file.name}
        output_file.delete()
        audit_record(
            actor=by,
            action="output_request.file_removed",
            obj=output_request,
            payload=payload,
            # The name is the uploader's free text, under their key.
            person=output_file.uploaded_by_id,
            personal=personal,
            request=request,
        )
    return {**payload, **personal}


def file_details_update(
    *,
    output_file: OutputFile,
    by: User,
    degrees_of_freedom: int | None = None,
    request: HttpRequest | None = None,
) -> None:
    """Record a regression's residual degrees of freedom on a file."""
    _degrees_of_freedom_check(degrees_of_freedom)
    with transaction.atomic():
        output_request = _lock(output_file.group.request)
        check_user_can_edit_request(by, output_request)
        OutputFile.objects.filter(pk=output_file.pk).update(degrees_of_freedom=degrees_of_freedom)
        audit_record(
            actor=by,
            action="output_request.file_changed",
            obj=output_request,
            payload={"file": output_file.pk, "degrees_of_freedom": degrees_of_freedom},
            request=request,
        )


# Submitting and withdrawing


def output_request_submit(
    *, output_request: OutputRequest, by: User, request: HttpRequest | None = None
) -> OutputRequest:
    """Send the request (new, or again after its return) to the output checkers."""
    with transaction.atomic():
        resubmitted = output_request.state == OutputRequest.State.RETURNED
        output_request = transition_fire(
            obj=output_request,
            transition="submit",
            by=by,
            request=request,
            payload={"resubmitted": resubmitted},
        )
    return output_request


def output_request_withdraw(
    *, output_request: OutputRequest, by: User, request: HttpRequest | None = None
) -> OutputRequest:
    """Withdraw a draft or returned request; it can no longer be submitted."""
    return transition_fire(obj=output_request, transition="withdraw", by=by, request=request)


def output_requests_close_unreleased(*, project: Proposal) -> int:
    """The service closes unreleased every unfinished output request of an ended ``project``
    once the grace period after its end date is over; return how many. Each author and the
    co-ordinator are told (``notices``). A request that moved on meanwhile, or whose project
    has not reached that point, is refused by its transition and left alone.

    Registered in ``projects.hooks.grace_over``, which the daily close calls.
    """
    closed = 0
    unfinished = OutputRequest.objects.filter(
        project=project, state__in=OutputRequest.UNFINISHED
    ).order_by("pk")
    for output_request in unfinished:
        try:
            transition_fire(
                obj=output_request,
                transition="lapse",
                by=None,
                payload={"reason": "grace_over", "automatic": True},
            )
        except TransitionRefused:
            continue
        closed += 1
    return closed
