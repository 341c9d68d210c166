"""Releasing an approved output request, and the project members' audited downloads of what
was released. Each function runs inside one ``transaction.atomic()`` with its audit event."""

import hashlib
import logging
import tempfile
import zipfile
from collections.abc import Iterable
from typing import IO

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record
from documents.jws import jws_sign
from documents.keys import SigningNotConfigured
from outputs.models import Download, OutputFile, OutputRequest, ReleaseRecord
from outputs.release.records import (
    JSON_NAME,
    JWS_NAME,
    JWS_TYPE,
    SCHEMA,
    record_files,
    release_record_document,
)
from outputs.release.selectors import current_files
from researchers.models import User
from uploads.validators import sanitise_name
from workflow.services import transition_fire

logger = logging.getLogger(__name__)

CHUNK_BYTES = 1024 * 1024
MANIFEST_NAME = "MANIFEST.txt"
# Names at the top of the zip; a released file is always inside its group's folder.
RESERVED_NAMES = frozenset({MANIFEST_NAME, JSON_NAME, JWS_NAME})


def output_request_release(
    *, output_request: OutputRequest, by: User, request: HttpRequest | None = None
) -> OutputRequest:
    """An output checker who is not on the project releases an approved request, and its
    release record is written and signed in the same transaction; the project's members are
    told their outputs can be downloaded."""
    with transaction.atomic():
        released = transition_fire(obj=output_request, transition="release", by=by, request=request)
        release_record_create(output_request=released, released_by=by)
    return released


def release_record_create(
    *, output_request: OutputRequest, released_by: User | None
) -> ReleaseRecord:
    """Write the release record of released ``output_request``, signed if the service's key
    can be read. Without the key the release still stands: the record is kept unsigned, the
    operators are told in the log, and ``release_record_ensure`` signs it once the key is
    there, before anyone is given it."""
    files = list(record_files(current_files(output_request)))
    document = release_record_document(
        output_request=output_request,
        entries=list(zip(zip_names(files), files, strict=True)),
        released_by=released_by,
    )
    record = ReleaseRecord(
        request=output_request,
        schema=SCHEMA,
        document=document.decode("utf-8"),
        sha256=hashlib.sha256(document).hexdigest(),
    )
    _sign(record)
    record.save()
    return record


def _sign(record: ReleaseRecord) -> None:
    try:
        record.jws = jws_sign(record.document_bytes, typ=JWS_TYPE, cty="application/json")
    except SigningNotConfigured as error:
        # Signing cannot succeed until an operator configures the key; the record waits.
        logger.error("The release record of request %s is not signed: %s", record.request_id, error)
        return
    record.signed_at = timezone.now()


