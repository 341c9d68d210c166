"""The secretariat's home as a work queue: each queue's count, its longest waiting items first,
each linking to the page where the work is done, and a link to the whole list. Every link is
followed."""

import datetime
import importlib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accreditation.models import Level
from dashboard.secretariat_selectors import secretariat_queues_generation
from identity.roles import Role
from projects.models import Proposal, Recommendation, ReviewerAssignment
from researchers.models import Organisation
from tests.accreditation.factories import AccreditationFactory
from tests.accreditation.states import application_submitted
from tests.factories import UserFactory
from tests.legislation.factories import DatasetFactory
from tests.projects.states import amendment_at, proposal_at, proposal_submitted
from tests.researchers.profile_factories import OrganisationFactory

pytestmark = pytest.mark.django_db

HOME = reverse("dashboard:home")


@pytest.fixture(autouse=True)
def _queues_worked_out_on_every_visit(settings):
    """Most tests here change records directly between two visits, as no service would, without
    a word in the audit trail: each visit works the queues out afresh. Keeping them is tested
    at the end."""
    settings.SECRETARIAT_QUEUES_KEPT_SECONDS = 0


@pytest.fixture
def secretariat(client):
    user = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    client.force_login(user)
    return user


def queue_html(html, key):
    start = html.index(f'id="queue-{key}"')
    end = html.find('id="queue-', start + 10)
    return html[start : end if end != -1 else html.index('id="dashboard-secretariat"')]


def hrefs(html):
    return re.findall(r'<a class="govuk-link" href="([^"]+)"', html)


def count_in(html):
    return int(re.search(r'<strong class="govuk-tag[^"]*">(\d+)</strong>', html).group(1))


def assert_links_open(client, urls):
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, f"{url} answered {response.status_code}"


def home(client):
    response = client.get(HOME)
    assert response.status_code == 200
    return response.text


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def _reviewer(**kwargs):
    return UserFactory(roles=[Role.PANEL_REVIEWER], totp=True, **kwargs)


def _assign(proposal, *, independent=False, recommended=False, by):
    assignment = ReviewerAssignment.objects.create(
        proposal=proposal,
        reviewer=_reviewer(),
        independent=independent,
        assigned_by=by,
        conflict_declared=False,
    )
    if recommended:
        Recommendation.objects.create(
            assignment=assignment,
            recommendation=Recommendation.Choice.APPROVE,
            score_public_benefit=4,
            score_analytical_merit=4,
            score_feasibility=4,
            score_privacy_risk_mitigation=4,
            score_ethics=4,
        )
    return assignment


def test_secretariat_home_lists_applications_to_screen_oldest_first(client, secretariat):
    newer = application_submitted()
    older = application_submitted()
    older.submitted_at = days_ago(9)
    older.save(update_fields=["submitted_at"])

    queue = queue_html(home(client), "applications")

    assert "Accreditation applications to screen" in queue
    assert count_in(queue) == 2
    links = hrefs(queue)
    assert links == [
        reverse("accreditation:screen", args=[older.pk]),
        reverse("accreditation:screen", args=[newer.pk]),
        reverse("accreditation:queue"),
    ]
    assert escape(older.applicant.get_full_name()) in queue
    assert_links_open(client, links)


def test_secretariat_home_shows_five_of_a_long_queue_and_links_to_all(client, secretariat):
    for _ in range(7):
        application_submitted()

    queue = queue_html(home(client), "applications")

    assert count_in(queue) == 7
    assert len(hrefs(queue)) == 6
    assert f'href="{reverse("accreditation:queue")}">All applications (7)' in queue


def test_secretariat_home_lists_proposals_and_amendments_to_screen_apart(client, secretariat):
    proposal = proposal_submitted()
    project = proposal_at(Proposal.State.ACTIVE, title="Project in force")
    amendment = amendment_at(Proposal.State.SUBMITTED, project=project)

    html = home(client)

    proposals = queue_html(html, "proposals")
    amendments = queue_html(html, "amendments")
    assert hrefs(proposals)[0] == reverse("projects:screen", args=[proposal.pk])
    assert count_in(proposals) == 1
    assert hrefs(amendments)[0] == reverse("projects:screen", args=[amendment.pk])
    assert "Project in force (version 2)" in amendments
    assert_links_open(client, hrefs(proposals) + hrefs(amendments))


