"""The signed release record of every released request: written at release, inside the released
zip and downloadable alone, verifiable from the published key set with another library, and
checked on the public page, which refuses an altered record or one signed with another key."""

import base64
import hashlib
import html
import io
import json
import re
import zipfile

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from joserfc import jws as joserfc_jws
from joserfc.jwk import RSAKey

from audit.models import AuditEvent
from documents.jws import ALTERED, NOT_A_JWS, NOT_OURS, jws_sign
from outputs.check.services import acro_import, file_checks_run
from outputs.models import FileGroup, OutputRequest, ReleaseRecord
from outputs.release.records import NOT_A_RECORD, SCHEMA, UNKNOWN_JSON
from outputs.release.services import output_request_release
from outputs.request.services import output_request_submit
from outputs.review.services import output_request_approve
from projects.models import Proposal
from tests.outputs.acro_zips import acro_zip
from tests.outputs.factories import OutputRequestFactory
from tests.outputs.states import (
    FIGURE,
    TABLE,
    approved_request,
    checker,
    output_request_at,
    released_request,
    review_with,
)
from tests.projects.factories import accredit, accredited_researcher
from tests.projects.states import proposal_at

pytestmark = pytest.mark.django_db
State = OutputRequest.State
VERIFY = reverse("outputs:release_record_verify")


def _zip_of(client, output_request):
    client.force_login(output_request.project.coordinator)
    response = client.get(reverse("outputs:released_zip", kwargs={"pk": output_request.pk}))
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _check(client, **data):
    response = client.post(VERIFY, data)
    assert response.status_code == 200
    return response


def _text(response):
    """The page's words, tags and surplus spaces left out."""
    words = html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    return re.sub(r"\s+", " ", words)


def test_release_writes_the_record_of_checks_decisions_people_and_files():
    output_request = approved_request(team=[accredited_researcher()])
    by = checker(full_name="Rhys Checker")

    released = output_request_release(output_request=output_request, by=by)

    stored = ReleaseRecord.objects.get(request=released)
    assert stored.jws and stored.signed_at is not None
    assert stored.sha256 == hashlib.sha256(stored.document_bytes).hexdigest()
    record = json.loads(stored.document)
    assert record["schema"] == SCHEMA
    assert record["output_request"]["id"] == released.pk
    assert record["output_request"]["title"] == "Earnings by region"
    assert record["project"] == {"id": released.project_id, "title": released.project.title}
    assert record["researcher"]["name"] == released.author.get_full_name()
    assert record["released_by"]["name"] == "Rhys Checker"
    assert record["released_at"].startswith(f"{released.released_at:%Y-%m-%dT%H:%M:%S}")
    assert record["service"]["jwks_url"].endswith("/.well-known/jwks.json")
    files = {f["path"]: f for f in record["files"]}
    assert set(files) == {"Tables/table.csv", "Figures/figure.pdf"}
    table = files["Tables/table.csv"]
    assert (table["size"], table["sha256"]) == (len(TABLE), hashlib.sha256(TABLE).hexdigest())
    [threshold] = table["checks"]
    assert (threshold["check"], threshold["result"]) == ("threshold", "pass")
    assert threshold["details"]["threshold"] == 10
    assert [d["decision"] for d in table["decisions"]] == ["approve", "approve"]
    assert len({d["checker"] for d in table["decisions"]}) == 2
    assert all(d["decided_at"] for d in table["decisions"])


