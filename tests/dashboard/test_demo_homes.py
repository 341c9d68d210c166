"""The demo's people open their homes on their own state: the accredited researcher is shown as
accredited, and the secretariat sees the demo's work waiting."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accreditation.models import Accreditation
from researchers.models import User

pytestmark = pytest.mark.django_db


def test_demo_homes_show_the_accredited_researcher_as_accredited(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=StringIO())
    tomasz = User.objects.get(full_name="Tomasz Nowak")
    accreditation = Accreditation.objects.get(researcher=tomasz)

    client.force_login(tomasz)
    html = client.get(reverse("dashboard:home")).text

    assert f"You hold full accreditation until {accreditation.valid_until:%-d %B %Y}" in html
    assert "You have not applied for accreditation yet" not in html
    assert "You signed version 1 on" in html
    assert "Apprenticeship starts and earnings five years on" in html

    amara = User.objects.get(full_name="Amara Okafor")
    client.force_login(amara)
    html = client.get(reverse("dashboard:home")).text

    assert "You have not applied for accreditation yet" in html
    assert f'href="{reverse("accreditation:application_start")}"' in html
