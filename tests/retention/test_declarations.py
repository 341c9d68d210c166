"""Declarations destroyed by the run six years after their researcher's last accreditation
ended: the signed PDF and what the person typed go, and the public verification page answers
from what the certificate recorded."""

import datetime

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accreditation.models import Accreditation
from identity.roles import Role
from researchers.declaration.models import Declaration
from retention.models import DestructionCertificate
from retention.services import legal_hold_place, retention_run
from tests.accreditation.factories import AccreditationFactory
from tests.accreditation.states import accreditation_at
from tests.factories import UserFactory
from tests.researchers.states import declaration_signed
from tests.retention.helpers import (
    TODAY,
    entry,
    now_is,
    schedule_confirmed,
    secretariat_user,
    sha256,
)

pytestmark = pytest.mark.django_db

# Six years (the proposed period) before TODAY, and a little more and less.
SIGNED_ON = datetime.datetime(2018, 3, 1, 10, 0, tzinfo=datetime.UTC)
ENDED_LONG_AGO = datetime.datetime(2020, 3, 1, 10, 0, tzinfo=datetime.UTC)
ENDED_LATELY = datetime.datetime(2022, 3, 1, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _researcher_with_declaration(*, ended_on=None, name="Tomasz Nowak"):
    """A researcher who signed in 2018; their accreditation revoked on ``ended_on``, or, when
    None, one granted later that is still active."""
    researcher = UserFactory(roles=[Role.RESEARCHER], full_name=name)
    with time_machine.travel(SIGNED_ON, tick=False):
        declaration = declaration_signed(researcher)
    if ended_on is None:
        AccreditationFactory(researcher=researcher, valid_from=datetime.date(2025, 1, 1))
    else:
        with time_machine.travel(ended_on, tick=False):
            accreditation_at(
                Accreditation.State.REVOKED,
                researcher=researcher,
                valid_from=datetime.date(2018, 1, 1),
            )
    with declaration.pdf.open("rb") as handle:
        content = handle.read()
    return Declaration.objects.get(pk=declaration.pk), content


def _run(django_capture_on_commit_callbacks):
    schedule_confirmed()
    with now_is(TODAY), django_capture_on_commit_callbacks(execute=True):
        return retention_run(on=TODAY, dry_run=False)


def test_retention_run_destroys_a_declaration_six_years_after_the_accreditation_ended(
    django_capture_on_commit_callbacks,
):
    declaration, content = _researcher_with_declaration(ended_on=ENDED_LONG_AGO)
    stored_as = declaration.pdf.name

    certificate = _run(django_capture_on_commit_callbacks)

    assert not default_storage.exists(stored_as)
    declaration.refresh_from_db()
    assert declaration.state == Declaration.State.DESTROYED
    assert not declaration.pdf and declaration.typed_name == ""
    assert declaration.ip_address is None and declaration.user_agent == ""
    assert declaration.destruction_certificate == certificate.pk
    assert declaration.destroyed_under == certificate.schedule_id
    recorded = entry(DestructionCertificate.objects.get(), "declaration")
    assert recorded["identifiers"] == [str(declaration.pk)]
    assert recorded["references"] == [declaration.reference]
    assert recorded["files"] == [
        {"name": stored_as, "size": len(content), "sha256": sha256(content)}
    ]


def test_retention_run_keeps_the_declaration_of_a_researcher_still_accredited(
    django_capture_on_commit_callbacks,
):
    declaration, _ = _researcher_with_declaration(ended_on=None)

    certificate = _run(django_capture_on_commit_callbacks)

    declaration.refresh_from_db()
    assert declaration.state == Declaration.State.SIGNED
    assert default_storage.exists(declaration.pdf.name)
    assert entry(certificate, "declaration")["count"] == 0


def test_retention_run_keeps_a_declaration_within_its_period(django_capture_on_commit_callbacks):
    declaration, _ = _researcher_with_declaration(ended_on=ENDED_LATELY)

    _run(django_capture_on_commit_callbacks)

    declaration.refresh_from_db()
    assert declaration.state == Declaration.State.SIGNED
    assert default_storage.exists(declaration.pdf.name)


def test_retention_run_keeps_a_declaration_signed_after_the_accreditation_ended(
    django_capture_on_commit_callbacks,
):
    declaration, _ = _researcher_with_declaration(ended_on=ENDED_LONG_AGO)
    # Signed again in 2021 for a new application: it supported no accreditation that has ended.
    with time_machine.travel(datetime.datetime(2021, 1, 5, tzinfo=datetime.UTC), tick=False):
        Declaration.objects.filter(pk=declaration.pk).update(
            signed_at=datetime.datetime.now(datetime.UTC)
        )

    _run(django_capture_on_commit_callbacks)

    declaration.refresh_from_db()
    assert declaration.state == Declaration.State.SIGNED


def test_retention_run_keeps_a_held_declaration(django_capture_on_commit_callbacks):
    declaration, _ = _researcher_with_declaration(ended_on=ENDED_LONG_AGO)
    legal_hold_place(
        kind="declaration",
        identifier=str(declaration.pk),
        reason="Evidence in a complaint about the researcher.",
        by=secretariat_user(),
    )

    certificate = _run(django_capture_on_commit_callbacks)

    declaration.refresh_from_db()
    assert declaration.state == Declaration.State.SIGNED
    assert default_storage.exists(declaration.pdf.name)
    assert entry(certificate, "declaration")["held"] == [str(declaration.pk)]


def test_retention_dry_run_lists_a_declaration_and_destroys_nothing():
    declaration, _ = _researcher_with_declaration(ended_on=ENDED_LONG_AGO)

    certificate = retention_run(on=TODAY, dry_run=True)

    assert entry(certificate, "declaration")["references"] == [declaration.reference]
    assert certificate.pk is None
    declaration.refresh_from_db()
    assert declaration.state == Declaration.State.SIGNED
    assert default_storage.exists(declaration.pdf.name)


def test_declaration_verify_by_reference_answers_for_a_destroyed_one_from_the_certificate(
    client, django_capture_on_commit_callbacks
):
    declaration, _ = _researcher_with_declaration(ended_on=ENDED_LONG_AGO)
    certificate = _run(django_capture_on_commit_callbacks)

    response = client.get(
        reverse("researchers:declaration_verify"), {"reference": declaration.reference}
    )

    assert response.status_code == 200
    text = " ".join(response.text.split())
    assert "was destroyed under the retention schedule" in text
    assert "issued on 1 March 2018" in text
    assert f"destroyed on {TODAY:%-d %B %Y}" in text
    assert f"version {certificate.schedule_id} of the retention schedule" in text
    assert f"destruction certificate {certificate.pk}" in text
    assert "is signed" not in text and "Tomasz Nowak" not in text


def test_declaration_verify_upload_of_a_destroyed_one_says_it_was_destroyed(
    client, django_capture_on_commit_callbacks
):
    declaration, content = _researcher_with_declaration(ended_on=ENDED_LONG_AGO)
    _run(django_capture_on_commit_callbacks)

    response = client.post(
        reverse("researchers:declaration_verify"),
        {"file": SimpleUploadedFile("mine.pdf", content, content_type="application/pdf")},
    )

    text = " ".join(response.text.split())
    assert f"Declaration {declaration.reference} was destroyed" in text
    assert "This declaration is genuine" not in text
    assert "Tomasz Nowak" not in text


def test_declaration_download_refused_once_destroyed(client, django_capture_on_commit_callbacks):
    declaration, _ = _researcher_with_declaration(ended_on=ENDED_LONG_AGO)
    _run(django_capture_on_commit_callbacks)
    client.force_login(declaration.user)

    response = client.get(reverse("researchers:declaration_download", args=[declaration.pk]))
    page = client.get(reverse("researchers:declaration"))

    assert response.status_code == 404
    assert f"Destroyed on {TODAY:%-d %B %Y} under the retention schedule" in page.text
