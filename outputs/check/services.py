"""Running the automated checks on an output file, and bringing in an ACRO output folder."""

import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest

from audit.services import audit_record
from outputs.check import checks as checks
from outputs.check.acro import AcroOutput, read_acro
from outputs.models import (
    CheckResult,
    FileGroup,
    OutputFile,
    OutputRequest,
    OutputType,
    output_file_path,
)
from outputs.permissions import is_author_in_project
from researchers.models import User
from uploads.validators import sanitise_name, validate_upload

# The kinds of file an ACRO folder may bring in: those an output request accepts.
ACRO_FILE_KINDS = ("csv", "xlsx", "png", "svg", "pdf", "txt")

_ACRO_TYPES = {
    "table": OutputType.FREQUENCY_TABLE,
    "regression": OutputType.REGRESSION,
    "histogram": OutputType.HISTOGRAM,
    "survival table": OutputType.SURVIVAL_TABLE,
    "survival plot": OutputType.FIGURE,
    "pie chart": OutputType.FIGURE,
}
_STORED_CHECKS = set(CheckResult.Check.values)


def _read(field_file: FieldFile) -> io.BytesIO | None:
    if not field_file:
        return None
    with field_file.open("rb") as handle:
        return io.BytesIO(handle.read())


def file_checks_run(*, file: OutputFile) -> list[CheckResult]:
    """Run every automated check on ``file`` and keep the results, replacing earlier ones.

    Safe to run twice: the second run leaves the same results. ACRO's own result for the
    file, brought in with its folder, is kept.
    """
    counts = file.counts_file
    results = checks.run_checks(
        file.output_type,
        file=_read(file.file),
        counts_file=_read(counts.file) if counts is not None else None,
        degrees_of_freedom=file.degrees_of_freedom,
    )
    with transaction.atomic():
        locked = OutputFile.objects.select_for_update().filter(pk=file.pk).first()
        if locked is None:
            return []
        locked.checks.exclude(check_name=CheckResult.Check.ACRO).delete()
        return [
            CheckResult.objects.create(
                file=locked,
                check_name=result.check,
                outcome=result.outcome,
                message=result.message,
                flagged_cells=result.flagged_cells,
                details=result.details,
            )
            # Figures and other outputs have no automated check to store: a checker looks.
            for result in results
            if result.check in _STORED_CHECKS
        ]


NOT_RUN_MESSAGE = (
    "The automated checks could not run on this file, so an output checker must check every "
    "cell by hand, and comment to approve it."
)


def file_checks_not_run(*, file: OutputFile) -> CheckResult | None:
    """Record that the automated checks could not run on ``file`` after every retry.

    The file then no longer holds its request back: a checker sees why there are no check
    results and checks it by hand, commenting to approve it as for a failed check.
    """
    with transaction.atomic():
        locked = OutputFile.objects.select_for_update().filter(pk=file.pk).first()
        if locked is None:
            return None
        locked.checks.exclude(check_name=CheckResult.Check.ACRO).delete()
        return CheckResult.objects.create(
            file=locked,
            check_name=CheckResult.Check.NOT_RUN,
            outcome=CheckResult.Outcome.REVIEW,
            message=NOT_RUN_MESSAGE,
        )


def _acro_output_message(output: AcroOutput) -> str:
    message = {
        "pass": "ACRO passed this output.",
        "fail": "ACRO failed this output.",
        "review": "ACRO asks for this output to be checked by eye.",
    }[output.status]
    checks_named = ", ".join(sorted(output.flagged_cells))
    if checks_named:
        message += f" Cells flagged by: {checks_named}."
    return message


def _table_cells(cells: Iterable[tuple[int, ...]]) -> list[list[int]]:
    # ACRO's outcome table has no header row or label column; the file it wrote has both.
    return sorted([row + 1, column + 1] for row, column in cells)


def _store(row: OutputFile, content: bytes) -> str:
    """Keep ``content`` at its content address, once, and return the storage name."""
    name = output_file_path(row, "")
    if not default_storage.exists(name):
        saved = default_storage.save(name, ContentFile(content))
        if saved != name:
            default_storage.delete(saved)
    return name