def _released_by(output_request: OutputRequest) -> User | None:
    """Who released a request whose record was not written at its release: the release's
    audit event says."""
    event = (
        AuditEvent.objects.filter(
            action="output_request.release",
            object_type=OutputRequest._meta.label_lower,
            object_id=str(output_request.pk),
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    return event.actor if event is not None else None


def release_record_ensure(*, output_request: OutputRequest) -> ReleaseRecord:
    """The release record of released ``output_request``, signed: written now for a request
    released before records were kept, and signed now if the key was missing when it was
    written. Left unsigned, and still returned, while the key cannot be read."""
    record = ReleaseRecord.objects.filter(request=output_request).first()
    if record is not None and record.jws:
        return record
    with transaction.atomic():
        locked = OutputRequest.objects.select_for_update().get(pk=output_request.pk)
        record = ReleaseRecord.objects.filter(request=locked).first()
        if record is None:
            return release_record_create(
                output_request=output_request, released_by=_released_by(output_request)
            )
        if not record.jws:
            _sign(record)
            if record.jws:
                record.save(update_fields=["jws", "signed_at"])
    return record


def release_record_downloaded(
    *,
    output_request: OutputRequest,
    record: ReleaseRecord,
    signed: bool,
    by: User,
    request: HttpRequest | None = None,
) -> None:
    """Record that ``by`` downloaded the release record alone, as JSON or signed."""
    audit_record(
        actor=by,
        action="output.release_record_downloaded",
        obj=output_request,
        payload={"sha256": record.sha256, "signed": signed},
        request=request,
    )


def download_record(
    *,
    output_request: OutputRequest,
    files: Iterable[OutputFile],
    by: User,
    as_zip: bool = False,
    request: HttpRequest | None = None,
) -> None:
    """Record that ``by`` downloaded ``files`` of a released request, one file or a zip: a
    Download row for each file and one audit event naming them all."""
    files = list(files)
    with transaction.atomic():
        Download.objects.bulk_create(
            Download(file=output_file, request=output_request, user=by, as_zip=as_zip)
            for output_file in files
        )
        audit_record(
            actor=by,
            action="output.downloaded",
            obj=output_request,
            payload={"file_ids": [output_file.pk for output_file in files], "zip": as_zip},
            request=request,
        )


def zip_names(files: Iterable[OutputFile]) -> list[str]:
    """The name of each of ``files`` inside the released zip, in order."""
    used: set[str] = set()
    return [_zip_name(output_file, used) for output_file in files]


def _zip_name(output_file: OutputFile, used: set[str]) -> str:
    """``group/name`` inside the zip, each part cleaned as an uploaded file's name is (no
    separators, never ``.`` or ``..``, no control characters), so no entry reaches outside the
    folder the zip is unpacked into whatever name a group was stored with; a number is added
    when two files would share a name."""
    group = sanitise_name(
        output_file.group.name.replace("/", "-").replace("\\", "-"), fallback="outputs"
    )
    name = f"{group}/{sanitise_name(output_file.name, fallback='output')}"
    stem, dot, extension = name.rpartition(".")
    counter = 2
    while name in used or name in RESERVED_NAMES:
        name = f"{stem} ({counter}){dot}{extension}" if dot else f"{name} ({counter})"
        counter += 1
    used.add(name)
    return name


def released_zip_build(
    *,
    output_request: OutputRequest,
    files: Iterable[OutputFile],
    record: ReleaseRecord | None = None,
) -> IO[bytes]:
    """A zip of ``files`` with MANIFEST.txt listing each one's name, size and SHA-256, written
    to a temporary file a chunk at a time (never a whole file in memory). Sizes and digests are
    worked out from the bytes written, so the manifest describes exactly what is in the zip.
    With ``record``, the release record as release-record.json and, once signed, its signed
    copy as release-record.jws. Returns the temporary file, rewound; closing it removes it."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    files = list(files)
    rows: list[tuple[str, int, str]] = []
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # The same names the release record gives the files.
        for name, output_file in zip(zip_names(files), files, strict=True):
            digest = hashlib.sha256()
            size = 0
            stored = output_file.file.name
            assert stored is not None  # an output file is saved with its content
            with (
                output_file.file.storage.open(stored, "rb") as source,
                archive.open(name, "w", force_zip64=True) as target,
            ):
                while chunk := source.read(CHUNK_BYTES):
                    digest.update(chunk)
                    size += len(chunk)
                    target.write(chunk)
            rows.append((name, size, digest.hexdigest()))
        archive.writestr(MANIFEST_NAME, _manifest(output_request, rows))
        if record is not None:
            archive.writestr(JSON_NAME, record.document_bytes)
            if record.jws:
                archive.writestr(JWS_NAME, record.jws)
    handle.seek(0)
    return handle


def _manifest(output_request: OutputRequest, rows: Iterable[tuple[str, int, str]]) -> str:
    released = output_request.released_at or timezone.now()
    lines = [
        f"Output request {output_request.pk}: {output_request.title or 'untitled'}",
        f"Project: {output_request.project.title}",
        f"Released: {timezone.localtime(released):%Y-%m-%d %H:%M %Z}",
        "",
        "name\tbytes\tsha256",
        *(f"{name}\t{size}\t{digest}" for name, size, digest in rows),
    ]
    return "\n".join(lines) + "\n"
