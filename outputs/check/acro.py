"""Reading an ACRO output folder: ``results.json`` and the files it lists.

ACRO (Automatic Checking of Research Outputs) writes, for each output, its status (pass, fail
or review), an outcome table whose cells name the checks that cell failed ("ok",
"threshold; ", "threshold; p-ratio; "), the researcher's comments and exception request, and
the files holding the output; then the SHA-256 of every file in the folder, each in
``checksums/<name>.txt``. Every file is checked against that checksum, so a folder changed
after ACRO wrote it is refused.

Versions 0.4 and 1.0 share this layout (ACRO's ``Records.finalise_json`` and
``write_checksums``; SACRO's viewer reads both the same way). Newer releases add a top-level
``session_summary`` and a custom output ``DO_NOT_RELEASE_session_summary.csv`` "for output
checker use only": the summary is ignored, and such an output is read but marked
``for_release = False`` so it is never added to a request.

``load_acro`` reads a folder (a zip or a directory) and records problems with single files;
``read_acro`` also refuses a folder with any problem. Both raise ``ValidationError`` with a
message naming the problem when the folder cannot be read at all.

A zip is small and says what it unpacks to, so nothing it says is believed before it is
bounded: its list of contents is sized before it is parsed, a file larger than
``OUTPUT_FILE_MAX_BYTES`` (``ACRO_RESULTS_MAX_BYTES`` for results.json) is refused before a
byte of it is unpacked, files are read a chunk at a time with the limit enforced as they
unpack, checksums are worked out while streaming, and the files' bytes are kept only while
each is brought in (``AcroFile.read``), never for the whole folder at once. Each file may
belong to one output only, and there are at most ``ACRO_ZIP_MAX_FILES`` outputs, so peak
memory stays within a few times the per-file limit whatever results.json lists.
"""

import hashlib
import io
import json
import lzma
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

RESULTS = "results.json"
STATUSES = ("pass", "fail", "review")
SUPPORTED_VERSIONS = "0.4 and 1.0"

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
CHUNK_BYTES = 1024 * 1024
# A checksum file holds one SHA-256 in hex; anything longer is not one.
CHECKSUM_MAX_BYTES = 1024
# ACRO nests results.json about eight deep; anything far deeper is not ACRO's, and reading it
# would only make the code recurse until it fails.
RESULTS_MAX_DEPTH = 32
# The longest uid an output file keeps (OutputFile.acro_uid).
UID_MAX_LENGTH = 200
# A flagged cell is a row and a column of a table, counted from 0.
CELL_MAX_INDEX = 2**31 - 1
# A zip's list of contents takes at most this much per file it may hold (name, extra fields).
_DIRECTORY_BYTES_PER_FILE = 1024
# ACRO's own marker for what it writes for checkers only, never to leave the secure setting.
NOT_FOR_RELEASE_PREFIX = "DO_NOT_RELEASE"


@dataclass
class AcroFile:
    """A file an output lists: its size and SHA-256 worked out while streaming it, and the
    checksum ACRO wrote for it. ``size`` is None when the file is not in the folder."""

    name: str
    size: int | None
    sha256: str
    expected_sha256: str
    folder: object = field(default=None, repr=False, compare=False)
    member: str = field(default="", repr=False, compare=False)

    @property
    def verified(self) -> bool:
        return self.size is not None and self.sha256 == self.expected_sha256

    def read(self) -> bytes | None:
        """The file's bytes, read again from the folder within the per-file limit, or None
        when it is not there. Read one file at a time: the folder's files are never all held
        at once."""
        if self.size is None:
            return None
        return _read(self.folder, self.member, limit=settings.OUTPUT_FILE_MAX_BYTES)


@dataclass
class AcroOutput:
    uid: str
    status: str
    output_type: str
    summary: str
    files: list[AcroFile] = field(default_factory=list)
    flagged_cells: dict[str, list[list[int]]] = field(default_factory=dict)
    comments: str = ""
    exception: str = ""

    @property
    def checksums_verified(self):
        return all(file.verified for file in self.files)

    @property
    def for_release(self) -> bool:
        """False for what ACRO marks as for output checkers only (its session summary)."""
        return not any(
            PurePosixPath(file.name).name.startswith(NOT_FOR_RELEASE_PREFIX) for file in self.files
        )