@dataclass(frozen=True)
class AcroImport:
    files: list[OutputFile]  # the OutputFile rows added
    left_out: list[str]  # uids of the outputs ACRO marks as for output checkers only


def acro_import(
    *,
    request: OutputRequest,
    group: FileGroup,
    zip_file: IO[bytes],
    by: User,
    http_request: HttpRequest | None = None,
) -> AcroImport:
    """Add each file of an ACRO output folder (a zip) to ``group`` of an output request,
    with ACRO's status, flagged cells, comments and exception request for each output.

    What ACRO marks as for output checkers only (its session summary) is left out. The
    folder is refused as a whole, with a message naming the problem, when it cannot be
    read, a file is missing or changed after ACRO wrote it, or a file is not a kind outputs
    may be. Returns an ``AcroImport``: the new OutputFile rows and the outputs left out.
    """
    with transaction.atomic():
        request = OutputRequest.objects.select_for_update().get(pk=request.pk)
        if group.request_id != request.pk:
            raise PermissionDenied
        if not is_author_in_project(request, by):
            raise PermissionDenied
        if request.state not in OutputRequest.EDITABLE:
            raise ValidationError(
                "Files can be added only while the request is a draft or returned.",
                code="state",
            )
        folder = read_acro(zip_file)
        created: list[OutputFile] = []
        for output in folder.outputs:
            if not output.for_release:
                continue
            for acro_file in output.files:
                # One file's bytes at a time, dropped once stored.
                content = acro_file.read()
                assert content is not None  # read_acro refuses a folder with a file missing
                upload = ContentFile(content, name=acro_file.name)
                try:
                    validated = validate_upload(
                        upload, allowed=ACRO_FILE_KINDS, max_bytes=settings.OUTPUT_FILE_MAX_BYTES
                    )
                    if validated.sha256 != acro_file.sha256:
                        raise ValidationError("It changed while it was being read.", code="changed")
                    tabular = validated.kind in checks.TABLE_KINDS
                    too_large = checks.table_too_large(upload) if tabular else ""
                    if too_large:
                        raise ValidationError(too_large, code="too_large")
                except ValidationError as error:
                    raise ValidationError(
                        f"{acro_file.name} in the ACRO folder: {' '.join(error.messages)}",
                        code="acro",
                    ) from error
                row = OutputFile(
                    group=group,
                    name=sanitise_name(acro_file.name),
                    output_type=_ACRO_TYPES.get(output.output_type, OutputType.OTHER),
                    sha256=validated.sha256,
                    size=validated.size,
                    content_type=validated.content_type,
                    acro_uid=output.uid,
                    acro_status=output.status,
                    acro_comments=output.comments,
                    acro_exception=output.exception,
                    uploaded_by=by,
                )
                row.file.name = _store(row, content)
                row.save()
                CheckResult.objects.create(
                    file=row,
                    check_name=CheckResult.Check.ACRO,
                    outcome=output.status,
                    message=_acro_output_message(output),
                    flagged_cells=_table_cells(
                        {tuple(cell) for cells in output.flagged_cells.values() for cell in cells}
                    ),
                    details={
                        "acro_version": folder.version,
                        "acro_type": output.output_type,
                        "summary": output.summary,
                        "flagged_cells": output.flagged_cells,
                        "checksum_verified": acro_file.verified,
                    },
                )
                created.append(row)
        audit_record(
            actor=by,
            action="output_acro_imported",
            obj=request,
            payload={
                "group": group.pk,
                "acro_version": folder.version,
                "outputs": [output.uid for output in folder.outputs if output.for_release],
                "not_for_release": [
                    output.uid for output in folder.outputs if not output.for_release
                ],
                "files": [row.pk for row in created],
            },
            request=http_request,
        )
        from outputs.tasks import run_checks_on_commit

        for row in created:
            run_checks_on_commit(row)
    return AcroImport(
        files=created,
        left_out=[output.uid for output in folder.outputs if not output.for_release],
    )
