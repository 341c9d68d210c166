import re
from smtplib import SMTPServerDisconnected

import pytest
from django.conf import settings as settings_module
from django.db import transaction
from django.template import Context, TemplateSyntaxError
from django.template.loader import render_to_string

from notifications import services, tasks
from notifications.services import Message, _email_template_flat, email_on_commit, email_render
from notifications.tasks import email_send, emails_send
from tests.factories import UserFactory
from tests.notifications.mail_server import MailServer

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


@pytest.fixture
def mail_server(settings):
    """Email goes by SMTP to a mail server of the test's own on 127.0.0.1."""
    with MailServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 10
        yield server


@pytest.fixture
def worker(eager_celery):
    """Tasks run in the test's own process and are retried there as a worker retries them,
    at once rather than after their countdown; a task that fails for good ends FAILED."""
    eager_celery.conf.task_eager_propagates = False
    return eager_celery


ADDRESSES = ["a@example.ac.uk", "b@example.ac.uk", "c@example.ac.uk"]
EACH_ONCE = dict.fromkeys(ADDRESSES, 1)


def delivered(mail_server):
    """How many messages each address was sent."""
    return {address: len(mail_server.to(address)) for address in ADDRESSES}


def test_email_send_reaches_everyone_through_the_mail_server(worker, mail_server):
    email_send.delay(to=ADDRESSES, subject="Overdue", text="Please check.", html="<p>Please</p>")

    assert delivered(mail_server) == EACH_ONCE
    assert all(len(message.recipients) == 1 for message in mail_server.received)
    assert "Subject: Overdue" in mail_server.received[0].data
    assert mail_server.connections == 1


def test_email_send_reaches_everyone_once_the_mail_server_is_back(worker, mail_server):
    # Down for the first two tries: each connection is closed before the server's greeting.
    mail_server.hang_up_on_connect = 2

    email_send.delay(to=ADDRESSES, subject="Overdue", text="t", html="h")

    assert delivered(mail_server) == EACH_ONCE
    assert mail_server.connections == 3


def test_email_send_gives_up_after_five_more_tries_when_the_mail_server_stays_down(
    worker, mail_server
):
    mail_server.hang_up_on_connect = 100

    result = email_send.delay(to=ADDRESSES, subject="Overdue", text="t", html="h")

    assert result.state == "FAILURE"
    assert isinstance(result.result, SMTPServerDisconnected)
    assert mail_server.connections == 6
    assert mail_server.received == []


def test_email_send_after_the_server_hangs_up_part_way_sends_only_to_those_not_yet_sent(
    worker, mail_server
):
    mail_server.hang_up_at = {"b@example.ac.uk"}

    email_send.delay(to=ADDRESSES, subject="Overdue", text="t", html="h")

    assert delivered(mail_server) == EACH_ONCE
    assert mail_server.connections == 2


def test_email_send_refused_for_one_address_still_reaches_the_others(worker, mail_server, caplog):
    mail_server.refused = {"b@example.ac.uk"}

    email_send.delay(to=ADDRESSES, subject="Overdue", text="t", html="h")

    assert delivered(mail_server) == {
        "a@example.ac.uk": 1,
        "b@example.ac.uk": 0,
        "c@example.ac.uk": 1,
    }
    # Refused for good: not tried again, and said in the log.
    assert mail_server.connections == 1
    [refusal] = [r for r in caplog.records if "b@example.ac.uk" in r.getMessage()]
    assert refusal.levelname == "WARNING"
    assert "refused" in refusal.getMessage()


def test_email_send_refused_for_now_tries_that_address_again_later(worker, mail_server):
    mail_server.refused_once = {"b@example.ac.uk"}

    email_send.delay(to=ADDRESSES, subject="Overdue", text="t", html="h")

    assert delivered(mail_server) == EACH_ONCE
    # The others were not kept waiting for it.
    assert [message.recipients for message in mail_server.received] == [
        ["a@example.ac.uk"],
        ["c@example.ac.uk"],
        ["b@example.ac.uk"],
    ]


# Several different emails in one task, as a sweep of reminders queues them.
EMAILS = [
    {"to": ADDRESSES[:2], "subject": "First", "text": "one", "html": "<p>one</p>"},
    {"to": ADDRESSES[2:], "subject": "Second", "text": "two", "html": "<p>two</p>"},
    {"to": ADDRESSES[:1], "subject": "Third", "text": "three", "html": "<p>three</p>"},
]


# Each email of EMAILS to each of its addresses once, in turn.
EACH_EMAIL_IN_TURN = [
    ("a@example.ac.uk", "First"),
    ("b@example.ac.uk", "First"),
    ("c@example.ac.uk", "Second"),
    ("a@example.ac.uk", "Third"),
]


