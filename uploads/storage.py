"""Where uploaded and generated files are kept: under a private prefix of the default storage,
the local folder MEDIA_ROOT or, when configured, an S3-compatible bucket (``PrivateS3Storage``).

Neither is ever served by URL; files leave only through ``uploads.responses.serve_file`` from
views that have checked permission first. Code reads and writes them through the storage API
(``storage.open``, ``storage.save``, ``storage.exists``), never by a path on this machine, so
every web and worker node sees the same files.
"""

import secrets
from pathlib import PurePosixPath
from types import TracebackType
from typing import TYPE_CHECKING, Literal, Self

from botocore.config import Config
from django.conf import settings
from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from storages.backends.s3 import S3Storage

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile

    from .validators import ValidatedUpload

PRIVATE_PREFIX = "private"

# Extensions a stored name may carry; anything else is stored without one.
SAFE_EXTENSIONS = {"pdf", "png", "jpg", "jpeg", "csv", "xlsx", "svg", "txt"}


class PrivateS3Storage(S3Storage):
    """An S3-compatible bucket holding the service's files, privately.

    Settings give only where the bucket is and how to reach it; what keeps the files private is
    fixed here. Objects get no ACL of their own, so they are as private as the bucket (never
    ``public-read``). ``url()`` signs nothing: an unsigned address to a private object opens
    nothing, so no page can hand out a link that skips the permission check a download makes.
    A name already taken is never overwritten, as on the local disk. An object read back larger
    than the in-memory upload limit spills to a temporary file instead of filling memory.
    """

    default_acl = None
    querystring_auth = False
    file_overwrite = False

    def __init__(self, **options: object) -> None:
        options.setdefault("max_memory_size", settings.FILE_UPLOAD_MAX_MEMORY_SIZE)
        super().__init__(**options)

    def bucket_head(self, *, timeout: float) -> None:
        """Ask whether the bucket is there and the keys may use it, a HEAD request tried once
        within ``timeout`` seconds. Raises botocore's error when the answer is no."""
        client = getattr(self._connections, "probe", None)
        if client is None or self._connections.probe_timeout != timeout:
            session = self._create_session()
            client = session.client(
                "s3",
                region_name=self.region_name,
                use_ssl=self.use_ssl,
                endpoint_url=self.endpoint_url,
                verify=self.verify,
                config=self.client_config.merge(
                    Config(
                        connect_timeout=timeout,
                        read_timeout=timeout,
                        retries={"total_max_attempts": 1},
                    )
                ),
            )
            self._connections.probe = client
            self._connections.probe_timeout = timeout
        client.head_bucket(Bucket=self.bucket_name)


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
