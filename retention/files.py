"""Stored files as the run sees them: which are still referred to, which none refers to, and
the SHA-256 of each before it goes. Only through Django's storage API, so the same code works on
the local disk and on an S3-compatible bucket."""

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.core.files.storage import Storage, default_storage
from django.db import models

from uploads.storage import PRIVATE_PREFIX
from uploads.validators import sha256_and_size

logger = logging.getLogger(__name__)

# Names asked about in one query: well inside every database's limit on parameters.
NAMES_PER_QUERY = 500


@dataclass(frozen=True)
class StoredFile:
    storage: Storage
    name: str


def file_fields() -> list[tuple[type[models.Model], str]]:
    """Every model field of the project that names a stored file."""
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField)
    ]


def names_in_use(names: Iterable[str]) -> set[str]:
    """Those of ``names`` some row still refers to, in any file field of any model.

    Content-addressed output files are shared by every row holding the same bytes, and an
    amendment shares its project's DPIA: a file goes only when nothing refers to it any more.
    A fixed number of queries for each ``NAMES_PER_QUERY`` names.
    """
    names = sorted(set(names))
    fields = file_fields()
    used: set[str] = set()
    for start in range(0, len(names), NAMES_PER_QUERY):
        chunk = names[start : start + NAMES_PER_QUERY]
        for model, field in fields:
            used.update(
                model._base_manager.filter(**{f"{field}__in": chunk}).values_list(field, flat=True)
            )
    return used


def stored_names(storage: Storage = default_storage, folder: str = PRIVATE_PREFIX) -> Iterator[str]:
    """Every file kept under ``folder``, walked through the storage's listings."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}"
    for name in sorted(folders):
        yield from stored_names(storage, f"{folder}/{name}")


def modified_at(stored: StoredFile) -> datetime | None:
    try:
        return stored.storage.get_modified_time(stored.name)
    except (FileNotFoundError, NotImplementedError):
        return None


def fingerprint(stored: StoredFile) -> dict[str, object]:
    """The file's name, size and SHA-256, read from storage; marked missing when it is gone."""
    try:
        with stored.storage.open(stored.name, "rb") as handle:
            sha256, size = sha256_and_size(handle)
    except FileNotFoundError:
        return {"name": stored.name, "size": None, "sha256": "", "missing": True}
    return {"name": stored.name, "size": size, "sha256": sha256}


def files_delete(files: Iterable[StoredFile]) -> None:
    """Remove ``files`` from storage, each asked about again first: one a row came to refer to
    since the run looked (an identical output uploaded meanwhile) is left where it is."""
    files = list(files)
    used = names_in_use(stored.name for stored in files)
    for stored in files:
        if stored.name in used:
            logger.warning("Kept %s: a record came to refer to it during the run", stored.name)
            continue
        stored.storage.delete(stored.name)