def received_as(mail_server):
    """(address, subject) of each message the server accepted, in the order it accepted them."""
    return [
        (message.recipients[0], re.search(r"^Subject: (.*?)\r?$", message.data, re.M)[1])
        for message in mail_server.received
    ]


def test_emails_send_sends_each_email_to_each_of_its_addresses(worker, mail_server):
    emails_send.delay(emails=EMAILS)

    assert received_as(mail_server) == EACH_EMAIL_IN_TURN
    assert mail_server.connections == 1


def test_emails_send_after_the_server_hangs_up_part_way_sends_only_what_was_not_sent(
    worker, mail_server
):
    mail_server.hang_up_at = {"b@example.ac.uk"}

    emails_send.delay(emails=EMAILS)

    assert received_as(mail_server) == EACH_EMAIL_IN_TURN
    assert mail_server.connections == 2


def test_emails_send_tries_an_address_refused_for_now_again_after_the_rest(worker, mail_server):
    mail_server.refused_once = {"b@example.ac.uk"}

    emails_send.delay(emails=EMAILS)

    assert received_as(mail_server) == [
        ("a@example.ac.uk", "First"),
        ("c@example.ac.uk", "Second"),
        ("a@example.ac.uk", "Third"),
        ("b@example.ac.uk", "First"),
    ]


@pytest.mark.django_db(transaction=True)
def test_notify_queues_many_emails_a_hundred_to_a_task(eager_celery, mailoutbox, monkeypatch):
    """A step telling many people different things (the daily reminders) queues its emails
    in batches, each person still getting their own."""
    people = UserFactory.create_batch(5)
    queued = []
    monkeypatch.setattr(services, "EMAILS_PER_TASK", 2)
    monkeypatch.setattr(
        tasks.emails_send, "apply_async", _recording(tasks.emails_send.apply_async, queued)
    )

    with transaction.atomic():
        services.notify(
            Message(
                to=(person,),
                kind="test",
                subject=f"For {person.email}",
                template="accreditation_expired",
                context={},
            )
            for person in people
        )

    assert [len(call["kwargs"]["emails"]) for call in queued] == [2, 2, 1]
    # What the emails say stays out of the tasks' descriptions.
    assert all("For " not in call["kwargsrepr"] for call in queued)
    assert sorted((m.to, m.subject) for m in mailoutbox) == sorted(
        ([p.email], f"For {p.email}") for p in people
    )


def _recording(apply_async, calls):
    def record(*args, **kwargs):
        calls.append(kwargs)
        return apply_async(*args, **kwargs)

    return record


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


EMAIL_TEMPLATES = sorted(
    path.name
    for path in (settings_module.BASE_DIR / "templates" / "notifications" / "email").iterdir()
    if path.stem != "base"
)
# What an email's context holds, with text that escaping would change.
EMAIL_CONTEXT = {
    "service_name": "Approved Researcher Service",
    "site_url": "https://ars.example.org",
    "service_contact_email": "ars@example.org",
    "subject": "Tom & Jerry <b>",
    "action_url": "/applications/?a=1&b=2",
    "action_text": "Open <it>",
    "days": 30,
    "withdraw_after": 30,
    "text": "Hello\nworld, see https://example.org <b>",
    "summary": "Tom & Jerry",
}


@pytest.mark.parametrize("name", EMAIL_TEMPLATES)
def test_every_email_renders_in_one_pass_exactly_as_through_its_layout(name):
    # Sweeps render each email's body written into its layout as one template, which costs
    # about half of a template extending another: the email must not change by a character.
    path = f"notifications/email/{name}"
    flat = _email_template_flat(path)
    assert flat is not None, f"{name} does not fill its layout's one block and nothing else"

    def rendered(render):
        try:
            return render()
        except TemplateSyntaxError:
            raise
        except Exception as error:
            return type(error).__name__

    assert rendered(lambda: flat.render(Context(EMAIL_CONTEXT))) == rendered(
        lambda: render_to_string(path, EMAIL_CONTEXT)
    )


def test_email_render_gives_the_same_email_as_rendering_through_the_layout(settings):
    settings.DEBUG = False
    context = {"subject": "Tom & Jerry", "withdraw_after": 30, "action_url": "/a?b=1&c=2"}
    full = {
        "service_name": settings.SERVICE_NAME,
        "site_url": settings.SITE_URL,
        "service_contact_email": settings.SERVICE_CONTACT_EMAIL,
        **context,
    }
    name = "notifications/email/reminder_accreditation_application_stale"

    text, html = email_render(template="reminder_accreditation_application_stale", context=context)

    assert "/a?b=1&amp;c=2" in html and "/a?b=1&c=2" in text
    assert html == render_to_string(f"{name}.html", full)
    assert text == render_to_string(f"{name}.txt", full).strip() + "\n"
