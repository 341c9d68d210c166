"""A person asks for their data to be erased and the secretariat decides: the retention schedule
and legal holds say what must be kept, the answer says why, and what may go goes."""

import datetime

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from accreditation.models import Accreditation
from audit.models import AuditEvent, PersonKey
from audit.personal import ERASED, events_open
from entitlements.models import EntitlementRecord, WebhookEvent
from identity.roles import Role
from notifications.models import Notification
from researchers.data_export.models import DataExport
from researchers.models import Declaration, Qualification, ResearcherProfile, TrainingRecord, User
from retention.erasure.services import (
    ERASE,
    REFUSE,
    erasure_request_create,
    erasure_request_decide,
    placeholder_email,
)
from retention.models import ErasureRequest, RecordKind
from retention.services import legal_hold_place
from tests.accreditation.factories import AccreditationFactory
from tests.accreditation.states import accreditation_at
from tests.audit.helpers import record_event
from tests.factories import UserFactory
from tests.link_following import crawl, paths
from tests.projects.factories import ProposalFactory
from tests.researchers.profile_factories import (
    QualificationFactory,
    ResearcherProfileFactory,
    TrainingRecordFactory,
)
from tests.researchers.states import declaration_signed
from tests.retention.helpers import secretariat_user
from workflow.errors import TransitionRefused

pytestmark = pytest.mark.django_db

NAME = "Perpetua Ashdown-Vell"
EMAIL = "perpetua.ashdown@example.ac.uk"
ASK = reverse("retention:erasure_request")
QUEUE = reverse("retention:erasure_queue")
# The queue page at any size: the session, the user, their roles and authenticators, the two lists.
QUEUE_QUERIES = 8


def decide_url(erasure):
    return reverse("retention:erasure_decide", args=[erasure.pk])


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def secretariat():
    return secretariat_user()


def researcher_with_data():
    """A researcher never accredited, with a profile, a qualification and a training record with
    their files, a notification, a copy of their data and an audit event naming them."""
    person = UserFactory(roles=[Role.RESEARCHER], full_name=NAME, email=EMAIL)
    ResearcherProfileFactory(user=person, job_title="Senior analyst", phone="01632 960123")
    QualificationFactory(user=person, with_evidence=True)
    TrainingRecordFactory(user=person, with_certificate=True)
    Notification.objects.create(recipient=person, kind="test.told", subject=f"For {NAME}")
    DataExport.objects.create(person=person)
    record_event(
        actor=person, action="test.changed_own_profile", obj=person, personal={"typed": NAME}
    )
    return person


def ask(client, person, reason="I have left research."):
    client.force_login(person)
    response = client.post(ASK, {"reason": reason})
    assert response.status_code == 302
    return ErasureRequest.objects.get(person=person, state=ErasureRequest.State.REQUESTED)


def test_erasure_request_asked_audited_and_the_secretariat_told(client, secretariat):
    person = researcher_with_data()

    erasure = ask(client, person)

    event = AuditEvent.objects.get(action="erasure_request.requested", object_id=str(erasure.pk))
    assert event.actor == person
    assert "I have left research." not in str(event.payload)
    told = Notification.objects.get(recipient=secretariat, kind="erasure_request.requested")
    assert told.needs_action and told.link == decide_url(erasure)
    page = client.get(ASK).text
    assert erasure.reference in page and "Withdraw your request" in page


def test_erasure_request_one_open_at_a_time_with_an_error_summary(client, secretariat):
    person = researcher_with_data()
    erasure_request_create(person=person)
    client.force_login(person)

    # The page offers no second form; a second post is refused all the same.
    response = client.post(ASK, {"reason": ""})

    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert "You have already asked us to erase your data" in response.text
    assert ErasureRequest.objects.filter(person=person).count() == 1


def test_erasure_request_withdrawn_by_the_person(client, secretariat):
    person = researcher_with_data()
    erasure = ask(client, person)

    response = client.post(reverse("retention:erasure_withdraw", args=[erasure.pk]))

    assert response.status_code == 302
    erasure.refresh_from_db()
    assert erasure.state == ErasureRequest.State.WITHDRAWN
    assert AuditEvent.objects.filter(action="erasure_request.withdraw").exists()
    # Nobody else may withdraw it.
    other = erasure_request_create(person=researcher_with_data_other())
    assert client.post(reverse("retention:erasure_withdraw", args=[other.pk])).status_code == 403


