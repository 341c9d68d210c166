"""Real WeasyPrint renders and real pyHanko signatures: what a person checking a PDF would see."""

import asyncio
import hashlib
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.utils import timezone

from documents.keys import SigningNotConfigured, self_signed_pair_write
from documents.rendering import render_pdf
from documents.signing import NO_SIGNATURE, NOT_A_PDF, sign_pdf, verify_pdf

REFERENCE = "ARS-DEC-7K3Q-9M2P"


def _context():
    now = timezone.now()
    return {
        "service_name": "Approved Researcher Service",
        "name": "Amara Okafor",
        "email": "amara@example.ac.uk",
        "organisation": "University of Example",
        "reference": REFERENCE,
        "version_number": 1,
        "version_published_at": now,
        "version_text": "I will keep the data confidential.\n\nI will report any breach.",
        "signed_at": now,
        "verify_url": "https://ars.example.gov.uk/verify/?reference=" + REFERENCE,
        "qr_code_data_uri": "",
    }


@pytest.fixture(scope="module")
def unsigned_pdf():
    return render_pdf("documents/declaration_pdf.html", _context())


@pytest.fixture
def signed_pdf(unsigned_pdf):
    return sign_pdf(
        unsigned_pdf, field_name="Declaration", reason="Confidentiality declaration", location="UK"
    )


def _flip_a_byte_inside_the_page(pdf, unsigned_pdf):
    # A byte of the first content stream: inside what the signature covers, and not one the
    # parser needs to find its way through the file.
    position = unsigned_pdf.index(b"stream\n") + len(b"stream\n") + 10
    altered = bytearray(pdf)
    altered[position] ^= 0x01
    return bytes(altered)


def test_render_pdf_makes_a_pdf_with_the_reference_inside(unsigned_pdf):
    assert unsigned_pdf.startswith(b"%PDF-")
    assert verify_pdf(unsigned_pdf).errors == [NO_SIGNATURE]


def test_sign_pdf_signature_verifies_intact_and_trusted(signed_pdf):
    verification = verify_pdf(signed_pdf)

    assert verification.intact
    assert verification.trusted
    assert verification.valid
    assert verification.errors == []
    assert verification.reference == REFERENCE
    assert "development" in verification.signer_name
    assert abs((timezone.now() - verification.signed_at).total_seconds()) < 60
    assert verification.fingerprint == hashlib.sha256(signed_pdf).hexdigest()


def test_verify_pdf_one_altered_byte_is_not_intact(signed_pdf, unsigned_pdf):
    verification = verify_pdf(_flip_a_byte_inside_the_page(signed_pdf, unsigned_pdf))

    assert not verification.intact
    assert not verification.valid
    assert "changed since it was signed" in verification.errors[0]


def test_verify_pdf_signed_by_another_key_is_not_trusted(unsigned_pdf, settings, tmp_path):
    key, cert = self_signed_pair_write(
        key_path=tmp_path / "other-key.pem", cert_path=tmp_path / "other-cert.pem"
    )
    trusted_cert = settings.DECLARATION_SIGNING_CERT
    settings.DECLARATION_SIGNING_KEY, settings.DECLARATION_SIGNING_CERT = str(key), str(cert)
    forged = sign_pdf(unsigned_pdf, field_name="Declaration", reason="Forged", location="UK")
    settings.DECLARATION_SIGNING_CERT = trusted_cert

    verification = verify_pdf(forged)

    assert verification.intact
    assert not verification.trusted
    assert not verification.valid
    assert "not made with this service's signing certificate" in verification.errors[0]


def test_verify_pdf_not_a_pdf_says_so():
    verification = verify_pdf(b"GIF89a this is an image, not a declaration")

    assert not verification.valid
    assert verification.errors == [NOT_A_PDF]


def test_verify_pdf_truncated_pdf_gives_an_answer_not_an_exception(signed_pdf):
    verification = verify_pdf(signed_pdf[: len(signed_pdf) // 3])

    assert not verification.valid
    assert verification.errors


def test_verify_pdf_appended_update_is_not_valid(signed_pdf):
    appended = signed_pdf + b"\n% an incremental change after signing\n"

    verification = verify_pdf(appended)

    assert not verification.valid


def test_sign_pdf_without_a_key_names_the_settings(unsigned_pdf, settings, tmp_path):
    settings.DECLARATION_SIGNING_KEY = str(tmp_path / "missing.pem")

    with pytest.raises(SigningNotConfigured, match="DECLARATION_SIGNING_KEY"):
        sign_pdf(unsigned_pdf, field_name="Declaration", reason="r", location="l")


def test_sign_pdf_with_a_timestamp_server_verifies_with_the_stamped_time(unsigned_pdf, tmp_path):
    # A timestamp authority of our own, in process: no network in tests.
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder
    from pyhanko.sign.timestamps import DummyTimeStamper

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test timestamp authority")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "tsa-cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "tsa-key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    stamped_at = now.replace(microsecond=0) - datetime.timedelta(minutes=5)
    timestamper = DummyTimeStamper(
        tsa_cert=load_cert_from_pemder(str(tmp_path / "tsa-cert.pem")),
        tsa_key=load_private_key_from_pemder(str(tmp_path / "tsa-key.pem"), passphrase=None),
        fixed_dt=stamped_at,
    )

    signed = sign_pdf(
        unsigned_pdf, field_name="Declaration", reason="r", location="l", timestamper=timestamper
    )
    verification = verify_pdf(signed)

    assert verification.valid
    assert verification.signed_at == stamped_at


def test_sign_and_verify_work_inside_a_running_event_loop(unsigned_pdf):
    # An ASGI server, or a browser driver sharing the thread, already runs an event loop there.
    async def sign_and_verify():
        signed = sign_pdf(unsigned_pdf, field_name="Declaration", reason="r", location="UK")
        return verify_pdf(signed)

    # A thread of its own, so the test does not depend on what loop this thread runs already.
    with ThreadPoolExecutor(max_workers=1) as executor:
        verification = executor.submit(asyncio.run, sign_and_verify()).result()

    assert verification.valid
    assert verification.intact
