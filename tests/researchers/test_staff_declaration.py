"""Everyone given access signs the confidentiality declaration, staff included: a staff role is
given only to someone who has signed the current version, every staff page sends a holder who
has not to sign first, and a new version reaches staff as well as researchers."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse

from audit.models import AuditEvent
from identity.roles import STAFF_ROLES, Role
from notifications.models import Notification
from researchers import services
from researchers.declaration.models import DeclarationVersion
from researchers.declaration.services import (
    declaration_version_announce,
    declaration_version_publish,
)
from researchers.middleware import DECLARATION_PREPARING_NOTICE
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.researchers.states import declaration_pending, declaration_signed

pytestmark = pytest.mark.django_db

DECLARATION_URL = reverse("researchers:declaration")


@pytest.fixture
def secretariat(client):
    user = UserFactory(roles=[Role.SECRETARIAT], totp=True, full_name="Helen Ashworth")
    client.force_login(user)
    return user


def sign_by_fields(days=30):
    """The date to sign a new version by, as the versions page's form sends it."""
    import datetime

    from django.utils import timezone

    day = timezone.localdate() + datetime.timedelta(days=days)
    return {"sign_by_day": day.day, "sign_by_month": day.month, "sign_by_year": day.year}


def _roles_url(person):
    return reverse("researchers:person_roles", kwargs={"pk": person.pk})


def _in_group(person, role):
    return Group.objects.filter(name=role.value, user=person).exists()


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_staff_role_refused_to_someone_who_has_not_signed_the_declaration(
    client, secretariat, role
):
    person = UserFactory(full_name="Owen Price", roles=[Role.RESEARCHER])

    response = client.post(_roles_url(person), {"roles": [Role.RESEARCHER, role]})

    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "Owen Price has not signed the current confidentiality declaration (version 1)" in page
    assert not _in_group(person, role)
    assert not AuditEvent.objects.filter(action="researchers.role_granted").exists()


def test_staff_role_given_once_the_declaration_is_signed_and_the_grant_names_it(
    client, secretariat
):
    person = UserFactory(roles=[Role.RESEARCHER])
    declaration = declaration_signed(person)

    response = client.post(_roles_url(person), {"roles": [Role.RESEARCHER, Role.OUTPUT_CHECKER]})

    assert response.status_code == 302
    assert _in_group(person, Role.OUTPUT_CHECKER)
    event = AuditEvent.objects.get(action="researchers.role_granted")
    assert event.payload == {"role": "output_checker", "declaration": declaration.reference}


def test_staff_role_refused_while_the_signed_copy_is_being_prepared(secretariat):
    from django.core.exceptions import ValidationError

    person = UserFactory()
    declaration_pending(person)

    with pytest.raises(ValidationError, match="has not signed the current"):
        services.role_grant(user=person, role=Role.PANEL_REVIEWER, by=secretariat)

    assert not _in_group(person, Role.PANEL_REVIEWER)


def test_staff_role_refused_on_a_signature_of_an_earlier_version(secretariat):
    from django.core.exceptions import ValidationError

    person = UserFactory()
    declaration_signed(person)
    declaration_version_publish(text="A stricter wording.", by=secretariat)

    with pytest.raises(ValidationError, match=r"version 2\)"):
        services.role_grant(user=person, role=Role.DATA_OWNER, by=None)

    assert not _in_group(person, Role.DATA_OWNER)


def test_researcher_role_needs_no_declaration(secretariat):
    person = UserFactory(roles=[])

    services.role_grant(user=person, role=Role.RESEARCHER, by=secretariat)

    assert _in_group(person, Role.RESEARCHER)


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_staff_without_a_signed_declaration_are_sent_to_sign_from_their_home(client, role):
    client.force_login(UserFactory(roles=[role], totp=True, declaration=False))

    response = client.get(reverse("dashboard:home"), follow=True)

    assert response.redirect_chain == [(DECLARATION_URL, 302)]
    page = response.content.decode()
    assert "Sign version 1 below to go on with your work" in page
    assert "Sign the declaration" in page


def test_staff_who_sign_then_reach_their_pages(
    client, eager_celery, django_capture_on_commit_callbacks
):
    checker = UserFactory(
        roles=[Role.OUTPUT_CHECKER], totp=True, declaration=False, full_name="Siobhan Byrne"
    )
    client.force_login(checker)
    queue = reverse("outputs:queue")
    assert client.get(queue).url == DECLARATION_URL

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            DECLARATION_URL,
            {"typed_name": "Siobhan Byrne", "agree": "on", "password": DEFAULT_PASSWORD},
        )

    assert response.status_code == 302
    assert client.get(queue).status_code == 200


