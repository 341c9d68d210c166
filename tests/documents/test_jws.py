"""Compact JWS signatures with the service's key, verified as an outsider would (another library,
the published key set alone), and refused in words when altered or made with another key."""

import base64
import json

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jws
from joserfc.jwk import RSAKey

from documents.jws import ALTERED, NOT_A_JWS, NOT_OURS, jwks, jws_sign, jws_verify

PAYLOAD = json.dumps({"record": "one", "files": ["a.csv"]}, indent=2).encode() + b"\n"


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_jws_sign_verifies_with_another_library_from_the_key_set_alone():
    token = jws_sign(PAYLOAD, typ="example+jws", cty="application/json")

    [published] = jwks()["keys"]
    key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(published))
    signing_input, signature = token.rsplit(".", 1)
    assert jwt.algorithms.RSAAlgorithm(jwt.algorithms.RSAAlgorithm.SHA256).verify(
        signing_input.encode(), key, base64.urlsafe_b64decode(signature + "==")
    )
    assert jwt.get_unverified_header(token)["kid"] == published["kid"]
    assert jws_verify(token).payload == PAYLOAD


def test_jws_verify_refuses_one_changed_byte_of_the_payload():
    header, _, signature = jws_sign(PAYLOAD, typ="example+jws").split(".")
    changed = PAYLOAD.replace(b"one", b"two")

    verification = jws_verify(f"{header}.{_b64(changed)}.{signature}")

    assert not verification.valid
    assert verification.errors == [ALTERED]
    assert verification.payload == b""


def test_jws_verify_refuses_another_rsa_key_even_naming_ours():
    other = RSAKey.import_key(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    ours = jwks()["keys"][0]["kid"]

    foreign = jws.serialize_compact({"alg": "RS256"}, PAYLOAD, other, algorithms=["RS256"])
    posing = jws.serialize_compact(
        {"alg": "RS256", "kid": ours}, PAYLOAD, other, algorithms=["RS256"]
    )

    assert jws_verify(foreign).errors == [NOT_OURS]
    assert jws_verify(posing).errors == [ALTERED]


@pytest.mark.parametrize(
    "value",
    [
        "",
        "hello",
        "a.b.c",
        "....",
        b"\xff\xfe.\x00.x",
        f"{_b64(b'not json')}.{_b64(PAYLOAD)}.AAAA",
        f"{_b64(b'[1]')}.{_b64(PAYLOAD)}.AAAA",
    ],
)
def test_jws_verify_answers_in_words_whatever_it_is_given(value):
    verification = jws_verify(value)

    assert not verification.valid
    assert verification.errors == [NOT_A_JWS]


def test_jws_verify_refuses_an_unsigned_or_shared_secret_token():
    kid = jwks()["keys"][0]["kid"]
    unsigned = f"{_b64(json.dumps({'alg': 'none', 'kid': kid}).encode())}.{_b64(PAYLOAD)}."
    shared = jwt.encode({"a": 1}, "x" * 32, algorithm="HS256", headers={"kid": kid})

    assert jws_verify(unsigned).errors == [NOT_OURS]
    assert jws_verify(shared).errors == [NOT_OURS]
