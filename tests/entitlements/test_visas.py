"""GA4GH Passport visas, verified the way a consumer would: with another JWT library, from the
published JSON Web Key Set alone."""

import datetime

import jwt
import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from accreditation.models import Accreditation
from accreditation.services import accreditation_suspend
from entitlements.models import Scope
from entitlements.services import api_token_create
from tests.entitlements.states import project_entitled
from tests.factories import secretariat_for

pytestmark = pytest.mark.django_db


def passport_of(person_email, client=None):
    _, raw = api_token_create(account_name="Broker", scopes=[Scope.ENTITLEMENTS_READ])
    client = client or APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.get("/api/v1/passports/", {"person": person_email})
    assert response.status_code == 200, response.content
    return response.json()["ga4gh_passport_v1"]


def verified(visa, client):
    """The visa's claims, checked against the key the service publishes, and nothing else."""
    key_set = jwt.PyJWKSet.from_dict(client.get("/.well-known/jwks.json").json())
    kid = jwt.get_unverified_header(visa)["kid"]
    key = next(key for key in key_set.keys if key.key_id == kid)
    return jwt.decode(visa, key=key, algorithms=["RS256"], issuer=f"{settings.SITE_URL}/")


def test_each_entitlement_is_a_visa_that_verifies_from_the_jwks_alone():
    project = project_entitled(team_size=0)
    client = APIClient()

    visas = passport_of(project.coordinator.email, client)

    datasets = set(project.dataset_requests.values_list("dataset__slug", flat=True))
    assert len(visas) == len(datasets)
    claims = [verified(visa, client) for visa in visas]
    assert {c["sub"] for c in claims} == {project.coordinator.email}
    assert {c["ga4gh_visa_v1"]["type"] for c in claims} == {"ControlledAccessGrants"}
    assert {c["ga4gh_visa_v1"]["value"].rstrip("/").rsplit("/", 1)[-1] for c in claims} == datasets
    assert all(c["exp"] - c["iat"] <= 3600 for c in claims)


def test_a_visa_altered_or_signed_by_another_key_does_not_verify():
    project = project_entitled(team_size=0)
    client = APIClient()
    [visa, *_] = passport_of(project.coordinator.email, client)
    header, _payload, signature = visa.split(".")
    claims = jwt.decode(visa, options={"verify_signature": False})
    # The same claims, header and key id, signed as the service signs but with a key of its own.
    another_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(
        {**claims, "sub": "someone@example.org"},
        another_key,
        algorithm="RS256",
        headers={"kid": jwt.get_unverified_header(visa)["kid"]},
    )

    with pytest.raises(jwt.InvalidSignatureError):
        verified(f"{header}.{forged.split('.')[1]}.{signature}", client)
    with pytest.raises(jwt.InvalidSignatureError):
        verified(forged, client)


def test_a_visa_never_outlives_its_entitlement():
    project = project_entitled(team_size=0)
    last_hour = timezone.make_aware(
        datetime.datetime.combine(project.end_date, datetime.time(23, 30))
    )
    client = APIClient()

    with time_machine.travel(last_hour, tick=False):
        [visa, *_] = passport_of(project.coordinator.email, client)
        claims = verified(visa, client)

    assert claims["exp"] - claims["iat"] == 30 * 60


def test_no_visa_once_the_entitlement_has_ended():
    project = project_entitled(team_size=0)
    coordinator = project.coordinator
    accreditation = Accreditation.objects.get(researcher=coordinator, state="active")
    accreditation_suspend(
        accreditation=accreditation,
        reasons="Under investigation.",
        by=secretariat_for([coordinator]),
    )

    assert passport_of(coordinator.email) == []


def test_the_jwks_holds_only_the_public_key(client):
    keys = client.get("/.well-known/jwks.json").json()["keys"]

    assert len(keys) == 1
    assert keys[0]["kty"] == "RSA"
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(keys[0])
