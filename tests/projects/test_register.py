import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from identity.roles import Role
from legislation.access_modes import AccessMode
from projects.models import PanelDecision, Proposal, TeamMember
from projects.register.selectors import register_projects
from tests.factories import UserFactory
from tests.legislation.factories import ActFactory, DatasetFactory
from tests.projects.factories import ProposalFactory
from tests.projects.states import amendment_at, proposal_at
from tests.researchers.profile_factories import OrganisationFactory, ResearcherProfileFactory
from tests.seek_links import follow_pages, page_link

pytestmark = pytest.mark.django_db

LIST = reverse("project_register:list")
CSV = reverse("project_register:csv")
# A formula after spaces, and one after a separator a spreadsheet may split at.
HOSTILE = [' =HYPERLINK("http://example.com")', "North;=cmd|' /C calc'!A0"]
State = Proposal.State


def researcher_of(organisation):
    user = UserFactory(roles=[Role.RESEARCHER])
    ResearcherProfileFactory(user=user, organisation=OrganisationFactory(name=organisation))
    return user


def decided(
    title,
    *,
    state=State.ACTIVE,
    organisation="University of Exeter",
    datasets=None,
    route=PanelDecision.Route.FAST_TRACK,
    decided_on=None,
    **kwargs,
):
    """A project taken to ``state`` through the services, approved by ``route`` (on
    ``decided_on``), its co-ordinator from ``organisation``."""
    return proposal_at(
        state,
        title=title,
        coordinator=researcher_of(organisation),
        datasets=datasets if datasets is not None else [DatasetFactory()],
        lay_summary=f"What {title} is for.",
        route="panel" if route == PanelDecision.Route.PANEL else None,
        on=decided_on,
        **kwargs,
    )


def titles_on(response):
    return [entry.title for entry in response.context["entries"]]


def csv_rows(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_register_shows_title_summary_organisation_datasets_gateway_route_and_status(client):
    act = ActFactory(title="Census Returns Test Act 1920", slug="census-returns-test-act")
    dataset = DatasetFactory(name="Test Survey of Pay by Place", acts=[act])
    decided(
        "Pay and place",
        datasets=[dataset],
        route=PanelDecision.Route.PANEL,
        decided_on=datetime.datetime(2026, 3, 4, 12, tzinfo=datetime.UTC),
    )

    response = client.get(LIST)

    assert response.status_code == 200
    page = response.text[response.text.index("Pay and place") :]
    for words in (
        "What Pay and place is for.",
        "University of Exeter",
        "Test Survey of Pay by Place",
        "Census Returns Test Act 1920",
        "4 March 2026",
        "By the Research Accreditation Panel",
        "Active",
    ):
        assert words in page


def test_register_says_a_fast_tracked_project_was_approved_by_the_secretariat(client):
    decided("Quick look", route=PanelDecision.Route.FAST_TRACK, state=State.APPROVED)

    response = client.get(LIST)

    assert "By the secretariat under delegated authority (fast track)" in response.text


def test_register_lists_approved_active_ended_and_closed_projects_only(client):
    for state in State:
        decided(f"Project {state.value}", state=state)

    listed = set(titles_on(client.get(LIST)))

    assert listed == {
        "Project approved",
        "Project approved_with_conditions",
        "Project active",
        "Project ended",
        "Project closed",
    }


def test_register_shows_a_project_past_its_end_date_as_ended_on_the_page_and_in_the_csv(client):
    decided("Pay and place", state=State.ENDED)
    decided("Health and place", state=State.ACTIVE)

    page = client.get(LIST, {"status": "ended"})
    rows = csv_rows(client.get(CSV, {"status": "ended"}))

    assert titles_on(page) == ["Pay and place"]
    assert "Ended" in page.text[page.text.index("Pay and place") :]
    assert [(row[0], row[rows[0].index("Status")]) for row in rows[1:]] == [
        ("Pay and place", "Ended")
    ]


def test_register_leaves_out_an_amendment_still_being_considered(client):
    project = decided("Pay and place")
    # An approved amendment keeps a row of its own beside the project it came into force on.
    amendment_at(State.APPROVED, project=project)

    assert titles_on(client.get(LIST)) == ["Pay and place"]


def test_register_names_accepted_team_members_organisations_only(client):
    project = decided("Pay and place", organisation="University of Exeter")
    for organisation, accepted in (("Cardiff University", True), ("Invited Only Ltd", False)):
        member = researcher_of(organisation)
        TeamMember.objects.create(
            proposal=project,
            user=member if accepted else None,
            email=member.email,
            invited_by=project.coordinator,
            accepted_at=timezone.now() if accepted else None,
        )

    entry = client.get(LIST).context["entries"][0]

    assert entry.organisations == ["Cardiff University", "University of Exeter"]


def test_register_hides_an_organisation_not_yet_approved(client):
    project = decided("Pay and place", organisation="Difference Engines Unlimited")
    project.coordinator.profile.organisation.status = "proposed"
    project.coordinator.profile.organisation.save()

    response = client.get(LIST)

    assert titles_on(response) == ["Pay and place"]
    assert "Difference Engines Unlimited" not in response.text


def test_register_hides_a_team_members_organisation_not_yet_approved(client):
    project = decided("Pay and place", organisation="University of Exeter")
    for organisation, status in (("Cardiff University", "approved"), ("Unknown Ltd", "proposed")):
        member = researcher_of(organisation)
        member.profile.organisation.status = status
        member.profile.organisation.save()
        TeamMember.objects.create(
            proposal=project,
            user=member,
            email=member.email,
            invited_by=project.coordinator,
            accepted_at=timezone.now(),
        )

    response = client.get(LIST)

    assert response.context["entries"][0].organisations == [
        "Cardiff University",
        "University of Exeter",
    ]
    assert "Unknown Ltd" not in response.text


def test_register_names_no_organisation_for_a_team_member_without_a_profile(client):
    project = decided("Pay and place", organisation="University of Exeter")
    member = UserFactory(roles=[Role.RESEARCHER])
    TeamMember.objects.create(
        proposal=project,
        user=member,
        email=member.email,
        invited_by=project.coordinator,
        accepted_at=timezone.now(),
    )

    entry = client.get(LIST).context["entries"][0]

    assert entry.organisations == ["University of Exeter"]


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ({"title": "place"}, ["Pay and place"]),
        ({"organisation": "cardiff"}, ["Health and work"]),
        ({"dataset": "hospital"}, ["Health and work"]),
        ({"status": "closed"}, ["Health and work"]),
    ],
)
def test_register_search_by_title_organisation_dataset_and_status(client, search, found):
    decided("Pay and place", datasets=[DatasetFactory(name="Earnings Survey")])
    decided(
        "Health and work",
        organisation="Cardiff University",
        datasets=[DatasetFactory(name="Hospital Episode Statistics")],
        state=State.CLOSED,
    )

    response = client.get(LIST, search)

    assert titles_on(response) == found
    assert "1 accredited project found" in response.text