@dataclass
class AcroFolder:
    version: str
    outputs: list[AcroOutput] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def checksums_verified(self):
        return all(output.checksums_verified for output in self.outputs)

    def summary(self):
        """Each output's uid mapped to its status, file names, flagged cells per check and
        whether its checksums verified: what ``acro_summary`` prints."""
        return {
            output.uid: {
                "status": output.status,
                "files": [file.name for file in output.files],
                "flagged_cells": {
                    check: len(cells) for check, cells in output.flagged_cells.items()
                },
                "checksums_verified": output.checksums_verified,
                "for_release": output.for_release,
            }
            for output in self.outputs
        }


def _refuse(message):
    raise ValidationError(message, code="acro")


def _bytes(size):
    return filesizeformat(size).replace("\xa0", " ")


def _safe_member(name):
    """The path inside the folder, or a refusal when it would reach outside it."""
    if "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name) or "\x00" in name:
        _refuse(f"The ACRO folder contains “{name}”, a path outside the folder, so it was refused.")
    path = PurePosixPath(name)
    if any(part == ".." for part in path.parts):
        _refuse(f"The ACRO folder contains “{name}”, a path outside the folder, so it was refused.")
    return path


def _too_large(name, limit, size=None):
    unpacked = f"is {_bytes(size)}" if size is not None else "is larger than that"
    _refuse(
        f"“{name}” in the ACRO folder {unpacked} once unpacked, and at most {_bytes(limit)} "
        "is accepted, so the folder was refused."
    )


# Errors a damaged or hostile zip raises while a member is unpacked.
_UNPACK_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    RuntimeError,  # encrypted
    NotImplementedError,  # a compression method zipfile does not know
    ValueError,
)

_END_RECORD = struct.Struct("<4s4H2LH")
_END_RECORD_SIGNATURE = b"PK\x05\x06"
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_END_RECORD = struct.Struct("<4sQ2H2L4Q")


def _directory_size(handle):
    """How many bytes of contents list the zip's end record gives, found the way ``zipfile``
    finds it, or None when there is no end record (``zipfile`` then says the zip is broken).
    ``zipfile`` parses that many bytes into objects before anything can count them."""
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    tail_start = max(0, size - _END_RECORD.size - 0xFFFF)
    handle.seek(tail_start)
    tail = handle.read()
    handle.seek(0)
    last = len(tail) - _END_RECORD.size
    if last >= 0 and tail[last : last + 4] == _END_RECORD_SIGNATURE and tail[-2:] == b"\0\0":
        at = last
    else:
        at = tail.rfind(_END_RECORD_SIGNATURE)
        if at < 0 or len(tail) - at < _END_RECORD.size:
            return None
    directory_size = _END_RECORD.unpack_from(tail, at)[5]
    zip64_at = at - _ZIP64_LOCATOR.size - _ZIP64_END_RECORD.size
    if zip64_at >= 0:
        locator = _ZIP64_LOCATOR.unpack_from(tail, at - _ZIP64_LOCATOR.size)
        record = _ZIP64_END_RECORD.unpack_from(tail, zip64_at)
        if locator[0] == b"PK\x06\x07" and record[0] == b"PK\x06\x06":
            directory_size = record[8]
    return directory_size


