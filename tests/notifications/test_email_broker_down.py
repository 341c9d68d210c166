"""An email queued on commit while the broker is down is logged as lost, and never turns the
step that committed into an error."""

import logging

import pytest
from django.db import transaction

from notifications.services import email_on_commit
from tests.entitlements.broker import broker_down


@pytest.mark.django_db(transaction=True)
def test_an_email_that_cannot_be_queued_is_logged_and_the_step_stands(caplog):
    with broker_down(), caplog.at_level(logging.ERROR), transaction.atomic():
        email_on_commit(
            to=["someone@example.org"],
            subject="Your application was received",
            template="declaration_version_published",
            context={"version": {"number": 2}},
        )

    assert any("on_commit" in record.getMessage() for record in caplog.records)
