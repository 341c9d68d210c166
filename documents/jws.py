"""The service's key as a JSON Web Key: its public half published as a JSON Web Key Set, compact
JWS signatures of any payload made with it, and their verification against it.

The key is the one that signs declarations (``DECLARATION_SIGNING_KEY``), so the service has one
key to guard and one public key to publish; its ``kid`` is its RFC 7638 thumbprint. Anyone can
verify what it signs from the key set alone. ``jws_verify`` reads whatever a member of the
public pastes or uploads and says, in words, what holds: it never raises on bad input.
"""

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.urls import reverse
from joserfc import jws
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import RSAKey

from .keys import SigningNotConfigured, signing_material

ALGORITHM = "RS256"

NOT_A_JWS = (
    "This is not a signed record: a signed record (JWS) is three parts of letters and digits "
    "separated by two full stops."
)
NOT_OURS = "This was not signed with this service's key."
ALTERED = "This has been changed since the service signed it: its signature no longer matches."


@lru_cache(maxsize=4)
def _key(key_path: str, passphrase: bytes | None) -> RSAKey:
    with open(key_path, "rb") as pem:
        content = pem.read()
    try:
        return RSAKey.import_key(content, password=passphrase)
    except (ValueError, TypeError, JoseError) as error:
        raise SigningNotConfigured(
            "The signing key could not be read as an RSA key: check DECLARATION_SIGNING_KEY "
            "and DECLARATION_SIGNING_KEY_PASSPHRASE."
        ) from error


def service_key() -> RSAKey:
    """The service's private key, as a JSON Web Key. Raises ``SigningNotConfigured`` when the
    key that settings name cannot be read."""
    material = signing_material()
    return _key(str(material.key_path), material.passphrase)


def jwks() -> dict[str, Any]:
    """The JSON Web Key Set of the service's public key."""
    key = service_key()
    public = key.as_dict(private=False)
    return {"keys": [{**public, "kid": key.thumbprint(), "use": "sig", "alg": ALGORITHM}]}


def jwks_url() -> str:
    """Where the key set is published, in full."""
    return f"{settings.SITE_URL}{reverse('jwks')}"


def jws_sign(payload: bytes, *, typ: str, cty: str = "") -> str:
    """``payload`` signed with the service's key, as a JWS compact serialisation whose payload
    is exactly those bytes. The protected header names the key (``kid``) and where its set is
    published (``jku``); ``typ`` and ``cty`` say what the payload is."""
    key = service_key()
    header = {"alg": ALGORITHM, "typ": typ, "kid": key.thumbprint(), "jku": jwks_url()}
    if cty:
        header["cty"] = cty
    return jws.serialize_compact(header, payload, key, algorithms=[ALGORITHM])


@dataclass(frozen=True)
class JwsVerification:
    """What a check of a compact JWS against the service's key found. ``valid`` is the bottom
    line; ``payload`` and ``header`` are given only when it holds."""

    valid: bool = False
    payload: bytes = b""
    header: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _unverified_header(value: str) -> dict[str, Any] | None:
    try:
        parsed = jws.extract_compact(value.encode("ascii"))
    except (JoseError, ValueError, UnicodeError):
        return None
    header = parsed.protected
    return header if isinstance(header, dict) else None


def jws_verify(value: str | bytes) -> JwsVerification:
    """Check a compact JWS against the service's key, whatever ``value`` holds. Raises only
    ``SigningNotConfigured``, when the service's own key cannot be read."""
    if isinstance(value, bytes):
        try:
            value = value.decode("ascii")
        except UnicodeDecodeError:
            return JwsVerification(errors=[NOT_A_JWS])
    value = "".join(value.split())
    header = _unverified_header(value) if value.count(".") == 2 else None
    if header is None:
        return JwsVerification(errors=[NOT_A_JWS])
    key = service_key()
    if header.get("alg") != ALGORITHM or header.get("kid") != key.thumbprint():
        return JwsVerification(errors=[NOT_OURS])
    try:
        verified = jws.deserialize_compact(value, key, algorithms=[ALGORITHM])
    except BadSignatureError:
        return JwsVerification(errors=[ALTERED])
    except (JoseError, ValueError, TypeError, json.JSONDecodeError):
        return JwsVerification(errors=[NOT_A_JWS])
    return JwsVerification(valid=True, payload=verified.payload, header=dict(verified.headers()))
