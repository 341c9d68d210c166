import pytest

from researchers.roles import Role
from tests.factories import UserFactory


@pytest.fixture
def eager_celery():
    """Run tasks in the test's own process, as a worker would, so their emails can be read."""
    from config.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture
def sent(eager_celery, mailoutbox, django_capture_on_commit_callbacks):
    """Emails actually sent by the steps taken inside ``with sent.capture():``."""

    class Sent:
        outbox = mailoutbox

        def capture(self):
            return django_capture_on_commit_callbacks(execute=True)

        def to(self, address):
            return [message for message in mailoutbox if address in message.to]

        @property
        def subjects(self):
            return [message.subject for message in mailoutbox]

    return Sent()


@pytest.fixture
def secretariat():
    return UserFactory(roles=[Role.SECRETARIAT], totp=True)
