"""Writing a person's data into a zip: one JSON file per registered part, the files the parts
name under files/, and a README.txt saying what each holds.

Records are written one at a time and files copied in blocks, so neither a long audit trail
nor a large output file is ever held whole in memory; the zip goes to a temporary file on the
worker, never to memory.
"""

import re
import shutil
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping
from typing import IO, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from researchers.hooks import personal_data

COPY_BLOCK = 1024 * 1024


def safe_segment(text: str, *, fallback: str = "file") -> str:
    """``text`` as one safe segment of a path in a zip: ASCII letters, digits, dot, dash and
    underscore only, no leading dot, at most 100 characters."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return text[:100].strip("-.") or fallback


def zip_path(*segments: object) -> str:
    """A path inside the zip from ``segments``, each made safe: ``zip_path("files", "outputs",
    "12-table.csv")``. Nothing a person typed can climb out of the folder it is put in."""
    return "/".join(safe_segment(str(segment)) for segment in segments)


def file_path(folder: str, pk: object, name: str, stored_name: str = "") -> str:
    """Where a stored file sits in the zip: ``files/<folder>/<pk>-<name>``, with the stored
    file's extension when ``name`` has none."""
    stem = safe_segment(name or "file")
    if "." not in stem and "." in stored_name:
        stem = f"{stem}.{safe_segment(stored_name.rsplit('.', 1)[-1])}"
    return zip_path("files", folder, f"{pk}-{stem}")


def _json_write(handle: IO[bytes], rows: Any) -> int:
    """Write ``rows`` as JSON: a dict whole, anything else as an array one record at a time.
    Returns the number of records."""
    encoder = DjangoJSONEncoder(ensure_ascii=False, indent=2)
    if isinstance(rows, Mapping) or rows is None:
        handle.write(encoder.encode(rows).encode())
        return 1 if rows else 0
    count = 0
    handle.write(b"[")
    for row in rows:
        handle.write(b",\n" if count else b"\n")
        handle.write(encoder.encode(row).encode())
        count += 1
    handle.write(b"\n]\n" if count else b"]\n")
    return count


def _readme(person, written: list[tuple[str, str, int]], files: int) -> str:
    lines = [
        f"Your data held by {settings.SERVICE_NAME}",
        "",
        f"Prepared on {timezone.localtime():%d %B %Y at %H:%M} for {person.email}.",
        "Each .json file is UTF-8 JSON; dates and times are ISO 8601, in UTC.",
        "",
    ]
    for name, describes, count in written:
        lines += [f"{name}.json ({count} record{'s' if count != 1 else ''})", f"  {describes}", ""]
    lines += [
        f"files/ ({files} file{'s' if files != 1 else ''})",
        "  The files named in the .json files, under the same paths.",
        "",
        "The audit trail is never changed once written. If anything here is wrong, contact the",
        f"secretariat at {settings.SERVICE_CONTACT_EMAIL}. To ask for your data to be erased, sign",
        'in and choose "Ask us to erase your data" on your dashboard.',
        "",
    ]
    return "\n".join(lines)


def archive_write(*, person, into: IO[bytes]) -> dict[str, int]:
    """Write the zip of everything registered about ``person`` into the open binary file
    ``into``. Returns how many records each part held, and the number of files."""
    counts: dict[str, int] = {}
    written: list[tuple[str, str, int]] = []
    seen: set[str] = set()
    parts = personal_data()
    with zipfile.ZipFile(into, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for part in parts:
            with archive.open(f"{zip_path(part.name)}.json", "w", force_zip64=True) as handle:
                count = _json_write(handle, part.rows(person))
            counts[part.name] = count
            written.append((part.name, part.describes, count))
        files = 0
        for part in parts:
            if part.files is None:
                continue
            for path, stored in _files_of(part, person):
                path = zip_path(*path.split("/"))
                if path in seen:
                    continue
                seen.add(path)
                with stored.open("rb") as source, archive.open(path, "w", force_zip64=True) as out:
                    shutil.copyfileobj(source, out, COPY_BLOCK)
                files += 1
        counts["files"] = files
        archive.writestr("README.txt", _readme(person, written, files))
    return counts


def _files_of(part, person) -> Iterable[tuple[str, Any]]:
    return [(path, stored) for path, stored in part.files(person) if path and stored]
