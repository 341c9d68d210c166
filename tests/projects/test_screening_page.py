"""The screening page shows, beside each check it asks the secretariat to confirm, what the
proposal answers to it, and keeps the rest of the proposal, the return comments and the fast
track folded away until they are wanted."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from identity.roles import Role
from projects.proposal.services import proposal_submit
from projects.screening.services import CHECK_KEYS, screening_start
from tests.factories import UserFactory
from tests.legislation.factories import ActFactory, DatasetFactory
from tests.projects.factories import proposal_ready_to_submit
from tests.projects.states import proposal_submitted

pytestmark = pytest.mark.django_db

ETHICS = {
    "public_good": {"answer": "yes", "details": ""},
    "confidentiality": {"answer": "partly", "details": "Small areas are merged before release."},
    "methods_quality": {"answer": "yes", "details": ""},
    "legal_compliance": {"answer": "yes", "details": ""},
    "public_views": {"answer": "no", "details": "No public panel was consulted."},
}


@pytest.fixture
def secretariat():
    return UserFactory(roles=[Role.SECRETARIAT], totp=True)


def screen_url(proposal):
    return reverse("projects:screen", kwargs={"pk": proposal.pk})


def answers(page, key):
    """The summary list of what the proposal answers to one check."""
    return page.split(f'id="answers-{key}"')[1].split("</dl>")[0]


def in_screening(secretariat, **kwargs):
    return screening_start(proposal=proposal_submitted(**kwargs), by=secretariat)


def test_screen_page_shows_the_ethics_answers_and_the_dpia_beside_the_ethics_check(
    client, secretariat
):
    proposal = proposal_ready_to_submit(ethics=ETHICS, dpia_needed=True)
    proposal.dpia_file.save("dpia.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    proposal = proposal_submit(proposal=proposal, by=proposal.coordinator)
    proposal = screening_start(proposal=proposal, by=secretariat)
    client.force_login(secretariat)

    page = client.get(screen_url(proposal)).content.decode()

    ethics = answers(page, "ethics")
    assert "Confidentiality" in ethics and "Partly" in ethics
    assert "Small areas are merged before release." in ethics
    assert "No public panel was consulted." in ethics
    dpia = reverse("projects:proposal_dpia", kwargs={"pk": proposal.pk})
    assert f'href="{dpia}"' in ethics
    response = client.get(dpia)
    b"".join(response.streaming_content)
    assert response.status_code == 200


def test_screen_page_shows_the_purposes_and_each_datasets_gateways(client, secretariat):
    act = ActFactory(title="Screening Returns Act 2001", slug="screening-returns-act-2001")
    dataset = DatasetFactory(name="Screening Returns Survey", acts=[act])
    proposal = in_screening(secretariat, datasets=[dataset])
    client.force_login(secretariat)

    page = client.get(screen_url(proposal)).content.decode()

    purposes = answers(page, "public_good")
    assert "Provide an evidence base for public policy decision-making" in purposes
    assert "Evidence for regional health policy." in purposes
    gateway = answers(page, "gateway")
    assert "Screening Returns Survey" in gateway
    assert "Screening Returns Act 2001" in gateway
    assert "The published tables are too coarse" in answers(page, "open_data")
    assert "Annual earnings, region, age band" in answers(page, "minimum_data")


def test_screen_page_marks_a_team_member_accredited_for_less_than_the_project(client, secretariat):
    member = UserFactory(roles=[Role.RESEARCHER], full_name="Ola Nowak")
    proposal = in_screening(secretariat, members=[member])
    member.accreditations.update(valid_until=datetime.date.today() + datetime.timedelta(days=30))
    client.force_login(secretariat)

    team = answers(client.get(screen_url(proposal)).content.decode(), "team")

    assert "Ola Nowak" in team
    assert "Ends before the project" in team
    assert "Full accreditation until" in team


def test_screen_page_folds_the_whole_proposal_the_return_comments_and_the_fast_track(
    client, secretariat
):
    proposal = in_screening(secretariat)
    client.force_login(secretariat)

    page = client.get(screen_url(proposal)).content.decode()

    assert '<details class="govuk-details" id="whole-proposal">' in page
    assert '<details class="govuk-details" id="return-for-changes">' in page
    assert '<details class="govuk-details" id="fast-track">' in page
    # The whole proposal is written out once, inside its fold.
    assert page.count("Panel regression with regional fixed effects.") == 2
    assert page.index('id="whole-proposal"') < page.index('id="screening-checks"')


def test_screen_page_opens_the_return_fold_when_a_return_needs_comments(client, secretariat):
    proposal = in_screening(secretariat)
    client.force_login(secretariat)

    response = client.post(screen_url(proposal), {"action": "return", "checks": ["complete"]})

    page = response.content.decode()
    assert '<details class="govuk-details" id="return-for-changes" open>' in page
    assert "Say what needs changing in at least one section of the proposal" in page
    assert page.count(" checked") == 1


def test_screen_page_error_for_unticked_checks_links_to_the_first_check(client, secretariat):
    proposal = in_screening(secretariat)
    client.force_login(secretariat)

    response = client.post(screen_url(proposal), {"action": "pass", "checks": ["complete"]})

    page = response.content.decode()
    assert 'href="#id_checks_0"' in page
    assert 'id="id_checks_0"' in page
    assert "Tick every check before you pass the proposal on" in page


def test_screen_page_shows_the_answers_before_screening_starts(client, secretariat):
    proposal = proposal_submitted(ethics=ETHICS)
    client.force_login(secretariat)

    page = client.get(screen_url(proposal)).content.decode()

    assert "Start screening" in page
    assert "No public panel was consulted." in answers(page, "ethics")


@pytest.mark.parametrize("size", [1, 8])
def test_screen_page_queries_do_not_grow_with_datasets_and_gateways(
    client, secretariat, size, django_assert_max_num_queries
):
    datasets = [DatasetFactory(acts=[ActFactory(), ActFactory()]) for _ in range(size)]
    proposal = in_screening(secretariat, datasets=datasets)
    client.force_login(secretariat)
    client.get(screen_url(proposal))

    # The submission rules the page lists cost most of these.
    with django_assert_max_num_queries(42):
        response = client.get(screen_url(proposal))

    assert response.status_code == 200
    assert len(CHECK_KEYS) == response.content.decode().count('name="checks"')