def test_register_search_finding_nothing_says_so(client):
    decided("Pay and place")

    response = client.get(LIST, {"title": "Turing"})

    assert response.status_code == 200
    assert "No accredited projects match your search." in response.text


def test_register_search_with_an_unknown_status_shows_the_error_and_keeps_input(client):
    decided("Pay and place")

    response = client.get(LIST, {"title": "Pay", "status": "draft"})

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "Select a status from the list" in response.text
    assert 'value="Pay"' in response.text
    assert titles_on(response) == []


def test_register_paginates_keeping_the_search(client):
    for number in range(21):
        decided(
            f"Project {number:02d}", decided_on=timezone.now() - datetime.timedelta(days=number)
        )

    first = client.get(LIST, {"title": "project"})
    second = client.get(page_link(first, "next"))

    assert len(titles_on(first)) == 20
    assert "More than 20 accredited projects found" in first.text
    assert titles_on(second) == ["Project 20"]
    assert "title=project" in page_link(first, "next")
    assert titles_on(client.get(page_link(second, "prev"))) == titles_on(first)


def test_register_pages_forward_and_back_through_a_search_list_every_project_once(client):
    # Made directly, as for the query counts: fifty projects through the services are slow.
    # Shared titles, so the order falls back on the project to tell them apart.
    wanted = [
        active_rows(f"Earnings and place {number % 3}", organisation="Org", datasets=[])
        for number in range(45)
    ]
    active_rows("Health and work", organisation="Org", datasets=[])

    forward, backward = follow_pages(client, LIST, {"title": "earnings"}, key=lambda p: p.pk)

    listed = [project for page in forward for project in page]
    assert sorted(listed) == sorted(project.pk for project in wanted)
    assert len(set(listed)) == len(listed)
    assert [len(page) for page in forward] == [20, 20, 5]
    assert backward == forward


@pytest.mark.parametrize("cursor", [{"after": "nonsense"}, {"before": "x:y:z"}, {"page": "9"}])
def test_register_with_a_broken_page_link_shows_the_first_page(client, cursor):
    for number in range(21):
        active_rows(f"Project {number:02d}", organisation="Org", datasets=[])

    response = client.get(LIST, {"title": "project", **cursor})

    assert response.status_code == 200
    assert titles_on(response) == [f"Project {number:02d}" for number in range(20)]


