import hashlib

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from audit.models import AuditEvent
from documents.signing import verify_pdf
from identity.roles import Role
from researchers.criteria import user_declaration_signed_current
from researchers.declaration.models import Declaration, DeclarationVersion, reference_normalise
from researchers.declaration.services import (
    declaration_render_and_sign,
    declaration_version_publish,
)
from researchers.tasks import declaration_render_and_sign_task
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.researchers.states import declaration_pending, declaration_signed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def researcher():
    return UserFactory(roles=[Role.RESEARCHER], full_name="Amara Okafor")


def sign_by_fields(days=30):
    """The date to sign a new version by, as the versions page's form sends it."""
    import datetime

    from django.utils import timezone

    day = timezone.localdate() + datetime.timedelta(days=days)
    return {"sign_by_day": day.day, "sign_by_month": day.month, "sign_by_year": day.year}


def _read(response):
    data = b"".join(response.streaming_content)
    if response.file_to_stream is not None:
        response.file_to_stream.close()
    return data


def _sign(client, *, typed_name="Amara Okafor", password=DEFAULT_PASSWORD, agree="on"):
    data = {"typed_name": typed_name, "password": password}
    if agree:
        data["agree"] = agree
    return client.post(reverse("researchers:declaration"), data)


def test_declaration_first_version_is_loaded_with_the_offence_in_it():
    version = DeclarationVersion.objects.current()

    assert version.number == 1
    assert "Statistics and Registration Service Act 2007" in version.text
    assert "criminal offence" in version.text


def test_declaration_page_shows_the_current_text(client, researcher):
    client.force_login(researcher)

    response = client.get(reverse("researchers:declaration"))

    assert response.status_code == 200
    assert "Statistics and Registration Service Act 2007" in response.text
    assert "Sign the declaration" in response.text


def test_declaration_sign_records_version_time_address_and_browser(client, researcher):
    client.force_login(researcher)

    response = _sign(client, typed_name="  amara   OKAFOR ")

    assert response.status_code == 302
    declaration = researcher.declarations.get()
    assert declaration.version == DeclarationVersion.objects.current()
    assert declaration.state == Declaration.State.PENDING
    assert declaration.ip_address == "127.0.0.1"
    assert declaration.user_agent == ""
    assert reference_normalise(declaration.reference) == declaration.reference
    assert AuditEvent.objects.filter(action="declaration.sign", object_id=str(declaration.pk))


def test_declaration_sign_queues_the_pdf_after_commit(
    client, researcher, django_capture_on_commit_callbacks
):
    client.force_login(researcher)

    with django_capture_on_commit_callbacks() as callbacks:
        _sign(client)

    assert len(callbacks) == 1


def test_declaration_sign_wrong_password_is_refused_and_nothing_recorded(client, researcher):
    client.force_login(researcher)

    response = _sign(client, password="not-my-password")

    assert response.status_code == 200
    assert "The password is not correct" in response.text
    assert 'value="Amara Okafor"' in response.text
    assert not Declaration.objects.exists()
    assert not AuditEvent.objects.filter(action="declaration.sign").exists()


def test_declaration_sign_repeated_wrong_passwords_are_throttled(client, researcher):
    client.force_login(researcher)
    for _ in range(5):
        _sign(client, password="guess")

    response = _sign(client)

    assert "Too many wrong passwords" in response.text
    assert not Declaration.objects.exists()


def test_declaration_sign_other_name_is_refused_and_nothing_recorded(client, researcher):
    client.force_login(researcher)

    response = _sign(client, typed_name="Someone Else")

    assert response.status_code == 200
    assert "Enter your full name exactly as it is on your account" in response.text
    assert not Declaration.objects.exists()


def test_declaration_sign_without_ticking_is_refused(client, researcher):
    client.force_login(researcher)

    response = _sign(client, agree="")

    assert response.status_code == 200
    assert "Confirm that you have read and agree to the declaration" in response.text
    assert not Declaration.objects.exists()


def test_declaration_sign_second_click_makes_no_second_declaration(client, researcher):
    client.force_login(researcher)
    _sign(client)

    response = _sign(client)

    assert response.status_code == 200
    assert "You have already signed version 1" in response.text
    assert researcher.declarations.count() == 1