def test_staff_whose_signed_copy_is_being_prepared_are_told_to_wait(client):
    checker = UserFactory(roles=[Role.OUTPUT_CHECKER], totp=True, declaration=False)
    declaration_pending(checker)
    client.force_login(checker)

    response = client.get(reverse("outputs:queue"), follow=True)

    assert response.redirect_chain == [(DECLARATION_URL, 302)]
    assert DECLARATION_PREPARING_NOTICE in response.content.decode()


def test_staff_without_a_signed_declaration_still_reach_account_and_declaration_pages(client):
    checker = UserFactory(roles=[Role.OUTPUT_CHECKER], totp=True, declaration=False)
    declaration = declaration_signed(checker)
    declaration_version_publish(text="A stricter wording.", by=None)
    client.force_login(checker)

    assert client.get(DECLARATION_URL).status_code == 200
    assert client.get(reverse("account_change_password")).status_code == 200
    download = reverse("researchers:declaration_download", kwargs={"pk": declaration.pk})
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    if response.file_to_stream is not None:
        response.file_to_stream.close()
    assert client.get(reverse("outputs:queue")).url == DECLARATION_URL


def test_a_new_version_sends_staff_to_sign_again(client, secretariat):
    reviewer = UserFactory(roles=[Role.PANEL_REVIEWER], totp=True)
    client.force_login(reviewer)
    assert client.get(reverse("dashboard:home")).status_code == 200

    declaration_version_publish(text="A stricter wording.", by=secretariat)

    response = client.get(reverse("dashboard:home"))
    assert response.url == DECLARATION_URL


def test_researchers_without_a_staff_role_are_not_sent_to_sign(client):
    client.force_login(UserFactory(roles=[Role.RESEARCHER]))

    assert client.get(reverse("dashboard:home")).status_code == 200


def test_a_new_version_reaches_staff_and_past_signers_by_notification_and_email(
    client, secretariat, sent
):
    checker = UserFactory(roles=[Role.OUTPUT_CHECKER], email="checker@example.gov.uk")
    signer = UserFactory(email="signer@example.ac.uk")
    declaration_signed(signer)
    never_signed = UserFactory(email="new@example.ac.uk")

    with sent.capture():
        response = client.post(
            reverse("researchers:declaration_versions"),
            {"text": "A stricter wording.", **sign_by_fields()},
        )

    assert response.status_code == 302
    told = set(
        Notification.objects.filter(
            subject="Sign version 2 of the confidentiality declaration"
        ).values_list("recipient__email", flat=True)
    )
    assert told == {checker.email, signer.email, secretariat.email}
    assert never_signed.email not in told
    email = sent.to(checker.email)[0]
    assert email.subject == "Sign version 2 of the confidentiality declaration"
    assert DECLARATION_URL in email.body
    assert sent.to(never_signed.email) == []


def test_announcing_a_version_again_tells_nobody_twice(secretariat):
    UserFactory(roles=[Role.DATA_OWNER])
    version = declaration_version_publish(text="A stricter wording.", by=secretariat)

    first = declaration_version_announce(version=version)
    second = declaration_version_announce(version=version)

    assert (first, second) == (2, 0)
    assert Notification.objects.count() == 2


def test_bootstrap_makes_the_first_secretariat_member_without_a_declaration_and_says_so(client):
    person = UserFactory(email="first@example.gov.uk", totp=True)

    call_command("secretariat_bootstrap", "first@example.gov.uk")

    assert _in_group(person, Role.SECRETARIAT)
    event = AuditEvent.objects.get(action="researchers.role_granted")
    assert event.actor is None
    assert event.payload == {
        "role": "secretariat",
        "declaration": services.BOOTSTRAP_EXEMPTION,
    }
    # Exempt from the grant's rule, not from signing: their first staff page asks for it.
    client.force_login(person)
    assert client.get(reverse("researchers:people_list")).url == DECLARATION_URL


def test_bootstrap_refused_once_the_service_has_a_secretariat(secretariat):
    person = UserFactory(email="second@example.gov.uk")

    with pytest.raises(CommandError, match="Helen Ashworth already holds the secretariat role"):
        call_command("secretariat_bootstrap", "second@example.gov.uk")

    assert not _in_group(person, Role.SECRETARIAT)


def test_publishing_is_a_staff_page_that_asks_for_the_signature_too(client, secretariat):
    declaration_version_publish(text="A stricter wording.", by=secretariat)

    response = client.get(reverse("researchers:declaration_versions"))

    assert response.url == DECLARATION_URL
    assert DeclarationVersion.objects.current().number == 2


def test_declaration_status_says_pending_until_the_signed_copy_is_ready(client):
    from researchers.declaration.services import declaration_render_and_sign

    researcher = UserFactory(roles=[Role.RESEARCHER])
    declaration = declaration_pending(researcher)
    client.force_login(researcher)
    status = reverse("researchers:declaration_status")

    assert client.get(status).json() == {"pending": True}
    declaration_render_and_sign(declaration=declaration)
    assert client.get(status).json() == {"pending": False}