def test_secretariat_home_lists_panels_short_of_reviewers_and_decisions_due(client, secretariat):
    short = proposal_at(Proposal.State.PANEL_REVIEW, title="Short of reviewers")
    _assign(short, by=secretariat)
    no_independent = proposal_at(Proposal.State.PANEL_REVIEW, title="No independent")
    for _ in range(3):
        _assign(no_independent, by=secretariat)
    ready = proposal_at(Proposal.State.PANEL_REVIEW, title="All recommended")
    _assign(ready, independent=True, recommended=True, by=secretariat)
    _assign(ready, recommended=True, by=secretariat)
    _assign(ready, recommended=True, by=secretariat)

    html = home(client)

    panels = queue_html(html, "panels_short")
    decisions = queue_html(html, "decisions")
    assert count_in(panels) == 2
    assert "1 of 3 reviewers" in panels
    assert "3 of 3 reviewers, none independent" in panels
    assert "All recommended" not in panels
    assert hrefs(decisions)[0] == reverse("projects:panel", args=[ready.pk])
    assert count_in(decisions) == 1
    assert_links_open(client, hrefs(panels) + hrefs(decisions))


def test_secretariat_home_counts_only_reviewers_still_on_the_panel(client, secretariat):
    """A reviewer taken off the panel no longer counts towards it, unless their recommendation
    was in and stands; each recommendation counts once."""
    proposal = proposal_at(Proposal.State.PANEL_REVIEW, title="Reviewer taken off")
    _assign(proposal, independent=True, recommended=True, by=secretariat)
    _assign(proposal, recommended=True, by=secretariat)
    removed = _assign(proposal, by=secretariat)
    removed.removed_at = timezone.now()
    removed.save(update_fields=["removed_at"])

    panels = queue_html(home(client), "panels_short")
    assert "2 of 3 reviewers" in panels

    standing = _assign(proposal, recommended=True, by=secretariat)
    standing.removed_at = timezone.now()
    standing.recommendation_stands = True
    standing.save(update_fields=["removed_at", "recommendation_stands"])

    html = home(client)
    assert "Reviewer taken off" not in queue_html(html, "panels_short")
    assert hrefs(queue_html(html, "decisions"))[0] == reverse("projects:panel", args=[proposal.pk])


def test_secretariat_home_marks_consents_waiting_past_the_service_level(
    client, secretariat, settings
):
    settings.CONSENT_SERVICE_LEVEL_WORKING_DAYS = 10
    owned = DatasetFactory(consent_required=True)
    late = proposal_at(
        Proposal.State.DATA_OWNER_REVIEW, datasets=[owned], title="Waiting a month", on=days_ago(30)
    )
    recent = proposal_at(
        Proposal.State.DATA_OWNER_REVIEW,
        datasets=[DatasetFactory(consent_required=True)],
        title="Sent yesterday",
        on=days_ago(1),
    )

    queue = queue_html(home(client), "consents")

    assert count_in(queue) == 2
    assert "1 overdue" in queue
    links = hrefs(queue)
    assert links[:2] == [
        reverse("projects:screen", args=[late.pk]),
        reverse("projects:screen", args=[recent.pk]),
    ]
    late_row = queue[queue.index("Waiting a month") : queue.index("Sent yesterday")]
    assert "Overdue" in late_row
    assert "Overdue" not in queue[queue.index("Sent yesterday") :]
    assert_links_open(client, links)


def test_secretariat_home_lists_organisations_to_approve(client, secretariat):
    proposed = OrganisationFactory(status=Organisation.Status.PROPOSED, name="Institute of Tides")
    OrganisationFactory(status=Organisation.Status.APPROVED, name="Already listed")

    queue = queue_html(home(client), "organisations")

    assert count_in(queue) == 1
    assert hrefs(queue) == [
        reverse("researchers:organisation_review", args=[proposed.pk]),
        reverse("researchers:organisation_list"),
    ]
    assert_links_open(client, hrefs(queue))


def test_secretariat_home_lists_accreditations_ending_within_ninety_days(client, secretariat):
    today = timezone.localdate()
    ending = AccreditationFactory(
        valid_from=today - datetime.timedelta(days=1000),
        valid_until=today + datetime.timedelta(days=30),
        level=Level.PROVISIONAL,
    )
    AccreditationFactory()

    queue = queue_html(home(client), "ending")

    assert count_in(queue) == 1
    assert escape(ending.researcher.get_full_name()) in queue
    href = reverse("accreditation:accreditation_detail", args=[ending.pk])
    assert hrefs(queue)[0] == href
    assert f"Provisional accreditation ends {ending.valid_until:%-d %B %Y}" in queue
    assert_links_open(client, hrefs(queue))


def test_secretariat_home_with_nothing_waiting_says_so_and_still_links_the_lists(
    client, secretariat
):
    html = home(client)

    for key in ("applications", "proposals", "panels_short", "decisions", "consents"):
        queue = queue_html(html, key)
        assert count_in(queue) == 0
        assert "Nothing is waiting." in queue
        assert_links_open(client, hrefs(queue))