class _Zip:
    def __init__(self, source):
        limit = settings.ACRO_ZIP_MAX_BYTES
        size = _size_of(source)
        if size is not None and size > limit:
            _refuse("The ACRO zip must be smaller than " + _bytes(limit) + ".")
        too_many = (
            f"The ACRO zip holds more files than the {settings.ACRO_ZIP_MAX_FILES} "
            "accepted at most."
        )
        try:
            if isinstance(source, str | Path):
                with open(source, "rb") as handle:
                    directory_size = _directory_size(handle)
            else:
                directory_size = _directory_size(source)
            if (
                directory_size is not None
                and directory_size > settings.ACRO_ZIP_MAX_FILES * _DIRECTORY_BYTES_PER_FILE
            ):
                _refuse(too_many)
            self.zip = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error) as error:
            raise ValidationError(
                "The ACRO folder must be a zip file, and this one could not be opened.",
                code="acro",
            ) from error
        infos = [info for info in self.zip.infolist() if not info.is_dir()]
        if len(infos) > settings.ACRO_ZIP_MAX_FILES:
            _refuse(
                f"The ACRO zip holds {len(infos)} files; at most "
                f"{settings.ACRO_ZIP_MAX_FILES} are accepted."
            )
        if sum(info.file_size for info in infos) > settings.ACRO_ZIP_MAX_UNCOMPRESSED_BYTES:
            _refuse("The ACRO zip is too large once unpacked.")
        self.members = {}
        for info in infos:
            path = _safe_member(info.filename)
            self.members[str(path)] = info

    def names(self):
        return list(self.members)

    def size(self, name):
        info = self.members.get(name)
        return None if info is None else info.file_size

    def chunks(self, name, limit):
        """The member's bytes a chunk at a time, refused unread when the zip says it is larger
        than ``limit``, and refused as soon as it unpacks to more (a zip can lie)."""
        info = self.members[name]
        if info.file_size > limit:
            _too_large(name, limit, info.file_size)
        read = 0
        try:
            with self.zip.open(info) as handle:
                while chunk := handle.read(CHUNK_BYTES):
                    read += len(chunk)
                    if read > limit:
                        _too_large(name, limit)
                    yield chunk
        except _UNPACK_ERRORS as error:
            raise ValidationError(
                f"“{name}” in the ACRO zip could not be read.", code="acro"
            ) from error


class _Directory:
    def __init__(self, root):
        self.root = Path(root).resolve()

    def names(self):
        return [
            str(path.relative_to(self.root).as_posix())
            for path in self.root.rglob("*")
            if path.is_file()
        ]

    def _path(self, name):
        path = (self.root / name).resolve()
        if not path.is_relative_to(self.root):
            _refuse(f"“{name}” is a path outside the ACRO folder, so it was refused.")
        return path

    def size(self, name):
        path = self._path(name)
        return path.stat().st_size if path.is_file() else None

    def chunks(self, name, limit):
        path = self._path(name)
        size = path.stat().st_size
        if size > limit:
            _too_large(name, limit, size)
        read = 0
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                read += len(chunk)
                if read > limit:
                    _too_large(name, limit)
                yield chunk


def _read(folder, name, *, limit):
    """The bytes of ``name`` in ``folder``, at most ``limit`` of them, or None when absent."""
    if folder.size(name) is None:
        return None
    content = bytearray()
    for chunk in folder.chunks(name, limit):
        content += chunk
    return bytes(content)


def _digest(folder, name, *, limit):
    """The SHA-256 of ``name`` in ``folder``, worked out while streaming it: nothing is kept."""
    digest = hashlib.sha256()
    for chunk in folder.chunks(name, limit):
        digest.update(chunk)
    return digest.hexdigest()


def _size_of(source):
    if isinstance(source, str | Path):
        return Path(source).stat().st_size
    return getattr(source, "size", None)


def _open(source):
    if isinstance(source, str | Path):
        path = Path(source)
        if path.is_dir():
            return _Directory(path)
        if not path.is_file():
            _refuse(f"There is no ACRO folder or zip at {path}.")
    return _Zip(source)


def _results_prefix(folder):
    """The folder inside the zip holding results.json: the top, or one folder down."""
    candidates = sorted(name for name in folder.names() if PurePosixPath(name).name == RESULTS)
    candidates = [name for name in candidates if len(PurePosixPath(name).parts) <= 2]
    if not candidates:
        _refuse("The ACRO folder has no results.json, so it is not an ACRO output folder.")
    if len(candidates) > 1:
        _refuse("The ACRO folder has more than one results.json; upload one folder at a time.")
    parent = PurePosixPath(candidates[0]).parent
    return "" if str(parent) == "." else f"{parent}/"


