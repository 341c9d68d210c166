"""The signing key and certificate: where settings put them, and a development pair made here."""

import datetime
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings

DEVELOPMENT_COMMON_NAME = "Approved Researcher Service declarations (development)"


class SigningNotConfigured(Exception):
    """The signing key or certificate that settings name cannot be read."""


@dataclass(frozen=True)
class SigningMaterial:
    key_path: Path
    cert_path: Path
    passphrase: bytes | None


def signing_material():
    """The configured key and certificate paths, checked to exist."""
    key_path = Path(settings.DECLARATION_SIGNING_KEY)
    cert_path = Path(settings.DECLARATION_SIGNING_CERT)
    for label, path in (("key", key_path), ("certificate", cert_path)):
        if not path.is_file():
            raise SigningNotConfigured(
                f"The declaration signing {label} is not at {path}. Set DECLARATION_SIGNING_KEY "
                "and DECLARATION_SIGNING_CERT, or run `python manage.py signing_keys_ensure` "
                "in development."
            )
    passphrase = settings.DECLARATION_SIGNING_KEY_PASSPHRASE
    return SigningMaterial(key_path, cert_path, passphrase.encode() if passphrase else None)


def self_signed_pair_write(*, key_path, cert_path, common_name=DEVELOPMENT_COMMON_NAME, years=10):
    """Write a new RSA key and a self-signed certificate for it, usable for PDF signatures."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, settings.SERVICE_NAME),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * years))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path = Path(key_path)
    cert_path = Path(cert_path)
    key_path.parent.mkdir(parents=True, exist_ok=True)
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path