def active_rows(title, *, organisation, datasets):
    """The rows the services leave for an active project the panel approved: the project, its
    requests, its co-ordinator's team row and accreditation, the decision. Made directly: the
    query-count tests need two hundred, which through the services take most of a minute."""
    now = timezone.now()
    project = ProposalFactory(
        state=State.ACTIVE,
        title=title,
        coordinator=researcher_of(organisation),
        datasets=datasets,
        lay_summary=f"What {title} is for.",
        access_mode=AccessMode.SAFE_SETTING,
        submitted_at=now,
        decided_at=now,
        activated_at=now,
    )
    PanelDecision.objects.create(
        proposal=project,
        outcome=PanelDecision.Outcome.APPROVED,
        route=PanelDecision.Route.PANEL,
        decided_by=UserFactory(roles=[Role.SECRETARIAT]),
    )
    return project


def make_many(rows):
    acts = [ActFactory() for _ in range(3)]
    datasets = [DatasetFactory(acts=[acts[n % 3]]) for n in range(4)]
    for number in range(rows):
        project = active_rows(
            f"Project {number:03d}",
            organisation=f"Organisation {number % 7}",
            datasets=datasets[: 1 + number % 3],
        )
        member = researcher_of(f"Organisation {number % 5}")
        TeamMember.objects.create(
            proposal=project,
            user=member,
            email=member.email,
            invited_by=project.coordinator,
            accepted_at=timezone.now(),
        )


@pytest.mark.parametrize("rows", [5, 200])
def test_register_list_query_count_does_not_grow_with_rows(
    client, rows, django_assert_max_num_queries
):
    make_many(rows)

    with django_assert_max_num_queries(5):
        response = client.get(LIST, {"organisation": "organisation"})

    assert response.status_code == 200
    assert len(titles_on(response)) == min(rows, 20)
    assert all(entry.organisations for entry in response.context["entries"])


@pytest.mark.parametrize("rows", [30, 200])
def test_register_later_page_query_count_does_not_grow_with_rows(
    client, rows, django_assert_max_num_queries
):
    make_many(rows)
    link = page_link(client.get(LIST, {"organisation": "organisation"}), "next")

    with django_assert_max_num_queries(5):
        response = client.get(link)

    assert titles_on(response)[0] == "Project 020"


def test_register_csv_reads_a_fixed_number_of_queries_a_batch(
    client, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr("projects.register.views.CSV_BATCH_SIZE", 10)
    make_many(35)

    # Four batches, each the projects, their datasets, the datasets' acts and their team
    # (published outputs are read only when the output app is installed and has some).
    with django_assert_max_num_queries(4 * 5):
        lines = csv_rows(client.get(CSV))

    assert [line[0] for line in lines[1:]] == [f"Project {number:03d}" for number in range(35)]


@pytest.mark.parametrize("rows", [5, 200])
def test_register_csv_query_count_does_not_grow_with_rows(
    client, rows, django_assert_max_num_queries
):
    make_many(rows)

    with django_assert_max_num_queries(5):
        lines = csv_rows(client.get(CSV))

    assert len(lines) == rows + 1


def test_register_csv_has_the_columns_and_search_of_the_page(client):
    act = ActFactory(title="Wage Records Test Act 1930", slug="wage-records-test-act")
    decided(
        "Pay and place",
        datasets=[DatasetFactory(name="Earnings Survey", acts=[act])],
        route=PanelDecision.Route.FAST_TRACK,
    )
    decided("Health and work")

    response = client.get(CSV, {"title": "pay", "page": 3})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, *rows = csv_rows(response)
    assert header == [
        "Title",
        "Lay summary",
        "Organisations",
        "Datasets",
        "Legal gateway",
        "Decision date",
        "Approved by",
        "Status",
        "Published outputs",
    ]
    assert rows == [
        [
            "Pay and place",
            "What Pay and place is for.",
            "University of Exeter",
            "Earnings Survey",
            "Wage Records Test Act 1930",
            f"{timezone.localdate():%Y-%m-%d}",
            "By the secretariat under delegated authority (fast track)",
            "Active",
            "",
        ]
    ]


def test_register_csv_never_starts_a_cell_with_a_formula(client):
    decided('=HYPERLINK("http://example.com")')

    _, row = csv_rows(client.get(CSV))

    assert row[0].startswith("'=")


@pytest.mark.parametrize("hostile", HOSTILE)
def test_register_csv_neutralises_a_formula_after_spaces_or_a_separator(client, hostile):
    decided(hostile, organisation=hostile)

    _, row = csv_rows(client.get(CSV))

    assert row[0] == "'" + hostile
    assert "'" + hostile in row[1:]
    assert hostile not in row


def test_register_csv_with_a_bad_search_goes_back_to_the_list(client):
    response = client.get(CSV, {"status": "draft"})

    assert response.status_code == 302
    assert response["Location"].startswith(LIST)


def test_register_projects_by_title():
    decided("Wages", decided_on=timezone.now() - datetime.timedelta(days=30))
    decided("Apprenticeships")

    assert [project.title for project in register_projects()] == ["Apprenticeships", "Wages"]
