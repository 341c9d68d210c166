"""Checking an uploaded file before anything is stored."""

import hashlib
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat

from .kinds import HEAD_BYTES, KINDS, describe

# Order of preference when content would pass for more than one kind: a CSV is also text.
_PREFERENCE = ("pdf", "png", "jpeg", "xlsx", "svg", "csv", "txt")


@dataclass(frozen=True)
class ValidatedUpload:
    """An uploaded file that passed ``validate_upload``, with what its content turned out to be."""

    file: "File[bytes]"
    kind: str
    extension: str
    content_type: str
    size: int
    sha256: str
    original_name: str


def sanitise_name(name: str, *, max_length: int = 200, fallback: str = "file") -> str:
    """A person's file name made safe to show, to offer back as a download name and to be one
    part of a path: never ``.`` or ``..``, no separators, no control characters. ``fallback``
    when nothing is left."""
    # Normalised first: a fullwidth solidus or full stop becomes a real one only then.
    name = unicodedata.normalize("NFKC", str(name))
    name = PurePosixPath(name.replace("\\", "/")).name
    name = re.sub(r"[\x00-\x1f\x7f-\x9f\"<>:|?*;]+", "", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if len(name) > max_length:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: max_length - len(suffix) - 1] + dot + suffix) if dot else name[:max_length]
    return name or fallback


def sha256_and_size(file) -> tuple[str, int]:
    """The SHA-256 and size of the open ``file``, read from its start a megabyte at a time, and
    left at its start again."""
    digest = hashlib.sha256()
    size = 0
    file.seek(0)
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        digest.update(chunk)
        size += len(chunk)
    file.seek(0)
    return digest.hexdigest(), size


def _sha256(file):
    return sha256_and_size(file)[0]


def validate_upload(
    file: "File[bytes]", *, allowed: Collection[str], max_bytes: int | None = None
) -> ValidatedUpload:
    """Check ``file`` is one of the ``allowed`` kinds by its content, and not too large.

    The name the file came with is ignored for the check: a PNG named ``scan.pdf`` is
    accepted as a PNG when PNG is allowed, and a program renamed ``.pdf`` is refused.
    Returns a ``ValidatedUpload``; raises ``ValidationError`` with a message for the person.
    """
    unknown = set(allowed) - set(KINDS)
    if unknown:
        raise ValueError(f"No detector is registered for {', '.join(sorted(unknown))}.")
    allowed_in_order = [name for name in _PREFERENCE if name in allowed] + sorted(
        set(allowed) - set(_PREFERENCE)
    )
    max_bytes = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    size = file.size
    if not size:
        raise ValidationError("The selected file is empty", code="empty")
    if size > max_bytes:
        raise ValidationError(
            "The selected file must be smaller than %(limit)s",
            code="too_large",
            params={"limit": filesizeformat(max_bytes).replace("\xa0", " ")},
        )
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    for name in allowed_in_order:
        if KINDS[name].detect(head, file):
            kind = KINDS[name]
            file.seek(0)
            return ValidatedUpload(
                file=file,
                kind=kind.name,
                extension=kind.extension,
                content_type=kind.content_type,
                size=size,
                sha256=_sha256(file),
                original_name=sanitise_name(getattr(file, "name", "") or ""),
            )
    raise ValidationError(
        "The selected file must be %(kinds)s",
        code="wrong_type",
        params={"kinds": describe(allowed_in_order)},
    )
