"""The release record: a machine-readable account of a released request (which checks ran, with
which thresholds and results, ACRO's results and checksums, each checker's decision on each file,
who released it and when, and every file's SHA-256), signed with the service's key.

The JSON is built from the database alone, in a fixed order with sorted keys, so the same request
always gives the same bytes; the JWS's payload is exactly those bytes. A person holding either
file can check it against the key set the service publishes, or on the service's own page.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from documents.jws import jwks_url, jws_verify
from outputs.models import CheckResult, FileVote, OutputFile, OutputRequest, ReleaseRecord
from researchers.models import User

SCHEMA = "urn:approved-researcher-service:release-record:1"
VERSION = 1
# The JWS's ``typ``: a release record, and nothing else the service's key signs (a visa, say),
# passes for one.
JWS_TYPE = "release-record+jws"
JSON_NAME = "release-record.json"
JWS_NAME = "release-record.jws"

NOT_A_RECORD = "This is signed by the service, but it is not a release record."
UNKNOWN_JSON = (
    "This JSON file is not a release record the service signed, or it has been changed since: "
    "not one byte may differ from the file in the released zip."
)


def _when(moment: datetime.datetime | None) -> str | None:
    """A moment in UTC to the second, as ISO 8601 with a ``Z``."""
    if moment is None:
        return None
    return moment.astimezone(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _name(user: User | None) -> str | None:
    return user.get_full_name() if user is not None else None


def _check(result: CheckResult) -> dict[str, Any]:
    return {
        "check": result.check_name,
        "name": result.get_check_name_display(),
        "result": result.outcome,
        "message": result.message,
        # The thresholds and parameters the check ran with, and what it found (for ACRO, its
        # version, summary and whether each file's checksum matched).
        "details": result.details,
        "flagged_cells": len(result.flagged_cells or []),
        "checked_at": _when(result.created_at),
    }


def _acro(output_file: OutputFile) -> dict[str, Any] | None:
    if not output_file.acro_uid:
        return None
    acro = next(
        (c for c in output_file.checks.all() if c.check_name == CheckResult.Check.ACRO), None
    )
    details = acro.details if acro is not None else {}
    return {
        "uid": output_file.acro_uid,
        "status": output_file.acro_status,
        "summary": details.get("summary"),
        "version": details.get("acro_version"),
        "checksum_verified": details.get("checksum_verified"),
        "comments": output_file.acro_comments,
        "exception_request": output_file.acro_exception,
    }


def _decision(vote: FileVote) -> dict[str, Any]:
    return {
        "checker": _name(vote.review.checker),
        "decision": vote.vote,
        "round": vote.review.round,
        "decided_at": _when(vote.review.submitted_at),
    }


def record_files(files: QuerySet[OutputFile]) -> QuerySet[OutputFile]:
    """``files`` (a queryset of OutputFile) with what the record needs of each: its checks and
    the votes of submitted reviews, with their checkers, in three queries however many."""
    return files.prefetch_related(
        Prefetch("checks", queryset=CheckResult.objects.order_by("created_at", "id")),
        Prefetch(
            "votes",
            queryset=FileVote.objects.filter(review__submitted_at__isnull=False)
            .select_related("review__checker")
            .order_by("review__round", "review__submitted_at", "review_id", "id"),
        ),
    )


def release_record_document(
    *,
    output_request: OutputRequest,
    entries: list[tuple[str, OutputFile]],
    released_by: User | None,
) -> bytes:
    """The record of released ``output_request`` as JSON (UTF-8): each of ``entries``, a file
    under its name in the released zip, with its checks and decisions (fetched through
    ``record_files``)."""
    request_path = reverse("outputs:output_request_detail", kwargs={"pk": output_request.pk})
    project = output_request.project
    record = {
        "schema": SCHEMA,
        "version": VERSION,
        "service": {
            "name": settings.SERVICE_NAME,
            "url": f"{settings.SITE_URL}/",
            "jwks_url": jwks_url(),
            "verify_url": settings.SITE_URL + reverse("outputs:release_record_verify"),
        },
        "output_request": {
            "id": output_request.pk,
            "title": output_request.title,
            "url": settings.SITE_URL + request_path,
            "submitted_at": _when(output_request.submitted_at),
            "approved_at": _when(output_request.decided_at),
        },
        "project": {"id": project.pk, "title": project.title},
        "researcher": {"name": _name(output_request.author)},
        "released_by": {"name": _name(released_by)},
        "released_at": _when(output_request.released_at),
        "files": [
            {
                "path": path,
                "name": output_file.name,
                "group": output_file.group.name,
                "output_type": output_file.output_type,
                "size": output_file.size,
                "sha256": output_file.sha256,
                "checks": [_check(result) for result in output_file.checks.all()],
                "acro": _acro(output_file),
                "decisions": [_decision(vote) for vote in output_file.votes.all()],
            }
            for path, output_file in entries
        ],
    }
    text = json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


@dataclass(frozen=True)
class RecordVerification:
    """What a check of a release record found. ``valid``: signed with the service's key, intact,
    and a release record; ``record`` is then its content."""

    valid: bool = False
    record: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    form: str = ""  # "jws" or "json": what was given

    def _part(self, key: str) -> dict[str, Any]:
        part = self.record.get(key)
        return part if isinstance(part, dict) else {}

    @property
    def output_request(self) -> dict[str, Any]:
        return self._part("output_request")

    @property
    def project(self) -> dict[str, Any]:
        return self._part("project")

    @property
    def researcher(self) -> str:
        return str(self._part("researcher").get("name") or "")

    @property
    def released_by(self) -> str:
        return str(self._part("released_by").get("name") or "")

    @property
    def released_at(self) -> datetime.datetime | None:
        value = self.record.get("released_at")
        return parse_datetime(value) if isinstance(value, str) else None

    @property
    def files(self) -> list[dict[str, Any]]:
        files = self.record.get("files")
        return [f for f in files if isinstance(f, dict)] if isinstance(files, list) else []


def _parsed(document: bytes) -> dict[str, Any] | None:
    try:
        record = json.loads(document.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("schema") != SCHEMA:
        return None
    return record


def release_record_verify(given: bytes | str) -> RecordVerification:
    """Check a release record, given as its signed copy (JWS) or its JSON, whatever it holds.

    A JWS must verify against the service's key, be typed as a release record and hold one. A
    JSON file must be, byte for byte, the document of a record the service holds and whose
    stored signature verifies. Raises only ``SigningNotConfigured``.
    """
    data = given.encode("utf-8") if isinstance(given, str) else given
    stripped = data.strip()
    if stripped.startswith(b"{"):
        stored = ReleaseRecord.objects.filter(sha256=hashlib.sha256(data).hexdigest()).first()
        if stored is None or stored.document_bytes != data or not stored.jws:
            return RecordVerification(errors=[UNKNOWN_JSON], form="json")
        signed = jws_verify(stored.jws)
        record = _parsed(data) if signed.valid and signed.payload == data else None
        if record is None:
            return RecordVerification(errors=[UNKNOWN_JSON], form="json")
        return RecordVerification(valid=True, record=record, form="json")
    verification = jws_verify(stripped)
    if not verification.valid:
        return RecordVerification(errors=verification.errors, form="jws")
    record = _parsed(verification.payload)
    if verification.header.get("typ") != JWS_TYPE or record is None:
        return RecordVerification(errors=[NOT_A_RECORD], form="jws")
    return RecordVerification(valid=True, record=record, form="jws")
