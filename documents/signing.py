"""PAdES signatures on PDF files with pyHanko, and their verification against our own certificate.

``sign_pdf`` signs with the key and certificate that settings name (PAdES B-B, or B-T when a
timestamp server is configured). ``verify_pdf`` reads any bytes a member of the public uploads
and says, in words, what holds: it never raises on bad input.
"""

import asyncio
import hashlib
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from typing import TYPE_CHECKING

from django.conf import settings
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from .keys import SigningNotConfigured, signing_material

if TYPE_CHECKING:
    from pyhanko.sign.timestamps import TimeStamper

logger = logging.getLogger(__name__)

# The document information key where a document's own reference travels inside the PDF
# (written by WeasyPrint, lower-cased, from <meta name="DocumentReference">).
REFERENCE_KEY = "/documentreference"

NOT_A_PDF = "This file is not a PDF."
UNREADABLE = "This file could not be read as a PDF. It may be damaged or not a real PDF."
NO_SIGNATURE = "This PDF has no digital signature."
ALTERED = "The file has been changed since it was signed: the signature no longer matches."
NOT_TRUSTED = "The signature was not made with this service's signing certificate."
CHANGED_AFTER = "Something was added to the file after it was signed."


@dataclass(frozen=True)
class Verification:
    """What a check of a PDF's signature found. ``valid`` is the bottom line."""

    intact: bool = False
    valid: bool = False
    trusted: bool = False
    signer_name: str = ""
    signed_at: datetime | None = None
    fingerprint: str = ""
    reference: str | None = None
    errors: list[str] = field(default_factory=list)


def _outside_event_loop(function, *args, **kwargs):
    """Call ``function``, in a thread of its own when this thread already runs an event loop.

    pyHanko's synchronous API starts its own event loop with ``asyncio.run``, which refuses to
    run inside another one (an ASGI server, or a browser driver in the same thread).
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(function, *args, **kwargs).result()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _signer():
    material = signing_material()
    signer = signers.SimpleSigner.load(
        str(material.key_path), str(material.cert_path), key_passphrase=material.passphrase
    )
    if signer is None:
        raise SigningNotConfigured(
            "The declaration signing key could not be read: check DECLARATION_SIGNING_KEY, "
            "DECLARATION_SIGNING_CERT and DECLARATION_SIGNING_KEY_PASSPHRASE."
        )
    return signer


def _timestamper():
    url = settings.DECLARATION_TIMESTAMP_URL
    if not url:
        return None
    from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper

    return HTTPTimeStamper(url)


def sign_pdf(
    pdf_bytes: bytes,
    *,
    field_name: str,
    reason: str,
    location: str,
    timestamper: "TimeStamper | None" = None,
) -> bytes:
    """``pdf_bytes`` with an invisible PAdES signature appended as an incremental update.

    B-B by default; B-T when settings name DECLARATION_TIMESTAMP_URL or a ``timestamper`` is
    given. Raises ``SigningNotConfigured`` when the key or certificate cannot be read.
    """
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location=location,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes))
    pdf_signer = signers.PdfSigner(
        metadata, signer=_signer(), timestamper=timestamper or _timestamper()
    )
    output = _outside_event_loop(pdf_signer.sign_pdf, writer)
    return output.getvalue()


def trust_roots():
    return [load_cert_from_pemder(str(signing_material().cert_path))]


def _reference(reader, embedded):
    try:
        resolver = reader.get_historical_resolver(embedded.signed_revision)
        info = resolver.trailer_view.get("/Info")
        value = info.get_object().get(REFERENCE_KEY) if info is not None else None
    except Exception:  # a damaged information dictionary only loses the reference
        return None
    if value is None:
        return None
    return str(value).strip() or None


def verify_pdf(pdf_bytes):
    """Check the last signature in ``pdf_bytes`` against the configured certificate."""
    fingerprint = sha256_hex(pdf_bytes)
    if b"%PDF-" not in pdf_bytes[:1024]:
        return Verification(fingerprint=fingerprint, errors=[NOT_A_PDF])
    try:
        reader = PdfFileReader(BytesIO(pdf_bytes), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # any parser failure on uploaded bytes is the same answer
        logger.info("An uploaded PDF could not be parsed.", exc_info=True)
        return Verification(fingerprint=fingerprint, errors=[UNREADABLE])
    if not signatures:
        return Verification(fingerprint=fingerprint, errors=[NO_SIGNATURE])
    embedded = signatures[-1]
    try:
        context = ValidationContext(trust_roots=trust_roots(), allow_fetching=False)
        status = _outside_event_loop(validate_pdf_signature, embedded, context)
    except SigningNotConfigured:
        raise
    except Exception:  # a forged signature must give an answer, not a 500
        logger.info("An uploaded PDF signature could not be validated.", exc_info=True)
        return Verification(
            fingerprint=fingerprint, reference=_reference(reader, embedded), errors=[ALTERED]
        )
    errors = []
    if not status.intact or not status.valid:
        errors.append(ALTERED)
    elif not status.trusted:
        errors.append(NOT_TRUSTED)
    whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    # The bottom line leaves out the timestamp's own chain of trust: a timestamp server's root
    # is not ours to configure here, and the signature stands on our certificate alone.
    sound = (
        status.intact
        and status.valid
        and status.trusted
        and status.seed_value_ok
        and (status.docmdp_ok or status.modification_level is None)
    )
    timestamp = status.timestamp_validity
    timestamp_ok = timestamp is not None and timestamp.intact and timestamp.valid
    if status.intact and not whole_file:
        errors.append(CHANGED_AFTER)
    try:
        signer_name = embedded.signer_cert.subject.native.get("common_name", "")
    except Exception:
        signer_name = ""
    return Verification(
        intact=bool(status.intact),
        valid=bool(sound and whole_file),
        trusted=bool(status.trusted),
        signer_name=signer_name,
        signed_at=(
            timestamp.timestamp
            if timestamp_ok
            else status.signer_reported_dt or embedded.self_reported_timestamp
        ),
        fingerprint=fingerprint,
        reference=_reference(reader, embedded),
        errors=errors,
    )
