import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accreditation.models import Accreditation, Level
from accreditation.register.selectors import register_entries
from accreditation.services import (
    accreditation_expire,
    accreditation_reinstate,
    accreditation_revoke,
    accreditation_suspend,
)
from identity.roles import Role
from researchers.models import Organisation, ResearcherProfile
from tests.accreditation.factories import AccreditationFactory
from tests.factories import UserFactory
from tests.seek_links import follow_pages, page_link

pytestmark = pytest.mark.django_db

LIST = reverse("researcher_register:list")
CSV = reverse("researcher_register:csv")
# A formula after spaces, and one after a separator a spreadsheet may split at.
HOSTILE = [' =HYPERLINK("http://example.com")', "North;=cmd|' /C calc'!A0"]


def accredited(full_name, organisation="University of Exeter", **kwargs):
    """An accredited researcher of ``organisation`` (an approved one unless it exists already)."""
    researcher = UserFactory(full_name=full_name, roles=[Role.RESEARCHER])
    if organisation:
        org, _ = Organisation.objects.get_or_create(
            name=organisation, defaults={"status": Organisation.Status.APPROVED}
        )
        ResearcherProfile.objects.create(user=researcher, organisation=org)
    kwargs.setdefault("application__register_consent", True)
    return AccreditationFactory(researcher=researcher, **kwargs)


def names_on(response):
    return [entry.name for entry in response.context["entries"]]


