"""Everyone given access signs the confidentiality declaration (§3 l.61): a signature counts once
its signed PDF exists. While the PDF is still being made, or when it could not be made, the
declaration is not signed anywhere the service asks: sending an application, its task list, the
secretariat's screening page, the public check of a reference, and the download.

Each test takes the steps a person takes, through the services and pages, and fails when the
line enforcing its rule is taken out.
"""

import pytest
from django.urls import reverse

from accreditation.models import AccreditationApplication
from accreditation.services import application_submit
from identity.roles import Role
from researchers.declaration.services import (
    declaration_fail,
    declaration_render_and_sign,
    declaration_version_publish,
)
from tests.accreditation.factories import AccreditationApplicationFactory
from tests.factories import UserFactory, declaration_signed_row
from tests.researchers.states import declaration_pending
from workflow.errors import TransitionRefused

pytestmark = pytest.mark.django_db

SIGN = "Sign the current version of the confidentiality declaration."


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def secretariat():
    return UserFactory(roles=[Role.SECRETARIAT], totp=True)


def application_signed_through_the_service():
    """A draft application meeting every rule but the declaration, which its applicant has
    just signed in the service: the signed PDF is not made yet."""
    application = AccreditationApplicationFactory()
    application.applicant.declarations.all().delete()
    return application, declaration_pending(application.applicant)


def submit_refusals(application):
    with pytest.raises(TransitionRefused) as refused:
        application_submit(application=application, by=application.applicant)
    application.refresh_from_db()
    assert application.state == AccreditationApplication.State.DRAFT
    return refused.value.reasons


def declaration_task_hint(client, application):
    client.force_login(application.applicant)
    page = client.get(reverse("accreditation:application_detail")).content.decode()
    return SIGN in page


def test_application_submit_refused_while_the_signed_declaration_is_being_prepared(client):
    application, _ = application_signed_through_the_service()

    assert submit_refusals(application) == [SIGN]
    assert declaration_task_hint(client, application)


def test_application_submit_refused_when_the_signed_declaration_could_not_be_prepared(client):
    application, declaration = application_signed_through_the_service()
    declaration_fail(declaration=declaration, reason="The signing key could not be read.")

    assert submit_refusals(application) == [SIGN]
    assert declaration_task_hint(client, application)


def test_application_submit_allowed_once_the_signed_declaration_is_ready(client):
    application, declaration = application_signed_through_the_service()
    declaration_render_and_sign(declaration=declaration)

    assert not declaration_task_hint(client, application)
    application = application_submit(application=application, by=application.applicant)
    assert application.state == AccreditationApplication.State.SUBMITTED


def test_declaration_being_prepared_is_neither_verifiable_nor_downloadable(client, secretariat):
    _, declaration = application_signed_through_the_service()

    checked = client.get(
        reverse("researchers:declaration_verify"), {"reference": declaration.reference}
    )
    assert "No signed declaration has this reference" in checked.text
    url = reverse("researchers:declaration_download", kwargs={"pk": declaration.pk})
    for person in (declaration.user, secretariat):
        client.force_login(person)
        assert client.get(url).status_code == 404


def test_screening_page_shows_the_last_declaration_signed_not_one_being_prepared(
    client, secretariat
):
    application, first = application_signed_through_the_service()
    first = declaration_render_and_sign(declaration=first)
    application = application_submit(application=application, by=application.applicant)
    declaration_version_publish(text="A new wording of the declaration.", by=secretariat)
    declaration_signed_row(secretariat)  # the secretariat signs the new wording too
    second = declaration_pending(application.applicant)
    client.force_login(secretariat)

    page = client.get(reverse("accreditation:screen", kwargs={"pk": application.pk}))

    assert first.reference in page.text
    assert second.reference not in page.text
