"""Every step of every state machine tells the people it concerns, once, after it commits."""

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse

from accreditation import services as accreditation_services
from accreditation.models import AccreditationApplication
from identity.roles import Role
from notifications.hooks import notice_rule, notice_rules
from notifications.models import Notification
from outputs.models import OutputRequest
from outputs.request.services import output_request_submit, output_request_withdraw
from outputs.review.services import output_request_return
from projects.consent.services import consent_give
from projects.models import DataOwnerRepresentative, Proposal
from projects.panel.services import decision_record
from projects.proposal.services import proposal_withdraw
from projects.screening.services import CHECK_KEYS, screening_pass, screening_start
from reports.services import report_export_request
from tests.accreditation.factories import AccreditationApplicationFactory
from tests.factories import UserFactory
from tests.legislation.factories import DatasetFactory
from tests.outputs.states import (
    checker,
    public_comment_everywhere,
    review_with,
    reviewed_request,
    submitted_request,
)
from tests.projects.factories import TeamMemberFactory
from tests.projects.states import panel_ready, proposal_at, proposal_submitted
from tests.researchers.states import declaration_pending
from workflow.graph import state_machines

MACHINES = {machine.label: machine for machine in state_machines()}
TRANSITIONS = sorted(
    {(label, step.name) for label, machine in MACHINES.items() for step in machine.steps}
)


@pytest.fixture(autouse=True)
def _no_notice_fails_quietly(caplog):
    # The receiver logs a failure instead of raising it into a committed step's page.
    yield
    failures = [r for r in caplog.records if r.name == "notifications.transitions"]
    assert not [r.getMessage() for r in failures if r.levelname in ("WARNING", "ERROR")]


@pytest.mark.parametrize(("label", "transition"), TRANSITIONS)
def test_every_transition_has_a_notice_rule(label, transition):
    rule = notice_rule(label, transition)

    assert rule is not None, f"{label} {transition!r} has no rule: add its notices, or ()"


def test_every_notice_rule_names_a_real_transition():
    assert set(notice_rules()) <= set(TRANSITIONS)


@pytest.mark.django_db
def test_transition_notices_background_pdf_steps_tell_nobody(
    eager_celery, mailoutbox, django_capture_on_commit_callbacks, settings, tmp_path
):
    # The researcher and the secretariat follow these on the page they are on.
    settings.MEDIA_ROOT = tmp_path / "media"
    researcher = UserFactory(roles=[Role.RESEARCHER], full_name="Amara Okafor")
    secretariat = UserFactory(roles=[Role.SECRETARIAT])
    filters = {"date_from": "2026-04-01", "date_to": "2026-05-31", "organisation": None}

    with django_capture_on_commit_callbacks(execute=True):
        declaration = declaration_pending(researcher)
        export = report_export_request(filters=filters, by=secretariat)

    declaration.refresh_from_db()
    export.refresh_from_db()
    assert (declaration.state, export.state) == ("signed", "ready")
    assert mailoutbox == []
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_transition_notices_rolled_back_transition_sends_nothing(eager_celery, mailoutbox):
    UserFactory(roles=[Role.SECRETARIAT])
    application = AccreditationApplicationFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        accreditation_services.application_submit(application=application, by=application.applicant)
        raise RuntimeError("a later step in the same request failed")

    assert AccreditationApplication.objects.get(pk=application.pk).state == "draft"
    assert mailoutbox == []
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_transition_notices_told_only_once_the_step_commits(eager_celery, mailoutbox):
    secretariat = UserFactory(roles=[Role.SECRETARIAT])
    application = AccreditationApplicationFactory()

    with transaction.atomic():
        accreditation_services.application_submit(application=application, by=application.applicant)
        assert mailoutbox == []
        assert not Notification.objects.exists()

    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [secretariat.email, application.applicant.email]
    )
    told = Notification.objects.get(recipient=secretariat)
    assert told.kind == "accreditation_application.submit"
    assert told.subject == "An accreditation application is waiting to be screened"
    assert told.link == reverse("accreditation:screen", kwargs={"pk": application.pk})
    assert told.is_unread