def csv_rows(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_register_shows_name_organisation_level_and_end_date_to_anyone(client):
    accreditation = accredited("Ada Lovelace", level=Level.PROVISIONAL)

    response = client.get(LIST)

    assert response.status_code == 200
    row = response.text[response.text.index("Ada Lovelace") :]
    assert "University of Exeter" in row
    assert "Provisional" in row
    assert f"{accreditation.valid_until:%-d %B %Y}" in row


def test_register_leaves_out_researchers_who_did_not_consent(client):
    accredited("Ada Lovelace")
    accredited("Charles Babbage", application__register_consent=False)

    assert names_on(client.get(LIST)) == ["Ada Lovelace"]


def test_register_leaves_out_suspended_and_revoked_researchers_at_once(client):
    secretariat = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    suspended = accredited("Charles Babbage")
    revoked = accredited("Grace Hopper")
    accredited("Ada Lovelace")

    accreditation_suspend(accreditation=suspended, reasons="Under investigation", by=secretariat)
    accreditation_revoke(accreditation=revoked, reasons="Disclosed data", by=secretariat)

    assert names_on(client.get(LIST)) == ["Ada Lovelace"]


def test_register_shows_a_reinstated_researcher_again(client):
    secretariat = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    accreditation = accredited("Ada Lovelace")
    accreditation_suspend(accreditation=accreditation, reasons="Checking", by=secretariat)
    assert names_on(client.get(LIST)) == []

    accreditation_reinstate(accreditation=accreditation, by=secretariat)

    assert names_on(client.get(LIST)) == ["Ada Lovelace"]


def test_register_leaves_out_accreditations_past_their_end_date_before_the_expiry_task(client):
    accreditation = accredited("Ada Lovelace")

    with time_machine.travel(accreditation.valid_until + datetime.timedelta(days=1)):
        response = client.get(LIST)

    assert names_on(response) == []
    accreditation.refresh_from_db()
    assert accreditation.state == Accreditation.State.ACTIVE


def test_register_keeps_a_researcher_on_their_last_valid_day(client):
    accreditation = accredited("Ada Lovelace")

    with time_machine.travel(accreditation.valid_until):
        assert names_on(client.get(LIST)) == ["Ada Lovelace"]


def test_register_leaves_out_an_accreditation_that_has_not_started(client):
    start = timezone.localdate() + datetime.timedelta(days=10)
    accredited("Ada Lovelace", valid_from=start)

    assert names_on(client.get(LIST)) == []


def test_register_leaves_out_expired_accreditations(client):
    accreditation = accredited(
        "Ada Lovelace",
        valid_from=timezone.localdate() - datetime.timedelta(days=400),
        valid_until=timezone.localdate() - datetime.timedelta(days=1),
    )
    accreditation_expire(accreditation=accreditation)

    assert names_on(client.get(LIST)) == []


def test_register_leaves_out_deactivated_accounts(client):
    accreditation = accredited("Ada Lovelace")
    accreditation.researcher.is_active = False
    accreditation.researcher.save()

    assert names_on(client.get(LIST)) == []


def test_register_lists_a_renewed_researcher_once_with_the_later_end_date(client):
    first = accredited("Ada Lovelace")
    renewal = AccreditationFactory(
        researcher=first.researcher,
        valid_until=first.valid_until + datetime.timedelta(days=300),
        application__register_consent=True,
    )

    entries = list(register_entries())

    assert [(e.name, e.valid_until) for e in entries] == [("Ada Lovelace", renewal.valid_until)]


def test_register_hides_an_organisation_not_yet_approved(client):
    accreditation = accredited("Ada Lovelace", organisation="")
    ResearcherProfile.objects.create(
        user=accreditation.researcher,
        organisation=Organisation.objects.create(name="Difference Engines Unlimited"),
    )

    response = client.get(LIST)

    assert names_on(response) == ["Ada Lovelace"]
    assert "Difference Engines Unlimited" not in response.text


def test_register_lists_a_researcher_without_a_profile(client):
    accredited("Ada Lovelace", organisation="")

    assert names_on(client.get(LIST)) == ["Ada Lovelace"]


def test_register_search_by_name_finds_part_of_a_name(client):
    accredited("Ada Lovelace")
    accredited("Charles Babbage")

    response = client.get(LIST, {"name": "lovel"})

    assert names_on(response) == ["Ada Lovelace"]
    assert "1 accredited researcher found" in response.text


def test_register_search_by_organisation(client):
    accredited("Ada Lovelace", organisation="University of Exeter")
    accredited("Charles Babbage", organisation="Cambridge Analytical Society")

    response = client.get(LIST, {"organisation": "cambridge"})

    assert names_on(response) == ["Charles Babbage"]


def test_register_search_by_level(client):
    accredited("Ada Lovelace", level=Level.FULL)
    accredited("Charles Babbage", level=Level.PROVISIONAL)

    assert names_on(client.get(LIST, {"level": "provisional"})) == ["Charles Babbage"]


def test_register_search_finding_nobody_says_so(client):
    accredited("Ada Lovelace")

    response = client.get(LIST, {"name": "Turing"})

    assert response.status_code == 200
    assert "No accredited researchers match your search." in response.text


def test_register_search_with_an_unknown_level_shows_the_error_and_keeps_input(client):
    accredited("Ada Lovelace")

    response = client.get(LIST, {"name": "Ada", "level": "honorary"})

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "Select full or provisional accreditation" in response.text
    assert 'value="Ada"' in response.text
    assert names_on(response) == []


def test_register_paginates_fifty_a_page_keeping_the_search(client):
    for number in range(51):
        accredited(f"Researcher {number:02d}")
    accredited("Someone Else")

    first = client.get(LIST, {"name": "researcher"})
    second = client.get(page_link(first, "next"))

    assert len(names_on(first)) == 50
    assert "More than 50 accredited researchers" in first.text
    assert names_on(second) == ["Researcher 50"]
    assert page_link(second, "next") is None
    assert "name=researcher" in page_link(first, "next")
    assert names_on(client.get(page_link(second, "prev"))) == names_on(first)


def test_register_pages_forward_and_back_through_a_search_list_everyone_once(client):
    # Shared names, so the order falls back on the researcher to tell them apart.
    wanted = [accredited(f"Ravi Patel {number % 7}") for number in range(123)]
    accredited("Ada Lovelace")

    forward, backward = follow_pages(
        client, LIST, {"name": "patel"}, key=lambda entry: entry.researcher_id
    )

    listed = [researcher for page in forward for researcher in page]
    assert sorted(listed) == sorted(entry.researcher_id for entry in wanted)
    assert len(set(listed)) == len(listed)
    assert [len(page) for page in forward] == [50, 50, 23]
    assert backward == forward


@pytest.mark.parametrize(
    "cursor",
    [
        {"after": "nonsense"},
        {"before": "nonsense"},
        {"after": ""},
        {"after": '["Zed", 1]'},
        {"page": "2"},
        {"page": "-1"},
    ],
)
def test_register_with_a_broken_page_link_shows_the_first_page(client, cursor):
    for number in range(52):
        accredited(f"Researcher {number:02d}")

    response = client.get(LIST, {"name": "researcher", **cursor})

    assert response.status_code == 200
    assert names_on(response) == [f"Researcher {number:02d}" for number in range(50)]


def test_register_with_an_altered_page_link_shows_the_first_page(client):
    for number in range(52):
        accredited(f"Researcher {number:02d}")
    link = page_link(client.get(LIST), "next")
    # Changing one letter of the cursor breaks its signature.
    position = link.index("after=") + len("after=") + 2
    altered = link[:position] + ("B" if link[position] == "A" else "A") + link[position + 1 :]

    response = client.get(altered)

    assert response.status_code == 200
    assert names_on(response)[0] == "Researcher 00"


def test_register_page_link_kept_after_its_entry_left_still_pages_on(client):
    for number in range(52):
        accredited(f"Researcher {number:02d}")
    link = page_link(client.get(LIST), "next")
    Accreditation.objects.get(researcher__full_name="Researcher 49").delete()

    assert names_on(client.get(link)) == ["Researcher 50", "Researcher 51"]


@pytest.mark.parametrize("rows", [5, 200])
def test_register_list_query_count_does_not_grow_with_rows(
    client, rows, django_assert_max_num_queries
):
    for number in range(rows):
        accredited(f"Researcher {number:03d}", organisation=f"Organisation {number % 7}")

    with django_assert_max_num_queries(1):
        response = client.get(LIST, {"organisation": "organisation"})

    assert response.status_code == 200
    assert len(names_on(response)) == min(rows, 50)


@pytest.mark.parametrize("rows", [60, 200])
def test_register_later_page_query_count_does_not_grow_with_rows(
    client, rows, django_assert_max_num_queries
):
    for number in range(rows):
        accredited(f"Researcher {number:03d}", organisation=f"Organisation {number % 7}")
    link = page_link(client.get(LIST, {"organisation": "organisation"}), "next")

    with django_assert_max_num_queries(1):
        response = client.get(link)

    assert names_on(response)[0] == "Researcher 050"


@pytest.mark.parametrize("rows", [5, 200])
def test_register_csv_query_count_does_not_grow_with_rows(
    client, rows, django_assert_max_num_queries
):
    for number in range(rows):
        accredited(f"Researcher {number:03d}", organisation=f"Organisation {number % 7}")

    with django_assert_max_num_queries(1):
        response = client.get(CSV)
        lines = csv_rows(response)

    assert len(lines) == rows + 1


def test_register_csv_reads_a_fixed_number_of_queries_a_chunk(
    client, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr("accreditation.register.views.CSV_CHUNK_SIZE", 7)
    for number in range(30):
        accredited(f"Researcher {number:02d}")

    # Five chunks of seven, the last one short.
    with django_assert_max_num_queries(5):
        lines = csv_rows(client.get(CSV))

    assert [line[0] for line in lines[1:]] == [f"Researcher {number:02d}" for number in range(30)]


def test_register_csv_has_the_same_columns_and_search_as_the_page(client):
    ada = accredited("Ada Lovelace", level=Level.PROVISIONAL)
    accredited("Charles Babbage")

    response = client.get(CSV, {"name": "ada", "page": "3"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="accredited-researchers-'
    )
    assert csv_rows(response) == [
        ["Name", "Organisation", "Accreditation", "Valid until"],
        ["Ada Lovelace", "University of Exeter", "Provisional", ada.valid_until.isoformat()],
    ]


def test_register_csv_never_starts_a_cell_with_a_formula(client):
    accredited('=HYPERLINK("http://example.com")', organisation="+44 Analytics")

    rows = csv_rows(client.get(CSV))

    assert rows[1][:2] == ['\'=HYPERLINK("http://example.com")', "'+44 Analytics"]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_register_csv_neutralises_a_formula_after_spaces_or_a_separator(client, hostile):
    accredited(hostile, organisation=hostile)

    rows = csv_rows(client.get(CSV))

    assert rows[1][:2] == ["'" + hostile, "'" + hostile]


def test_register_csv_with_an_unknown_level_goes_back_to_the_list(client):
    response = client.get(CSV, {"level": "honorary"})

    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?level=honorary"


def test_register_page_links_to_the_csv_with_the_search(client):
    accredited("Ada Lovelace")

    response = client.get(LIST, {"name": "ada", "page": "1"})

    assert f'href="{CSV}?name=ada"' in response.text