def test_secretariat_navigation_and_home_lead_to_the_applications(client, secretariat):
    html = home(client)

    nav = html[html.index('id="navigation"') : html.index("</nav>")]
    assert f'href="{reverse("accreditation:queue")}"' in nav
    assert re.search(r">\s*Accreditation\s*<", nav)
    assert f'href="{reverse("accreditation:queue")}">Accreditation applications' in html


def _busy_scheme(size, secretariat):
    today = timezone.localdate()
    for index in range(size):
        application_submitted()
        proposal_submitted()
        panel = proposal_at(Proposal.State.PANEL_REVIEW)
        _assign(panel, by=secretariat)
        proposal_at(
            Proposal.State.DATA_OWNER_REVIEW,
            datasets=[DatasetFactory(consent_required=True)],
            on=days_ago(index),
        )
        OrganisationFactory(status=Organisation.Status.PROPOSED)
        AccreditationFactory(
            valid_from=today - datetime.timedelta(days=1000),
            valid_until=today + datetime.timedelta(days=10 + index),
        )


@pytest.mark.parametrize("size", [1, 8])
def test_secretariat_home_query_count_does_not_grow_with_the_queues(
    client, secretariat, django_assert_max_num_queries, size
):
    _busy_scheme(size, secretariat)

    # Session, user, roles, two-factor and declaration checks, unread count, whether they have
    # a second factor (for the home's "Signing in" section), the audit trail's latest event (what
    # kept queues are kept under); a count and the first five for each of five queues (10), the
    # consents waiting with their counts (1), and the panel's two queues read together (2).
    with django_assert_max_num_queries(21):
        response = client.get(HOME)

    assert response.status_code == 200
    assert count_in(queue_html(response.text, "applications")) == size


QUEUE_TABLES = ("accreditation_", "projects_proposal", "researchers_organisation")


def _queue_reads(client):
    """The page, and how many of its queries read the queues' tables."""
    with CaptureQueriesContext(connection) as queries:
        html = home(client)
    return html, sum(
        1 for query in queries if any(f'FROM "{table}' in query["sql"] for table in QUEUE_TABLES)
    )


def test_the_queues_worked_out_for_one_member_are_kept_for_the_rest(client, secretariat, settings):
    settings.SECRETARIAT_QUEUES_KEPT_SECONDS = 60
    application = application_submitted()
    first, worked_out = _queue_reads(client)

    colleague = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    client.force_login(colleague)
    # A new name is not in the audit trail: it shows once the kept queues expire.
    type(application.applicant).objects.filter(pk=application.applicant_id).update(
        full_name="Renamed Applicant"
    )
    kept, read = _queue_reads(client)

    assert queue_html(kept, "applications") == queue_html(first, "applications")
    assert "Renamed Applicant" not in kept
    assert count_in(queue_html(kept, "applications")) == 1
    assert worked_out >= 10
    assert read == 0


def test_a_change_the_audit_trail_records_shows_on_the_kept_queues_at_once(
    client, secretariat, settings
):
    settings.SECRETARIAT_QUEUES_KEPT_SECONDS = 60
    application_submitted(applicant__full_name="First Applicant")
    assert count_in(queue_html(home(client), "applications")) == 1

    application_submitted(applicant__full_name="Second Applicant")

    queue = queue_html(home(client), "applications")
    assert count_in(queue) == 2
    assert "Second Applicant" in queue


def test_the_queues_are_kept_a_day_at_most():
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)

    assert secretariat_queues_generation(today=today) != secretariat_queues_generation(
        today=tomorrow
    )


def test_with_no_time_to_keep_them_the_queues_are_worked_out_on_every_visit(
    client, secretariat, settings
):
    settings.SECRETARIAT_QUEUES_KEPT_SECONDS = 0
    application = application_submitted()
    home(client)
    type(application.applicant).objects.filter(pk=application.applicant_id).update(
        full_name="Renamed Applicant"
    )

    assert "Renamed Applicant" in queue_html(home(client), "applications")


def test_the_panel_queues_index_holds_the_proposals_with_the_panel():
    """The partial index the panel queues read their order from names its state as a literal (a
    model's Meta cannot see its state choices): it must be the panel's."""
    (index,) = [i for i in Proposal._meta.indexes if i.name == "proposals_with_panel"]
    assert index.condition.children == [("state", Proposal.State.PANEL_REVIEW)]


def test_the_consents_index_holds_the_events_the_consents_queue_asks_for():
    """The audit trail's partial index of proposals reaching the data owners (added by a
    migration of the projects app, with literals) must name what ``consents_waiting`` asks for."""
    migration = importlib.import_module("projects.migrations.0010_panel_and_consent_queue_indexes")
    condition = dict(migration.REACHED_DATA_OWNERS.condition.children)
    assert condition == {
        "object_type": Proposal._meta.label_lower,
        "to_state": Proposal.State.DATA_OWNER_REVIEW,
    }
