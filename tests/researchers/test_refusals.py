"""Each refusal says why, in the words the refused person reads; and an account that has been
closed acts for nobody, even where the object it acts on was read before it closed."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accreditation import services as accreditation_services
from accreditation.levels import Level
from identity.roles import Role
from researchers.models import Organisation
from researchers.profile.services import organisation_create
from tests.accreditation.states import application_submitted
from tests.factories import UserFactory
from tests.refusals import refusal_shown

pytestmark = pytest.mark.django_db


def test_a_page_for_another_role_says_the_person_does_not_have_the_role_it_needs(client):
    client.force_login(UserFactory(roles=[Role.RESEARCHER]))

    response = client.get(reverse("researchers:people_list"))

    assert refusal_shown(response) == "You do not have the role this page needs."


def test_organisation_create_by_a_researcher_says_which_role_it_needs():
    with pytest.raises(PermissionDenied) as refused:
        organisation_create(name="University of Nowhere", by=UserFactory(roles=[Role.RESEARCHER]))

    assert str(refused.value) == "This page is for the secretariat role."
    assert not Organisation.objects.filter(name="University of Nowhere").exists()


def test_a_closed_secretariat_account_cannot_approve_an_application():
    secretariat = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    application = application_submitted()
    secretariat.is_active = False
    secretariat.save(update_fields=["is_active"])

    with pytest.raises(PermissionDenied):
        accreditation_services.application_approve(
            application=application, level=Level.FULL, by=secretariat
        )

    application.refresh_from_db()
    assert application.state == application.State.SUBMITTED