def researcher_with_data_other():
    return UserFactory(roles=[Role.RESEARCHER])


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"reason": "No"}, "Select whether to erase or refuse"),
        ({"decision": REFUSE, "reason": ""}, "Enter why the request is refused"),
    ],
)
def test_erasure_decide_bad_input_shows_an_error_summary(client, secretariat, posted, message):
    erasure = erasure_request_create(person=researcher_with_data())
    client.force_login(secretariat)

    response = client.post(decide_url(erasure), posted)

    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert message in response.text
    erasure.refresh_from_db()
    assert erasure.state == ErasureRequest.State.REQUESTED


def test_erasure_in_full_anonymises_the_account_and_shreds_the_audit_trail(
    client, secretariat, django_capture_on_commit_callbacks, eager_celery, mailoutbox
):
    person = researcher_with_data()
    Authenticator.objects.create(user=person, type=Authenticator.Type.RECOVERY_CODES, data={})
    files = [
        *(q.evidence.name for q in Qualification.objects.filter(user=person)),
        *(t.certificate.name for t in TrainingRecord.objects.filter(user=person)),
    ]
    assert all(default_storage.exists(name) for name in files)
    erasure = ask(client, person)
    events_before = AuditEvent.objects.count()
    client.force_login(secretariat)

    page = client.get(decide_url(erasure)).text
    assert "May be erased" in page and "Must be kept" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide_url(erasure), {"decision": ERASE, "reason": ""})

    assert response.status_code == 302
    erasure.refresh_from_db()
    assert erasure.state == ErasureRequest.State.ERASED
    assert erasure.decided_by == secretariat and erasure.schedule_id is not None
    user = User.objects.get(pk=person.pk)
    assert user.email == placeholder_email(person.pk)
    assert NAME not in (user.full_name + user.first_name + user.last_name + user.email)
    assert not user.is_active and not user.has_usable_password()
    assert not User.objects.filter(email=EMAIL).exists()
    assert not User.objects.filter(full_name__icontains="Ashdown").exists()
    assert not EmailAddress.objects.filter(user=person).exists()
    assert not Authenticator.objects.filter(user=person).exists()
    assert not ResearcherProfile.objects.filter(user=person).exists()
    assert not Qualification.objects.filter(user=person).exists()
    assert not TrainingRecord.objects.filter(user=person).exists()
    assert not Notification.objects.filter(recipient=person).exists()
    assert not DataExport.objects.filter(person=person).exists()
    assert not any(default_storage.exists(name) for name in files)
    assert {item["name"] for item in erasure.erased["files"]} == set(files)
    assert all(len(item["sha256"]) == 64 for item in erasure.erased["files"])
    assert erasure.reason == ""
    # Every event stays, and more are written; none about the person can be read back.
    assert AuditEvent.objects.count() > events_before
    assert PersonKey.objects.get(person_id=person.pk).key is None
    theirs = events_open(AuditEvent.objects.filter(sealed__has_key=str(person.pk)))
    assert theirs and all(event.shown.erased for event in theirs)
    assert all(NAME not in str(event.shown.payload) for event in theirs)
    requested = next(e for e in theirs if e.action == "erasure_request.requested")
    assert requested.shown.payload["reason"] == ERASED
    assert AuditEvent.objects.filter(action="erasure_request.erase").exists()
    assert AuditEvent.objects.filter(action="audit.person_erased").exists()
    # The answer goes to the address they had: the last message they get.
    answer = next(m for m in mailoutbox if m.to == [EMAIL])
    assert answer.subject == "We have erased your data"
    assert "you can no longer sign in" in answer.body
    # They can sign in no more.
    assert not client.login(email=EMAIL, password="password")


