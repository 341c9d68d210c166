"""What the scheme publishes proactively (Freedom of Information Act 2000, Protection of Freedoms
Act 2012: policy §2 l.23) and offers for re-use (Re-use of Public Sector Information
Regulations 2015: §2 l.27): the registers of accredited researchers and projects and the
legislation and datasets pages open to anyone without signing in, and the registers downloadable
in an open format under the Open Government Licence."""

import csv
import io

import pytest
from django.urls import reverse

from accreditation.models import Level
from identity.roles import Role
from researchers.models import Organisation, ResearcherProfile
from tests.accreditation.factories import AccreditationFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REGISTERS = {
    reverse("researcher_register:list"): reverse("researcher_register:csv"),
    reverse("project_register:list"): reverse("project_register:csv"),
}
PUBLISHED = [
    *REGISTERS,
    reverse("legislation:act_list"),
    reverse("legislation:dataset_list"),
]
LICENCE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


def accredited_on_the_register(full_name):
    researcher = UserFactory(full_name=full_name, roles=[Role.RESEARCHER])
    organisation = Organisation.objects.create(
        name="University of Exeter", status=Organisation.Status.APPROVED
    )
    ResearcherProfile.objects.create(user=researcher, organisation=organisation)
    return AccreditationFactory(
        researcher=researcher, level=Level.FULL, application__register_consent=True
    )


@pytest.mark.parametrize("url", PUBLISHED)
def test_published_pages_open_to_anyone_without_signing_in(client, url):
    response = client.get(url)

    assert response.status_code == 200


@pytest.mark.parametrize(("page", "download"), REGISTERS.items())
def test_registers_are_offered_for_reuse_under_the_open_government_licence(client, page, download):
    listed = client.get(page).content.decode()

    assert f'href="{LICENCE}" rel="license"' in listed
    assert f'href="{download}' in listed


def test_register_download_is_open_data_anyone_can_read(client):
    accredited_on_the_register("Ada Lovelace")

    response = client.get(reverse("researcher_register:csv"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert any("Ada Lovelace" in row for row in rows[1:])