def _version_family(version):
    match = re.match(r"^\s*v?(\d+)\.(\d+)", str(version))
    if not match:
        return None
    major, minor = int(match.group(1)), int(match.group(2))
    if (major, minor) == (0, 4):
        return "0.4"
    if major == 1:
        return "1.0"
    return None


def _flagged_from_outcome(outcome):
    """Flagged cells per check from an ACRO outcome table: ``{column: {row: "threshold; "}}``.

    A cell is [row, column] by position in the outcome table, which has the output's shape.
    """
    flagged = {}
    if not isinstance(outcome, dict):
        return flagged
    columns = list(outcome)
    rows = {}  # each row's position, in the order rows first appear
    for column in columns:
        cells = outcome[column]
        if isinstance(cells, dict):
            for row in cells:
                rows.setdefault(row, len(rows))
    for c, column in enumerate(columns):
        cells = outcome[column]
        if not isinstance(cells, dict):
            continue
        for row, value in cells.items():
            for check in str(value or "").split(";"):
                check = check.strip()
                if check and check != "ok":
                    flagged.setdefault(check, []).append([rows[row], c])
    for cells in flagged.values():
        cells.sort()
    return flagged


def _is_cell(position):
    return (
        isinstance(position, list)
        and len(position) == 2
        and all(
            type(index) is int and 0 <= index <= CELL_MAX_INDEX  # bool is an int too
            for index in position
        )
    )


def _flagged_from_sdc(sdc, uid):
    """Flagged cells per check from ACRO's ``sdc.cells``: ``{check: [[row, column], ...]}``."""
    flagged = {}
    cells = sdc.get("cells") if isinstance(sdc, dict) else None
    if isinstance(cells, dict):
        for check, positions in cells.items():
            if not isinstance(positions, list) or not all(map(_is_cell, positions)):
                _refuse(
                    f"The ACRO result “{uid}” lists flagged cells that are not pairs of row and "
                    "column numbers, so the folder could not be read."
                )
            if positions:
                flagged[check] = [list(position) for position in positions]
    return flagged


