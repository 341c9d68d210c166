"""Every page of a demo person's work is reachable by following links from their home.

Starts at the dashboard of each demo role, follows only the links the
pages show (GET, same site, nothing that downloads or signs out), and checks that every page of
that person's work in the demo data was reached, with no link answering an error.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accreditation.models import Accreditation, AccreditationApplication
from outputs.models import OutputRequest
from projects.models import Proposal
from researchers.models import User
from retention.models import RecordKind, RetentionSchedule
from tests.link_following import crawl, paths, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=StringIO())


def test_link_following_reaches_every_page_of_the_demo_researchers_work(client, demo):
    tomasz = User.objects.get(email="researcher.two@example.ac.uk")

    answers = crawl(client, tomasz)

    assert not {url: code for url, code in answers.items() if code >= 400}
    reached = paths(answers)
    expected = {
        reverse("accreditation:application_detail"),
        reverse("researchers:declaration"),
        reverse("researchers:profile"),
        reverse("researchers:data_export"),
    }
    for proposal in Proposal.objects.filter(coordinator=tomasz):
        expected.add(reverse("projects:proposal_detail", args=[proposal.pk]))
    for output_request in OutputRequest.objects.filter(author=tomasz):
        expected.add(reverse("outputs:output_request_detail", args=[output_request.pk]))
    assert expected <= reached, expected - reached


def test_link_following_takes_a_new_researcher_to_starting_an_application(client, demo):
    amara = User.objects.get(email="researcher.one@example.ac.uk")

    reached = paths(crawl(client, amara))

    assert reverse("accreditation:application_start") in reached
    assert reverse("researchers:declaration") in reached
    assert reverse("researchers:profile") in reached
    assert reverse("researchers:qualification_add") in reached
    assert reverse("researchers:training_add") in reached


def test_link_following_reaches_every_page_of_the_demo_secretariats_work(client, demo):
    secretariat = staff("secretariat@example.gov.uk")

    answers = crawl(client, secretariat)

    assert not {url: code for url, code in answers.items() if code >= 400}
    reached = paths(answers)
    expected = {
        reverse("accreditation:queue"),
        reverse("projects:secretariat_list"),
        reverse("researchers:people_list"),
        reverse("reports:report"),
        reverse("audit:event_list"),
        reverse("researchers:data_export"),
        reverse("retention:schedule"),
        reverse("retention:hold_list"),
        reverse("retention:certificate_list"),
        reverse("retention:schedule_confirm"),
    }
    expected |= {
        reverse("retention:schedule_version", args=[schedule.version])
        for schedule in RetentionSchedule.objects.all()
    }
    expected |= {reverse("retention:rule_edit", args=[kind]) for kind in RecordKind.values}
    for application in AccreditationApplication.objects.exclude(
        state=AccreditationApplication.State.DRAFT
    ):
        expected.add(reverse("accreditation:screen", args=[application.pk]))
    for accreditation in Accreditation.objects.all():
        expected.add(reverse("accreditation:accreditation_detail", args=[accreditation.pk]))
        expected.add(reverse("researchers:person_detail", args=[accreditation.researcher_id]))
    for proposal in Proposal.objects.exclude(state=Proposal.State.DRAFT):
        expected.add(reverse("projects:screen", args=[proposal.pk]))
    for proposal in Proposal.objects.filter(state=Proposal.State.PANEL_REVIEW):
        expected.add(reverse("projects:panel", args=[proposal.pk]))
    assert expected <= reached, expected - reached


def test_link_following_finds_suspend_and_revoke_on_each_accreditation(client, demo):
    secretariat = staff("secretariat@example.gov.uk")
    client.force_login(secretariat)

    for accreditation in Accreditation.objects.filter(state=Accreditation.State.ACTIVE):
        person = client.get(
            reverse("researchers:person_detail", args=[accreditation.researcher_id])
        )
        detail = reverse("accreditation:accreditation_detail", args=[accreditation.pk])
        assert f'href="{detail}#suspend"' in person.text
        assert f'href="{detail}#revoke"' in person.text


def test_link_following_reaches_every_proposal_the_demo_reviewer_must_review(client, demo):
    from projects.models import ReviewerAssignment

    reviewer = staff("reviewer.one@example.gov.uk")

    answers = crawl(client, reviewer)

    assert not {url: code for url, code in answers.items() if code >= 400}
    assignments = ReviewerAssignment.objects.filter(reviewer=reviewer, removed_at__isnull=True)
    expected = {reverse("projects:review", args=[a.proposal_id]) for a in assignments}
    expected.add(reverse("researchers:data_export"))
    assert expected, "the demo gives the reviewer a proposal to review"
    assert expected <= paths(answers), expected - paths(answers)


def test_link_following_reaches_every_request_the_demo_checker_must_check(client, demo):
    from outputs.review.selectors import checker_waiting

    checker = staff("checker.one@example.gov.uk")

    answers = crawl(client, checker)

    assert not {url: code for url, code in answers.items() if code >= 400}
    expected = {reverse("outputs:review", args=[r.pk]) for r in checker_waiting(user=checker)}
    expected.add(reverse("researchers:data_export"))
    assert expected, "the demo gives the checkers a request to check"
    assert expected <= paths(answers), expected - paths(answers)


def test_link_following_reaches_every_consent_the_demo_data_owner_must_give(client, demo):
    from projects.consent.selectors import consent_queue_for

    owner = staff("data.owner@example.gov.uk")

    answers = crawl(client, owner)

    assert not {url: code for url, code in answers.items() if code >= 400}
    expected = {reverse("projects:consent", args=[p.pk]) for p in consent_queue_for(user=owner)}
    expected.add(reverse("researchers:data_export"))
    assert expected, "the demo asks the data owner for consent"
    assert expected <= paths(answers), expected - paths(answers)