def test_release_record_of_acro_outputs_holds_acros_results_and_checksums(
    django_capture_on_commit_callbacks,
):
    project = proposal_at(Proposal.State.ACTIVE)
    output_request = OutputRequestFactory(project=project, author=project.coordinator)
    accredit(output_request.author)
    group = FileGroup.objects.create(
        request=output_request, name="ACRO", context="Tables.", disclosure_controls="ACRO."
    )
    imported = acro_import(
        request=output_request,
        group=group,
        zip_file=SimpleUploadedFile("outputs.zip", acro_zip().getvalue()),
        by=output_request.author,
    )
    for output_file in imported.files:
        file_checks_run(file=output_file)
    output_request = output_request_submit(output_request=output_request, by=output_request.author)
    one = checker()
    review_with(output_request, one)
    review_with(output_request, checker())
    output_request = output_request_approve(output_request=output_request, by=one)

    released = output_request_release(output_request=output_request, by=checker())

    record = json.loads(released.release_record.document)
    acro = {f["name"]: f["acro"] for f in record["files"]}
    assert acro["output_0_0.csv"]["status"] == "fail"
    assert acro["output_0_0.csv"]["checksum_verified"] is True
    assert "threshold" in acro["output_0_0.csv"]["summary"]
    assert acro["output_0_0.csv"]["exception_request"].startswith("The small cell")
    assert acro["output_1_0.csv"]["status"] == "pass"


def test_released_zip_holds_the_record_whose_sha256s_match_its_files(client):
    output_request = released_request()

    archive = _zip_of(client, output_request)

    document = archive.read("release-record.json")
    record = json.loads(document)
    released = {n for n in archive.namelist() if "/" in n}
    assert {f["path"] for f in record["files"]} == released
    for listed in record["files"]:
        content = archive.read(listed["path"])
        assert listed["sha256"] == hashlib.sha256(content).hexdigest()
        assert listed["size"] == len(content)
    assert archive.read("Tables/table.csv") == TABLE
    assert archive.read("Figures/figure.pdf") == FIGURE
    assert document == ReleaseRecord.objects.get(request=output_request).document_bytes


def test_release_record_jws_verifies_with_another_library_from_the_published_key_set_alone(
    client,
):
    output_request = released_request()
    archive = _zip_of(client, output_request)
    client.logout()

    key_set = client.get("/.well-known/jwks.json").json()
    token = archive.read("release-record.jws").decode()
    kid = jwt.get_unverified_header(token)["kid"]
    [published] = [key for key in key_set["keys"] if key["kid"] == kid]
    key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(published))
    payload = jwt.PyJWS().decode(token, key=key, algorithms=["RS256"])

    assert payload == archive.read("release-record.json")
    header = jwt.get_unverified_header(token)
    assert header["jku"].endswith("/.well-known/jwks.json")
    assert header["typ"] == "release-record+jws"


def test_release_record_downloads_alone_for_a_member_and_is_audited(client):
    member = accredited_researcher()
    output_request = released_request(team=[member])
    stored = ReleaseRecord.objects.get(request=output_request)
    client.force_login(member)

    page = client.get(reverse("outputs:output_request_detail", kwargs={"pk": output_request.pk}))
    as_json = client.get(reverse("outputs:release_record_json", kwargs={"pk": output_request.pk}))
    signed = client.get(reverse("outputs:release_record_jws", kwargs={"pk": output_request.pk}))

    assert reverse("outputs:release_record_jws", kwargs={"pk": output_request.pk}) in page.text
    assert as_json.content == stored.document_bytes
    assert as_json["Content-Type"] == "application/json"
    assert "attachment" in as_json["Content-Disposition"]
    assert signed.content.decode() == stored.jws
    events = AuditEvent.objects.filter(action="output.release_record_downloaded")
    assert sorted(e.payload["signed"] for e in events) == [False, True]
    assert {e.actor for e in events} == {member}


def test_release_record_downloads_are_404_to_someone_outside_the_project(client):
    output_request = released_request()
    client.force_login(accredited_researcher())

    for name in ("release_record_json", "release_record_jws"):
        response = client.get(reverse(f"outputs:{name}", kwargs={"pk": output_request.pk}))
        assert response.status_code == 404


