import pytest
from django.db import transaction

from notifications.services import email_on_commit
from notifications.tasks import email_send
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_email_on_commit_sends_nothing_until_the_transaction_commits(
    eager_celery, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://ars.example.gov.uk"
    user = UserFactory(full_name="Ada Lovelace")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email_on_commit(
            to=[user],
            subject="Your accreditation has expired",
            template="accreditation_expired",
            context={"person": user, "accreditation": None, "action_url": "/accreditation/"},
        )
    assert mailoutbox == []

    for callback in callbacks:
        callback()

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [user.email]
    assert message.subject == "Your accreditation has expired"
    assert "Dear Ada Lovelace," in message.body
    assert "https://ars.example.gov.uk/accreditation/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Dear Ada Lovelace," in html


@pytest.mark.django_db(transaction=True)
def test_email_on_commit_sends_nothing_for_a_rolled_back_change(eager_celery, mailoutbox):
    user = UserFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        email_on_commit(to=[user], subject="Never", template="accreditation_expired", context={})
        raise RuntimeError("the step failed after queuing the email")

    assert mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_email_on_commit_sends_one_message_per_person_after_commit(eager_celery, mailoutbox):
    one, two = UserFactory(), UserFactory()

    with transaction.atomic():
        addresses = email_on_commit(
            to=[one, two.email, one, ""],
            subject="An accreditation application has been withdrawn",
            template="accreditation_expired",
            context={},
        )

    assert addresses == [one.email, two.email]
    assert sorted(message.to[0] for message in mailoutbox) == sorted([one.email, two.email])
    assert all(len(message.to) == 1 for message in mailoutbox)


def test_email_on_commit_queues_one_task_for_everyone_told(
    eager_celery, mailoutbox, django_capture_on_commit_callbacks
):
    people = UserFactory.create_batch(5)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email_on_commit(to=people, subject="Overdue", template="accreditation_expired", context={})
    assert len(callbacks) == 1
    callbacks[0]()

    assert sorted(message.to for message in mailoutbox) == sorted([p.email] for p in people)


def test_email_send_retried_after_a_failure_sends_only_to_those_not_yet_sent(
    settings, mailoutbox, monkeypatch
):
    from smtplib import SMTPServerDisconnected

    from celery.exceptions import Retry
    from django.core.mail.backends.locmem import EmailBackend

    addresses = ["a@example.ac.uk", "b@example.ac.uk", "c@example.ac.uk"]
    real_send = EmailBackend.send_messages

    def dropping_at_b(self, messages):
        if messages[0].to == ["b@example.ac.uk"]:
            raise SMTPServerDisconnected("the mail server hung up")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", dropping_at_b)
    retried = []
    monkeypatch.setattr(
        email_send, "retry", lambda **kwargs: retried.append(kwargs) or Retry("later")
    )
    with pytest.raises(Retry):
        email_send(to=addresses, subject="Overdue", text="t", html="h")

    assert [message.to for message in mailoutbox] == [["a@example.ac.uk"]]
    assert retried[0]["kwargs"]["to"] == ["b@example.ac.uk", "c@example.ac.uk"]
    assert email_send.max_retries == 5


def test_email_send_links_to_the_page_on_the_sites_address(settings, mailoutbox):
    settings.SITE_URL = "https://ars.example.gov.uk"
    from notifications.services import email_render

    text, html = email_render(
        template="application_returned",
        context={
            "comments": "Add your degree certificate.",
            "action_url": "/accreditation/",
            "action_text": "See what to change",
        },
    )
    email_send(to=["a@example.ac.uk"], subject="Changes", text=text, html=html)

    assert "See what to change:\nhttps://ars.example.gov.uk/accreditation/" in mailoutbox[0].body
    assert "Add your degree certificate." in mailoutbox[0].body
    assert 'href="https://ars.example.gov.uk/accreditation/"' in mailoutbox[0].alternatives[0][0]