@pytest.mark.django_db
def test_transition_notices_email_queued_after_the_commit_callbacks_run(
    eager_celery, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(roles=[Role.SECRETARIAT])
    application = AccreditationApplicationFactory()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        accreditation_services.application_submit(application=application, by=application.applicant)
    assert mailoutbox == []
    assert not Notification.objects.exists()

    # The commit: the step's notices are added, and their emails queued on that one's commit.
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()

    assert Notification.objects.count() == 2
    assert len(mailoutbox) == 2


@pytest.mark.django_db
def test_transition_notices_tell_each_person_once_and_the_actor_only_their_confirmation(sent):
    # An applicant who also holds the secretariat role is in both audiences of a submission.
    application = AccreditationApplicationFactory()
    group, _ = Group.objects.get_or_create(name=str(Role.SECRETARIAT))
    application.applicant.groups.add(group)
    other = UserFactory(roles=[Role.SECRETARIAT])

    with sent.capture():
        accreditation_services.application_submit(application=application, by=application.applicant)

    (own,) = sent.to(application.applicant.email)
    assert own.subject == "Your accreditation application has been sent"
    assert [m.subject for m in sent.to(other.email)] == [
        "An accreditation application is waiting to be screened"
    ]
    assert Notification.objects.filter(recipient=application.applicant).count() == 1


@pytest.mark.django_db
def test_transition_notices_email_is_plain_text_and_html_with_the_link(sent, settings):
    settings.SITE_URL = "https://ars.example.gov.uk"
    application = AccreditationApplicationFactory()

    with sent.capture():
        accreditation_services.application_submit(application=application, by=application.applicant)

    (message,) = sent.to(application.applicant.email)
    link = "https://ars.example.gov.uk" + reverse("accreditation:application_detail")
    assert f"Dear {application.applicant.get_full_name()}," in message.body
    assert link in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html


@pytest.mark.django_db
def test_transition_notices_screening_start_tells_the_coordinator(sent):
    secretariat = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    proposal = proposal_submitted()

    with sent.capture():
        screening_start(proposal=proposal, by=secretariat)

    (message,) = sent.to(proposal.coordinator.email)
    assert message.subject == "Your project proposal is being screened"
    assert "What happens next" in message.body
    assert sent.to(secretariat.email) == []


@pytest.mark.django_db
def test_transition_notices_data_owners_asked_then_secretariat_told_when_all_consent(sent):
    secretariat = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    dataset = DatasetFactory(consent_required=True)
    owner = UserFactory(roles=[Role.DATA_OWNER], totp=True)
    DataOwnerRepresentative.objects.create(user=owner, department=dataset.department)
    proposal = screening_start(proposal=proposal_submitted(datasets=[dataset]), by=secretariat)

    with sent.capture():
        proposal = screening_pass(proposal=proposal, checks=CHECK_KEYS, by=secretariat)
    (asked,) = sent.to(owner.email)
    assert asked.subject == "A project asks to use your department's data"
    assert dataset.department.name in asked.body
    assert [m.subject for m in sent.to(proposal.coordinator.email)] == [
        "Your project proposal has gone to the data owners"
    ]

    sent.outbox.clear()
    with sent.capture():
        proposal = consent_give(
            dataset_request=proposal.dataset_requests.get(dataset=dataset), by=owner
        )

    assert proposal.state == Proposal.State.PANEL_REVIEW
    assert [m.subject for m in sent.to(secretariat.email)] == [
        "A project proposal is ready for the panel: assign reviewers"
    ]
    assert [m.subject for m in sent.to(proposal.coordinator.email)] == [
        "Your project proposal has gone to the panel"
    ]
    assert sent.to(owner.email) == []


@pytest.mark.django_db
def test_transition_notices_first_review_asks_independent_checkers_for_a_second(sent):
    output_request = submitted_request()
    first, second = checker(), checker()
    member_checker = UserFactory(roles=[Role.RESEARCHER, Role.OUTPUT_CHECKER], totp=True)
    TeamMemberFactory(proposal=output_request.project, user=member_checker)

    with sent.capture():
        review_with(output_request, first)

    assert [m.subject for m in sent.to(second.email)] == ["An output request needs a second check"]
    assert sent.to(first.email) == []
    assert sent.to(member_checker.email) == []


@pytest.mark.django_db
def test_transition_notices_return_carries_the_public_comments_and_withdrawal_tells_checkers(
    sent,
):
    output_request, one, two = reviewed_request(vote_two="changes")
    public_comment_everywhere(output_request, by=one)

    with sent.capture():
        output_request = output_request_return(output_request=output_request, by=one)

    (returned,) = sent.to(output_request.author.email)
    assert returned.subject == "Your output request has been returned for changes"
    assert "Suppress the small cells." in returned.body

    sent.outbox.clear()
    with sent.capture():
        output_request_withdraw(output_request=output_request, by=output_request.author)

    assert OutputRequest.objects.get(pk=output_request.pk).state == OutputRequest.State.WITHDRAWN
    assert sorted(m.to[0] for m in sent.outbox) == sorted([one.email, two.email])


@pytest.mark.django_db
def test_transition_notices_submit_confirms_to_the_author(sent):
    output_request, one, _ = reviewed_request(vote_two="changes")
    public_comment_everywhere(output_request, by=one)
    output_request = output_request_return(output_request=output_request, by=one)

    with sent.capture():
        output_request_submit(output_request=output_request, by=output_request.author)

    (confirmation,) = sent.to(output_request.author.email)
    assert confirmation.subject == "Your output request has been sent for checking"
    assert [m.subject for m in sent.to(one.email)] == ["An output request is waiting for checking"]
    assert "submitted again" in sent.to(one.email)[0].body


@pytest.mark.django_db
def test_transition_notices_withdrawn_proposal_tells_the_secretariat_not_the_coordinator(sent):
    secretariat = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    proposal = proposal_submitted()

    with sent.capture():
        proposal_withdraw(proposal=proposal, by=proposal.coordinator)

    assert [m.subject for m in sent.to(secretariat.email)] == [
        "A project proposal has been withdrawn"
    ]
    assert sent.to(proposal.coordinator.email) == []


@pytest.mark.django_db
def test_transition_notices_failing_to_tell_is_logged_and_the_step_stands(
    sent, monkeypatch, caplog
):
    from notifications import hooks

    broken = hooks.Notice(
        to=lambda event: [event.instance.applicant],
        subject="Never sent",
        template="no_such_template",
        link="/",
        tell_actor=True,
    )
    monkeypatch.setitem(
        hooks._notices, ("accreditation.AccreditationApplication", "submit"), (broken,)
    )
    application = AccreditationApplicationFactory()

    with sent.capture():
        fresh = accreditation_services.application_submit(
            application=application, by=application.applicant
        )

    assert fresh.state == "submitted"
    assert sent.outbox == []
    assert not Notification.objects.exists()
    assert "Could not tell people about accreditation_application.submit" in caplog.text
    caplog.clear()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("outcome", "words"),
    [("return", "returned for changes"), ("reject", "rejected")],
)
def test_transition_notices_panel_decision_tells_the_coordinator_its_rationale(
    sent, outcome, words
):
    secretariat = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    proposal, _ = panel_ready(by=secretariat)

    with sent.capture():
        decision_record(
            proposal=proposal, outcome=outcome, rationale="The methods need work.", by=secretariat
        )

    (message,) = sent.to(proposal.coordinator.email)
    assert message.subject == f"Decision on your project proposal: {words}"
    assert "The methods need work." in message.body
    assert reverse("projects:proposal_detail", kwargs={"pk": proposal.pk}) in message.body