def test_record_verify_page_confirms_an_uploaded_signed_record_and_shows_what_it_says(client):
    output_request = released_request(title="Earnings by region")
    stored = ReleaseRecord.objects.get(request=output_request)
    record = json.loads(stored.document)

    response = _check(client, file=SimpleUploadedFile("release-record.jws", stored.jws.encode()))

    text = _text(response)
    assert "This release record is genuine" in text
    assert f"Output request {output_request.pk}" in text
    assert "Earnings by region" in text
    assert output_request.project.title in text
    assert output_request.author.get_full_name() in text
    assert record["released_by"]["name"] in text
    for listed in record["files"]:
        assert listed["path"] in text and listed["sha256"] in text


def test_record_verify_page_confirms_a_pasted_record_and_the_json_file(client):
    output_request = released_request()
    stored = ReleaseRecord.objects.get(request=output_request)

    pasted = _check(client, signed=f"  {stored.jws[:50]}\n{stored.jws[50:]}\n")
    as_json = _check(client, file=SimpleUploadedFile("release-record.json", stored.document_bytes))

    assert "This release record is genuine" in _text(pasted)
    assert "This release record is genuine" in _text(as_json)
    assert "byte for byte, the record the service signed" in _text(as_json)


def test_record_verify_page_refuses_one_changed_byte_in_the_signed_record(client):
    output_request = released_request()
    stored = ReleaseRecord.objects.get(request=output_request)
    header, _payload, signature = stored.jws.split(".")
    digest = hashlib.sha256(TABLE).hexdigest()
    changed = stored.document_bytes.replace(digest.encode(), ("0" + digest[1:]).encode())
    assert len(changed) == len(stored.document_bytes) and changed != stored.document_bytes

    signed = _check(client, signed=f"{header}.{_b64(changed)}.{signature}")
    as_json = _check(client, file=SimpleUploadedFile("release-record.json", changed))

    assert "This release record could not be confirmed" in _text(signed)
    assert ALTERED in _text(signed)
    assert "is genuine" not in _text(signed)
    assert digest[1:] not in _text(signed)
    assert UNKNOWN_JSON.split(":")[0] in _text(as_json)
    assert "is genuine" not in _text(as_json)


def test_record_verify_page_refuses_a_record_signed_with_another_rsa_key(client):
    output_request = released_request()
    stored = ReleaseRecord.objects.get(request=output_request)
    other = RSAKey.import_key(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    ours = jwt.get_unverified_header(stored.jws)["kid"]
    foreign = joserfc_jws.serialize_compact(
        {"alg": "RS256", "typ": "release-record+jws", "kid": other.thumbprint()},
        stored.document_bytes,
        other,
        algorithms=["RS256"],
    )
    posing = joserfc_jws.serialize_compact(
        {"alg": "RS256", "typ": "release-record+jws", "kid": ours},
        stored.document_bytes,
        other,
        algorithms=["RS256"],
    )

    refused_foreign = _check(client, signed=foreign)
    refused_posing = _check(client, signed=posing)

    assert NOT_OURS in _text(refused_foreign)
    assert ALTERED in _text(refused_posing)
    for response in (refused_foreign, refused_posing):
        assert "is genuine" not in _text(response)


def test_record_verify_page_refuses_something_else_the_service_signed(client):
    token = jws_sign(json.dumps({"sub": "someone"}).encode(), typ="JWT")

    response = _check(client, signed=token)

    assert NOT_A_RECORD in _text(response)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Upload a release record, or paste its signed copy below"),
        ({"signed": "hello"}, NOT_A_JWS),
        ({"signed": "a.b.c"}, NOT_A_JWS),
        ({"file": SimpleUploadedFile("x.jws", b"\x00\xff\xfe" * 10)}, NOT_A_JWS),
        ({"file": SimpleUploadedFile("x.json", b"{not json")}, UNKNOWN_JSON.split(":")[0]),
        ({"file": SimpleUploadedFile("x.jws", b"")}, "The selected file is empty"),
        (
            {"file": SimpleUploadedFile("x.jws", b"a" * (5 * 1024 * 1024 + 1))},
            "The selected file must be smaller than 5.0",
        ),
    ],
)
def test_record_verify_page_answers_bad_input_in_words(client, data, message):
    response = _check(client, **data)

    assert message in _text(response)
    assert "is genuine" not in _text(response)


