"""A researcher's standing reads the application that matters in one query: the open one when
there is one, however old, otherwise the latest in any state."""

import datetime

import pytest
from django.utils import timezone

from accreditation.models import AccreditationApplication
from accreditation.selectors import (
    accreditation_standing,
    application_latest_for,
    application_open_for,
)
from tests.accreditation.factories import AccreditationApplicationFactory, ApplicantFactory

pytestmark = pytest.mark.django_db
State = AccreditationApplication.State


def made(applicant, state, days_ago):
    application = AccreditationApplicationFactory(applicant=applicant, state=state)
    created = timezone.now() - datetime.timedelta(days=days_ago)
    AccreditationApplication.objects.filter(pk=application.pk).update(created_at=created)
    return application


@pytest.mark.parametrize(
    "history",
    [
        [],
        [(State.WITHDRAWN, 30)],
        [(State.REJECTED, 300), (State.WITHDRAWN, 30)],
        [(State.DRAFT, 300), (State.WITHDRAWN, 30)],
        [(State.WITHDRAWN, 300), (State.RETURNED, 30), (State.SUBMITTED, 10)],
    ],
)
def test_standing_reads_the_open_application_or_else_the_latest(history, django_assert_num_queries):
    applicant = ApplicantFactory()
    for state, days_ago in history:
        made(applicant, state, days_ago)
    expected = application_open_for(applicant) or application_latest_for(applicant)

    with django_assert_num_queries(2):
        standing = accreditation_standing(applicant)

    assert standing.application == expected
