"""Where uploaded files are kept: under a private prefix of the default storage.

MEDIA_ROOT is never served by URL; files leave only through ``uploads.responses.serve_file``
from views that have checked permission first.
"""

import secrets
from pathlib import PurePosixPath
from types import TracebackType
from typing import TYPE_CHECKING, Literal, Self

from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone
from django.utils.deconstruct import deconstructible

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile

    from .validators import ValidatedUpload

PRIVATE_PREFIX = "private"

# Extensions a stored name may carry; anything else is stored without one.
SAFE_EXTENSIONS = {"pdf", "png", "jpg", "jpeg", "csv", "xlsx", "svg", "txt"}


@deconstructible
class PrivateUploadTo:
    """An ``upload_to`` giving a random name under ``private/<area>/<year>/``.

    The name a person chose never becomes a path: it could collide, leak personal
    information or carry traversal characters. Only a known extension is kept.
    """

    def __init__(self, area):
        self.area = area.strip("/")

    def __call__(self, instance, filename):
        suffix = PurePosixPath(filename).suffix.lower().lstrip(".")
        extension = f".{suffix}" if suffix in SAFE_EXTENSIONS else ""
        year = timezone.now().year
        return f"{PRIVATE_PREFIX}/{self.area}/{year}/{secrets.token_hex(16)}{extension}"

    def __eq__(self, other):
        return isinstance(other, PrivateUploadTo) and other.area == self.area


class UploadBatch:
    """Files stored during one change, removed again if the change fails.

    Use it outside the change's transaction, so the files go once the rollback is done::

        with UploadBatch() as uploads, transaction.atomic():
            previous = uploads.store(record.evidence, upload)
    """

    def __init__(self) -> None:
        self.stored: list[tuple[Storage, str | None]] = []

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> Literal[False]:
        if exc_type is not None:
            for storage, name in self.stored:
                storage.delete(name)
        return False

    def store(self, field_file: "FieldFile", upload: "ValidatedUpload") -> str:
        """Save a ``ValidatedUpload`` into ``field_file`` (not saving the model) under a new
        name. Returns the name the field held before, for ``delete_after_commit``."""
        previous = field_file.name or ""
        field_file.save(f"upload.{upload.extension}", upload.file, save=False)
        self.stored.append((field_file.storage, field_file.name))
        return previous


def delete_after_commit(storage: Storage, name: str | None) -> None:
    """Remove a replaced or deleted file once the change that let go of it is committed."""
    if name:
        transaction.on_commit(lambda: storage.delete(name))