def _storable(text):
    """False for a string no database keeps: a NUL, or half of a UTF-16 pair."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _results_shape_check(data):
    """Refuse results.json nested far deeper than ACRO writes it, or holding a string no
    database can keep: walked with a list, not recursion, so any depth is safe to measure."""
    pending = [(data, 0)]
    while pending:
        value, depth = pending.pop()
        if depth > RESULTS_MAX_DEPTH:
            _refuse(
                "The ACRO results.json is nested far more deeply than ACRO writes it, so the "
                "folder could not be read."
            )
        if isinstance(value, dict):
            pending.extend((key, depth + 1) for key in value)
            pending.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and not _storable(value):
            _refuse(
                "The ACRO results.json holds characters that are not text (a NUL or an unpaired "
                "surrogate), so the folder could not be read."
            )


def _text(value):
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(item) for item in value if str(item).strip())
    return str(value)


def _expected_checksum(folder, prefix, name, problems):
    stored = _read(folder, f"{prefix}checksums/{name}.txt", limit=CHECKSUM_MAX_BYTES)
    given = stored.decode("ascii", errors="replace") if stored is not None else ""
    given = given.strip().lower()
    if not _SHA256.match(given):
        problems.append(f"{name} has no SHA-256 checksum in the ACRO folder.")
        return ""
    return given


def load_acro(source):
    """Read an ACRO output folder: a path to a directory or zip, or an open zip file.

    Problems with single files (a missing file, a checksum that does not match) are kept on
    the result's ``problems``; anything that stops the folder being read raises
    ``ValidationError``.
    """
    folder = _open(source)
    prefix = _results_prefix(folder)
    raw = _read(folder, f"{prefix}{RESULTS}", limit=settings.ACRO_RESULTS_MAX_BYTES)
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except RecursionError as error:
        raise ValidationError(
            "The ACRO results.json is nested far more deeply than ACRO writes it, so the folder "
            "could not be read.",
            code="acro",
        ) from error
    # ValueError covers bad UTF-8, bad JSON and a number too long to convert.
    except ValueError as error:
        raise ValidationError(
            "The ACRO results.json is not valid JSON, so the folder could not be read.",
            code="acro",
        ) from error
    _results_shape_check(data)
    if not isinstance(data, dict) or "version" not in data:
        _refuse("The ACRO results.json does not say which version of ACRO wrote it.")
    version = str(data["version"])
    family = _version_family(version)
    if family is None:
        _refuse(
            f"The ACRO results.json was written by version {version}; "
            f"only versions {SUPPORTED_VERSIONS} can be read."
        )
    results = data.get("results")
    if not isinstance(results, dict):
        _refuse("The ACRO results.json has no list of results.")
    most = settings.ACRO_ZIP_MAX_FILES
    if len(results) > most:
        _refuse(f"The ACRO results.json lists {len(results)} outputs; at most {most} are accepted.")
    problems = []
    outputs = []
    listed = set()
    for key, record in results.items():
        if not isinstance(record, dict):
            _refuse(f"The ACRO result “{key}” is not in the expected form.")
        uid = str(record.get("uid") or key)
        if len(uid) > UID_MAX_LENGTH:
            _refuse(
                f"The ACRO result “{uid[:40]}…” has an id longer than {UID_MAX_LENGTH} "
                "characters, so the folder could not be read."
            )
        status = str(record.get("status", "")).lower()
        if status not in STATUSES:
            _refuse(f"The ACRO result “{uid}” has the status “{status}”, not pass, fail or review.")
        entries = record.get("files") or []
        if not isinstance(entries, list):
            _refuse(f"The ACRO result “{uid}” does not list its files.")
        files = []
        flagged = _flagged_from_outcome(record.get("outcome"))
        for entry in entries:
            name = entry.get("name") if isinstance(entry, dict) else entry
            if not isinstance(name, str) or not name:
                _refuse(f"The ACRO result “{uid}” lists a file without a name.")
            path = str(_safe_member(name))
            # One file listed many times would be unpacked and kept once per listing.
            if path in listed:
                _refuse(
                    f"The ACRO results.json lists “{name}” more than once; each file belongs "
                    "to one output only, so the folder was refused."
                )
            listed.add(path)
            if len(listed) > most:
                _refuse(f"The ACRO results.json lists more than the {most} files accepted at most.")
            member = f"{prefix}{path}"
            size = folder.size(member)
            if size is None:
                problems.append(f"{name} is listed in results.json but is not in the folder.")
            expected = _expected_checksum(folder, prefix, path, problems)
            actual = (
                _digest(folder, member, limit=settings.OUTPUT_FILE_MAX_BYTES)
                if size is not None
                else ""
            )
            if size is not None and expected and actual != expected:
                problems.append(
                    f"{name} does not match its checksum: it was changed after ACRO wrote it."
                )
            files.append(AcroFile(name, size, actual, expected, folder=folder, member=member))
            from_sdc = _flagged_from_sdc(entry.get("sdc"), uid) if isinstance(entry, dict) else {}
            if not flagged:
                flagged = from_sdc
        outputs.append(
            AcroOutput(
                uid=uid,
                status=status,
                output_type=str(record.get("type", "")),
                summary=_text(record.get("summary")),
                files=files,
                flagged_cells=flagged,
                comments=_text(record.get("comments")),
                exception=_text(record.get("exception")),
            )
        )
    return AcroFolder(version=version, outputs=outputs, problems=problems)


def read_acro(source: str | Path | IO[bytes]) -> AcroFolder:
    """Read an ACRO output folder, refusing it unless every file is present and verified."""
    folder = load_acro(source)
    if folder.problems:
        raise ValidationError(
            [ValidationError(problem, code="acro") for problem in folder.problems]
        )
    if not folder.outputs:
        _refuse("The ACRO results.json lists no outputs.")
    return folder