def test_declaration_task_stores_a_signed_pdf_whose_sha256_matches(researcher):
    declaration = declaration_pending(researcher)

    declaration_render_and_sign_task(declaration.pk)

    declaration.refresh_from_db()
    assert declaration.state == Declaration.State.SIGNED
    with declaration.pdf.open("rb") as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == declaration.sha256
    assert declaration.pdf.name.startswith("private/declarations/")
    verification = verify_pdf(data)
    assert verification.valid
    assert verification.reference == declaration.reference
    assert user_declaration_signed_current(researcher)


def test_declaration_render_and_sign_again_changes_nothing(researcher):
    declaration = declaration_signed(researcher)

    again = declaration_render_and_sign(declaration=declaration)

    assert again.sha256 == declaration.sha256
    assert again.pdf.name == declaration.pdf.name
    assert AuditEvent.objects.filter(action="declaration.prepare").count() == 1


def test_declaration_task_without_a_signing_key_marks_it_failed(researcher, settings, tmp_path):
    declaration = declaration_pending(researcher)
    settings.DECLARATION_SIGNING_KEY = str(tmp_path / "missing.pem")

    declaration_render_and_sign_task(declaration.pk)

    declaration.refresh_from_db()
    assert declaration.state == Declaration.State.FAILED
    assert "DECLARATION_SIGNING_KEY" in declaration.failure_reason


def test_declaration_new_version_keeps_old_signatures_on_their_version(researcher):
    secretariat = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    old = declaration_signed(researcher)

    declaration_version_publish(text="A new wording.", by=secretariat)

    old.refresh_from_db()
    assert old.version.number == 1
    assert DeclarationVersion.objects.current().number == 2
    assert not user_declaration_signed_current(researcher)
    new = declaration_signed(researcher)
    assert new.version.number == 2
    assert user_declaration_signed_current(researcher)


def test_declaration_versions_page_publishes_a_version_audited(client):
    secretariat = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    client.force_login(secretariat)

    response = client.post(
        reverse("researchers:declaration_versions"),
        {"text": "Version two wording.", **sign_by_fields()},
    )

    assert response.status_code == 302
    assert DeclarationVersion.objects.current().text == "Version two wording."
    assert AuditEvent.objects.filter(action="declaration_version.publish").exists()


def test_declaration_versions_page_same_text_is_refused(client):
    secretariat = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    client.force_login(secretariat)
    text = DeclarationVersion.objects.current().text

    response = client.post(
        reverse("researchers:declaration_versions"), {"text": text, **sign_by_fields()}
    )

    assert response.status_code == 200
    assert "same text as version 1" in response.text
    assert DeclarationVersion.objects.count() == 1


def test_declaration_download_for_its_researcher_and_the_secretariat_only(client, researcher):
    declaration = declaration_signed(researcher)
    url = reverse("researchers:declaration_download", kwargs={"pk": declaration.pk})

    client.force_login(researcher)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert hashlib.sha256(_read(response)).hexdigest() == declaration.sha256

    client.force_login(UserFactory(roles=[Role.SECRETARIAT], totp=True))
    response = client.get(url)
    assert response.status_code == 200
    _read(response)

    client.force_login(UserFactory(roles=[Role.RESEARCHER]))
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(action="declaration.download").count() == 2


def test_declaration_pdf_command_writes_a_valid_file(researcher, tmp_path):
    declaration = declaration_signed(researcher)
    target = tmp_path / "out.pdf"

    call_command("declaration_pdf", researcher.email.upper(), str(target))

    data = target.read_bytes()
    assert hashlib.sha256(data).hexdigest() == declaration.sha256
    assert verify_pdf(data).valid


def test_declaration_pdf_command_unknown_email_or_none_signed(researcher, tmp_path):
    with pytest.raises(CommandError, match="No account has the email address"):
        call_command("declaration_pdf", "nobody@example.org", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="no signed declaration yet"):
        call_command("declaration_pdf", researcher.email, str(tmp_path / "x.pdf"))
