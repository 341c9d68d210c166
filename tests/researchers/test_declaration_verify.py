import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from identity.roles import Role
from tests.factories import UserFactory
from tests.researchers.states import declaration_signed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def signed():
    declaration = declaration_signed(UserFactory(roles=[Role.RESEARCHER], full_name="Tomasz Nowak"))
    with declaration.pdf.open("rb") as handle:
        return declaration, handle.read()


def _upload(client, data, name="declaration.pdf"):
    return client.post(
        reverse("researchers:declaration_verify"),
        {"file": SimpleUploadedFile(name, data, content_type="application/pdf")},
    )


def test_declaration_verify_genuine_upload_shows_who_when_and_version(client, signed):
    declaration, data = signed

    response = _upload(client, data)

    assert response.status_code == 200
    assert "This declaration is genuine" in response.text
    assert "Tomasz Nowak" in response.text
    assert "Version 1" in response.text
    assert declaration.sha256 in response.text


def test_declaration_verify_altered_upload_is_refused_in_words(client, signed):
    _, data = signed
    position = data.index(b"stream\n") + 20
    altered = data[:position] + bytes([data[position] ^ 1]) + data[position + 1 :]

    response = _upload(client, altered)

    assert response.status_code == 200
    assert "could not be confirmed" in response.text
    assert "changed since it was signed" in response.text
    assert "This declaration is genuine" not in response.text


def test_declaration_verify_non_pdf_upload_gets_a_clear_message(client):
    response = _upload(client, b"\x89PNG\r\n\x1a\n not a pdf", name="declaration.pdf")

    assert response.status_code == 200
    assert "The selected file must be a PDF" in response.text


def test_declaration_verify_oversized_upload_is_refused(client, settings):
    settings.DECLARATION_VERIFY_MAX_BYTES = 100

    response = _upload(client, b"%PDF-1.7\n" + b"0" * 200)

    assert response.status_code == 200
    assert "must be smaller than" in response.text


def test_declaration_verify_by_reference_shows_status_without_details(client, signed):
    declaration, _ = signed
    typed = declaration.reference.lower().replace("-", " ")

    response = client.get(reverse("researchers:declaration_verify"), {"reference": typed})

    assert response.status_code == 200
    assert f"Declaration {declaration.reference} is signed" in response.text
    assert "Tomasz Nowak" in response.text
    assert declaration.user.email not in response.text


def test_declaration_verify_unknown_reference_says_not_found(client):
    response = client.get(
        reverse("researchers:declaration_verify"), {"reference": "ARS-DEC-AAAA-BBBB"}
    )

    assert response.status_code == 200
    assert "No signed declaration has this reference" in response.text


def test_declaration_verify_malformed_reference_gets_an_inline_error(client):
    response = client.get(reverse("researchers:declaration_verify"), {"reference": "hello"})

    assert response.status_code == 200
    assert "Enter the reference as it is printed on the declaration" in response.text


def test_declaration_verify_validly_signed_copy_that_is_not_the_stored_file(client, signed):
    from documents.rendering import render_pdf
    from documents.signing import sign_pdf
    from researchers.declaration.services import declaration_pdf_context

    declaration, _ = signed
    # Signed with the service's own key, but not the file the service stored for the reference.
    other = sign_pdf(
        render_pdf("documents/declaration_pdf.html", declaration_pdf_context(declaration)),
        field_name="Declaration",
        reason="Confidentiality declaration",
        location="United Kingdom",
    )

    response = _upload(client, other)

    assert "could not be confirmed" in response.text
    assert "This file is not the one the service stored for this reference." in response.text
