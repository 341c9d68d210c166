"""GA4GH Passport visas: each entitlement as a ``ControlledAccessGrants`` visa, a JWT signed with
the service's key, and that key's public half as a JSON Web Key Set anyone can verify against.

The key is the one that signs declarations (``DECLARATION_SIGNING_KEY``), so the service has one
key to guard and one public key to publish. A visa lasts at most ``VISA_LIFETIME``, however long
its entitlement runs: a consumer asks again, and a visa of an entitlement that has ended is not
renewed, so an ending reaches every consumer within that time even if it misses the webhook.
"""

import datetime
import uuid
from functools import lru_cache

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import RSAKey

from documents.keys import signing_material

ALGORITHM = "RS256"
VISA_LIFETIME = datetime.timedelta(hours=1)


@lru_cache(maxsize=4)
def _key(key_path, passphrase):
    with open(key_path, "rb") as pem:
        return RSAKey.import_key(pem.read(), password=passphrase)


def service_key():
    """The service's private key, as a JSON Web Key, with its RFC 7638 thumbprint as ``kid``."""
    material = signing_material()
    return _key(str(material.key_path), material.passphrase)


def jwks():
    """The JSON Web Key Set of the service's public key."""
    key = service_key()
    public = key.as_dict(private=False)
    return {"keys": [{**public, "kid": key.thumbprint(), "use": "sig", "alg": ALGORITHM}]}


def jwks_url():
    return f"{settings.SITE_URL}{reverse('jwks')}"


def _end_of(day):
    """The first moment after ``day``, in the service's time zone."""
    after = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(after)


def visa_for(entitlement, *, now=None):
    """A signed ``ControlledAccessGrants`` visa for ``entitlement``."""
    now = now or timezone.now()
    key = service_key()
    issuer = f"{settings.SITE_URL}/"
    dataset = reverse("legislation:dataset_detail", kwargs={"slug": entitlement.dataset_slug})
    dataset_url = f"{settings.SITE_URL}{dataset}"
    asserted = timezone.make_aware(
        datetime.datetime.combine(entitlement.valid_from, datetime.time.min)
    )
    expires = min(now + VISA_LIFETIME, _end_of(entitlement.valid_until))
    claims = {
        "iss": issuer,
        "sub": entitlement.person_email,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": str(uuid.uuid4()),
        "ga4gh_visa_v1": {
            "type": "ControlledAccessGrants",
            "asserted": int(asserted.timestamp()),
            "value": dataset_url,
            "source": issuer,
            "by": "dac",
        },
    }
    header = {"alg": ALGORITHM, "typ": "JWT", "kid": key.thumbprint(), "jku": jwks_url()}
    return jwt.encode(header, claims, key, algorithms=[ALGORITHM])
