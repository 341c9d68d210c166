import pytest
from django.urls import reverse

from identity.roles import Role
from researchers.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    user = UserFactory(is_staff=True, is_superuser=True, totp=True)
    client.force_login(user)
    return user


def test_user_admin_lists_and_searches_by_email_and_name(client, operator):
    UserFactory(full_name="Ada Lovelace", email="ada@example.ac.uk", roles=[Role.DATA_OWNER])
    UserFactory(full_name="Charles Babbage", email="charles@example.ac.uk")

    by_name = client.get(reverse("admin:researchers_user_changelist"), {"q": "lovelace"})
    by_email = client.get(reverse("admin:researchers_user_changelist"), {"q": "charles@"})

    assert by_name.status_code == 200
    assert list(by_name.context["cl"].result_list.values_list("email", flat=True)) == [
        "ada@example.ac.uk"
    ]
    assert "Data owner" in by_name.content.decode()
    assert list(by_email.context["cl"].result_list.values_list("email", flat=True)) == [
        "charles@example.ac.uk"
    ]


def test_user_admin_adds_a_user_by_email(client, operator):
    response = client.post(
        reverse("admin:researchers_user_add"),
        {
            "email": "new.person@example.gov.uk",
            "full_name": "New Person",
            "usable_password": "true",
            "password1": "a-long-enough-passphrase-2026",
            "password2": "a-long-enough-passphrase-2026",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(email="new.person@example.gov.uk").full_name == "New Person"


def test_user_admin_change_page_shows_roles_without_editing_them(client, operator):
    person = UserFactory(roles=[Role.OUTPUT_CHECKER])

    response = client.get(reverse("admin:researchers_user_change", args=[person.pk]))

    assert response.status_code == 200
    assert "groups" not in response.context["adminform"].form.fields
