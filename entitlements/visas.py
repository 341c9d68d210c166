"""GA4GH Passport visas: each entitlement as a ``ControlledAccessGrants`` visa, a JWT signed with
the service's key, and that key's public half as a JSON Web Key Set anyone can verify against.

The key, and the key set that publishes it, are the service's one signing key (``documents.jws``),
which also signs declarations and release records. A visa lasts at most ``VISA_LIFETIME``, however
long its entitlement runs: a consumer asks again, and a visa of an entitlement that has ended is
not renewed, so an ending reaches every consumer within that time even if it misses the webhook.
"""

import datetime
import uuid

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from joserfc import jwt

from documents.jws import ALGORITHM, jwks_url, service_key

VISA_LIFETIME = datetime.timedelta(hours=1)


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