def test_held_training_record_survives_and_the_answer_says_why(
    client, secretariat, django_capture_on_commit_callbacks, eager_celery, mailoutbox
):
    person = researcher_with_data()
    held = TrainingRecord.objects.get(user=person)
    legal_hold_place(
        kind=RecordKind.TRAINING_EVIDENCE,
        identifier=f"training-{held.pk}",
        reason="Tribunal claim 2207 about the training provider",
        by=secretariat,
    )
    erasure = ask(client, person)
    client.force_login(secretariat)

    page = client.get(decide_url(erasure)).text
    assert "Tribunal claim 2207" in page
    response = client.post(decide_url(erasure), {"decision": ERASE, "reason": ""})
    assert "govuk-error-summary" in response.text
    assert "Enter why some of the data is kept" in response.text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            decide_url(erasure),
            {"decision": ERASE, "reason": "One training record is held for a tribunal claim."},
        )

    assert response.status_code == 302
    erasure.refresh_from_db()
    assert erasure.state == ErasureRequest.State.PARTLY_ERASED
    assert TrainingRecord.objects.filter(pk=held.pk).exists()
    assert default_storage.exists(held.certificate.name)
    assert not Qualification.objects.filter(user=person).exists()
    evidence = next(item for item in erasure.assessment if item["kind"] == "evidence")
    assert evidence["held"] == [f"training-{held.pk}"]
    answer = next(m for m in mailoutbox if m.to == [EMAIL])
    assert answer.subject == "We have erased part of your data"
    assert "legal hold" in answer.body and "Tribunal claim 2207" in answer.body
    assert "until the hold is lifted" in answer.body
    shown = client.get(decide_url(erasure)).text
    assert "Tribunal claim 2207" in shown and "One training record is held" in shown


def test_accredited_person_keeps_the_account_and_is_told_until_when(
    client, secretariat, django_capture_on_commit_callbacks, eager_celery, mailoutbox
):
    person = researcher_with_data()
    accreditation = AccreditationFactory(researcher=person)
    erasure = ask(client, person)

    with django_capture_on_commit_callbacks(execute=True):
        erasure = erasure_request_decide(
            erasure=erasure,
            decision=ERASE,
            reason="Your accreditation is still running.",
            by=secretariat,
        )

    assert erasure.state == ErasureRequest.State.PARTLY_ERASED
    user = User.objects.get(pk=person.pk)
    assert user.email == EMAIL and user.is_active
    assert PersonKey.objects.get(person_id=person.pk).key is not None
    assert TrainingRecord.objects.filter(user=person).exists()
    assert not Notification.objects.filter(recipient=person, kind="test.told").exists()
    assert not DataExport.objects.filter(person=person).exists()
    client.force_login(person)
    page = client.get(ASK).text
    until = accreditation.valid_until
    assert f"{until.day} {until:%B %Y}" in page
    assert "an accreditation still runs" in page
    assert "Your accreditation is still running." in page
    answer = Notification.objects.get(recipient=person, kind="erasure_request.partly_erased")
    assert answer.link == ASK


def test_erasure_refused_tells_the_person_why(client, secretariat):
    person = researcher_with_data()
    erasure = ask(client, person)

    erasure = erasure_request_decide(
        erasure=erasure, decision=REFUSE, reason="Under investigation.", by=secretariat
    )

    assert erasure.state == ErasureRequest.State.REFUSED
    assert User.objects.get(pk=person.pk).full_name == NAME
    assert AuditEvent.objects.filter(action="erasure_request.refuse").exists()
    client.force_login(person)
    page = client.get(ASK).text
    assert "Refused" in page and "Under investigation." in page


def test_erasure_anonymises_names_in_entitlement_records_and_webhook_bodies(
    secretariat, django_capture_on_commit_callbacks
):
    person = researcher_with_data()
    project = ProposalFactory()
    now = timezone.now()
    record = EntitlementRecord.objects.create(
        person=person,
        project=project,
        dataset_slug="wages",
        person_email=EMAIL,
        person_name=NAME,
        valid_from=datetime.date(2027, 1, 1),
        valid_until=datetime.date(2028, 1, 1),
        granted_at=now,
        changed_at=now,
    )
    WebhookEvent.objects.create(
        kind=WebhookEvent.Kind.GRANTED,
        record=record,
        body={"entitlement": {"person": {"id": person.pk, "email": EMAIL, "name": NAME}}},
    )
    erasure = erasure_request_create(person=person)

    with django_capture_on_commit_callbacks(execute=True):
        erasure_request_decide(erasure=erasure, decision=ERASE, reason="", by=secretariat)

    record.refresh_from_db()
    assert record.person_email == placeholder_email(person.pk) and record.person_name == ""
    body = str(WebhookEvent.objects.get(record=record).body)
    assert EMAIL not in body and NAME not in body