def test_record_verify_page_shows_an_error_summary_for_a_form_error(client):
    response = _check(client)

    page = response.content.decode()
    assert 'class="govuk-error-summary"' in page
    assert '<a href="#id_file">' in page
    assert response.context["form"].errors


def test_record_verify_page_says_when_the_key_is_not_configured(client, settings, tmp_path):
    output_request = released_request()
    token = ReleaseRecord.objects.get(request=output_request).jws
    settings.DECLARATION_SIGNING_KEY = str(tmp_path / "missing.pem")

    response = _check(client, signed=token)

    assert "Release records cannot be checked at the moment" in _text(response)


def test_release_without_the_key_keeps_the_record_and_signs_it_once_the_key_is_there(
    client, settings, tmp_path
):
    output_request = approved_request()
    configured = settings.DECLARATION_SIGNING_KEY
    settings.DECLARATION_SIGNING_KEY = str(tmp_path / "missing.pem")

    released = output_request_release(output_request=output_request, by=checker())

    assert released.state == State.RELEASED
    stored = ReleaseRecord.objects.get(request=released)
    assert stored.jws == "" and stored.document
    client.force_login(released.project.coordinator)
    unsigned = zipfile.ZipFile(
        io.BytesIO(
            b"".join(
                client.get(
                    reverse("outputs:released_zip", kwargs={"pk": released.pk})
                ).streaming_content
            )
        )
    )
    assert "release-record.json" in unsigned.namelist()
    assert "release-record.jws" not in unsigned.namelist()

    settings.DECLARATION_SIGNING_KEY = configured
    archive = _zip_of(client, released)

    stored.refresh_from_db()
    assert stored.jws and archive.read("release-record.jws").decode() == stored.jws
    assert archive.read("release-record.json") == stored.document_bytes


def test_request_released_before_records_gets_one_naming_who_released_it(client):
    output_request = released_request()
    by = AuditEvent.objects.get(action="output_request.release").actor
    ReleaseRecord.objects.filter(request=output_request).delete()

    archive = _zip_of(client, output_request)

    record = json.loads(archive.read("release-record.json"))
    assert record["released_by"]["name"] == by.get_full_name()
    assert ReleaseRecord.objects.filter(request=output_request).count() == 1


def test_record_verify_page_is_reached_by_links_from_any_page_and_the_released_request(client):
    output_request = released_request()

    public_page = client.get(reverse("legislation:act_list"))
    client.force_login(output_request.project.coordinator)
    request_page = client.get(
        reverse("outputs:output_request_detail", kwargs={"pk": output_request.pk})
    )

    assert f'href="{VERIFY}"' in public_page.content.decode()
    assert f'href="{VERIFY}"' in request_page.content.decode()
    client.logout()
    assert client.get(VERIFY).status_code == 200


def test_record_verify_page_query_count_does_not_grow_with_the_files(client):
    small = output_request_at(State.RELEASED)
    large = output_request_at(State.RELEASED, groups=4, files_per_group=4)
    counts = []
    for output_request in (small, large):
        stored = ReleaseRecord.objects.get(request=output_request)
        for data in (
            {"signed": stored.jws},
            {"file": SimpleUploadedFile("release-record.json", stored.document_bytes)},
        ):
            with CaptureQueriesContext(connection) as queries:
                response = _check(client, **data)
            assert "is genuine" in _text(response)
            counts.append(len(queries))

    assert counts[:2] == counts[2:]
    assert max(counts) <= 3


def test_record_verify_page_title_says_error_once_for_a_form_error(client):
    response = _check(client)

    title = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)[1]
    assert title.startswith("Error: Check a release record")
    assert title.count("Error:") == 1
