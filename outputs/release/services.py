"""Releasing an approved output request, and the project members' audited downloads of what
was released. Each function runs inside one ``transaction.atomic()`` with its audit event."""

import hashlib
import tempfile
import zipfile
from collections.abc import Iterable
from typing import IO

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.services import audit_record
from outputs.models import Download, OutputFile, OutputRequest
from researchers.models import User
from uploads.validators import sanitise_name
from workflow.services import transition_fire

CHUNK_BYTES = 1024 * 1024
MANIFEST_NAME = "MANIFEST.txt"


def output_request_release(
    *, output_request: OutputRequest, by: User, request: HttpRequest | None = None
) -> OutputRequest:
    """An output checker who is not on the project releases an approved request; the project's
    members are told their outputs can be downloaded."""
    return transition_fire(obj=output_request, transition="release", by=by, request=request)


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
    while name in used or name == MANIFEST_NAME:
        name = f"{stem} ({counter}){dot}{extension}" if dot else f"{name} ({counter})"
        counter += 1
    used.add(name)
    return name


def released_zip_build(*, output_request: OutputRequest, files: Iterable[OutputFile]) -> IO[bytes]:
    """A zip of ``files`` with MANIFEST.txt listing each one's name, size and SHA-256, written
    to a temporary file a chunk at a time (never a whole file in memory). Sizes and digests are
    worked out from the bytes written, so the manifest describes exactly what is in the zip.
    Returns the temporary file, rewound; closing it removes it."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    used: set[str] = set()
    rows: list[tuple[str, int, str]] = []
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for output_file in files:
            name = _zip_name(output_file, used)
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