@pytest.mark.django_db
def test_team_member_suspended_tells_the_coordinators_of_their_live_projects_only(sent):
    from accreditation.services import accreditation_suspend
    from tests.accreditation.factories import AccreditationFactory

    researcher = UserFactory(full_name="Priya Shah", roles=[Role.RESEARCHER])
    accreditation = AccreditationFactory(researcher=researcher)
    running = proposal_at(Proposal.State.ACTIVE, title="Pay gaps", team=[researcher])
    closed = proposal_at(Proposal.State.CLOSED, title="Old work", team=[researcher])
    own = proposal_at(Proposal.State.ACTIVE, coordinator=researcher)
    secretariat = UserFactory(roles=[Role.SECRETARIAT], totp=True)

    with sent.capture():
        accreditation_suspend(
            accreditation=accreditation,
            reasons="Shared a password with a colleague.",
            by=secretariat,
        )

    [email] = sent.to(running.coordinator.email)
    assert email.subject == "Priya Shah's accreditation has been suspended"
    assert "Pay gaps" in email.body
    assert "must not see the project's data" in email.body
    assert "Shared a password" not in email.body
    assert not sent.to(closed.coordinator.email)
    # The researcher is told once, by the accreditation's own notice, even on their own project.
    assert len(sent.to(researcher.email)) == 1
    assert own.coordinator == researcher
    assert Notification.objects.filter(
        recipient=running.coordinator, kind="accreditation.suspend"
    ).exists()