def test_erasure_pages_reached_by_links_from_both_homes(client, secretariat):
    person = UserFactory(roles=[Role.RESEARCHER], full_name=NAME)
    assert ASK in paths(crawl(client, person))
    erasure = erasure_request_create(person=person)

    reached = paths(crawl(client, secretariat))

    assert QUEUE in reached
    assert decide_url(erasure) in reached


def test_erasure_pages_closed_to_others(client):
    client.force_login(UserFactory(roles=[Role.RESEARCHER]))

    assert client.get(QUEUE).status_code == 403


@pytest.mark.parametrize("count", [1, 8])
def test_erasure_queue_queries_do_not_grow_with_requests(
    client, secretariat, django_assert_max_num_queries, count
):
    for _ in range(count):
        erasure_request_create(person=UserFactory(roles=[Role.RESEARCHER]))
        erasure = erasure_request_create(person=UserFactory(roles=[Role.RESEARCHER]))
        erasure_request_decide(erasure=erasure, decision=REFUSE, reason="No.", by=secretariat)
    client.force_login(secretariat)

    with django_assert_max_num_queries(QUEUE_QUERIES):
        response = client.get(QUEUE)

    assert response.text.count("ER-") == 2 * count


def test_erasure_decided_once_and_never_by_its_own_person(secretariat):
    person = researcher_with_data()
    erasure = erasure_request_create(person=person)
    erasure_request_decide(erasure=erasure, decision=REFUSE, reason="Under review.", by=secretariat)

    with pytest.raises(TransitionRefused):
        erasure_request_decide(erasure=erasure, decision=ERASE, reason="", by=secretariat)
    assert User.objects.get(pk=person.pk).email == EMAIL

    own = erasure_request_create(person=secretariat)
    with pytest.raises(PermissionDenied):
        erasure_request_decide(erasure=own, decision=ERASE, reason="", by=secretariat)
    assert User.objects.get(pk=secretariat.pk).is_active


def test_kept_records_stay_pointing_to_the_anonymised_account_and_the_answer_says_until_when(
    client, secretariat, django_capture_on_commit_callbacks, eager_celery, mailoutbox
):
    person = researcher_with_data()
    declaration = declaration_signed(person)
    today = timezone.localdate()
    with time_machine.travel(today - datetime.timedelta(days=400), tick=False):
        accreditation = accreditation_at(
            Accreditation.State.EXPIRED,
            researcher=person,
            valid_from=today - datetime.timedelta(days=800),
            valid_until=today - datetime.timedelta(days=401),
        )
    erasure = erasure_request_create(person=person)

    with django_capture_on_commit_callbacks(execute=True):
        erasure = erasure_request_decide(
            erasure=erasure,
            decision=ERASE,
            reason="Your accreditation's records are kept under the retention schedule.",
            by=secretariat,
        )

    assert erasure.state == ErasureRequest.State.PARTLY_ERASED
    assert User.objects.get(pk=person.pk).email == placeholder_email(person.pk)
    # Kept, pointing to the anonymised account.
    assert Accreditation.objects.get(pk=accreditation.pk).researcher_id == person.pk
    assert Declaration.objects.filter(pk=declaration.pk, user=person).exists()
    assert TrainingRecord.objects.filter(user=person).exists()
    kept = {item["kind"]: item for item in erasure.assessment if item["kept"]}
    assert set(kept) == {"evidence", "declarations", "accreditation"}
    until = today - datetime.timedelta(days=400) + datetime.timedelta(days=6 * 365)
    assert f"{until.day} {until:%B %Y}" in kept["evidence"]["until"]
    answer = next(m for m in mailoutbox if m.to == [EMAIL])
    assert "Signed confidentiality declarations" in answer.body
    assert "the retention schedule (version 1) keeps" in answer.body
    assert f"until {until.day} {until:%B %Y}" in answer.body
