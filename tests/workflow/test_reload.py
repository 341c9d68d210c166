"""Reloading a state machine's row from the database, whatever else runs at the same time."""

import pytest
from django.db import connection

from accreditation.models import AccreditationApplication
from accreditation.services import application_return
from identity.roles import Role
from tests.accreditation.states import application_at
from tests.factories import UserFactory, secretariat_for
from workflow.services import transition_fire

pytestmark = pytest.mark.django_db

State = AccreditationApplication.State
STATE_FIELD = AccreditationApplication._meta.get_field("state")


def test_refresh_from_db_never_lifts_the_protection_other_threads_share():
    application = application_at(State.SUBMITTED)
    protected_during_queries = []

    def observe(execute, sql, params, many, context):
        # The moment another thread's reload would set its own instance's state.
        protected_during_queries.append(STATE_FIELD.protected)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(observe):
        application.refresh_from_db()

    assert protected_during_queries
    assert all(protected_during_queries), "the state field's shared protection was lifted"


def test_refresh_from_db_reads_the_state_another_copy_moved_on_and_saves_from_it():
    application = application_at(State.SUBMITTED)
    secretariat = UserFactory(roles=[Role.SECRETARIAT])
    transition_fire(
        obj=AccreditationApplication.objects.get(pk=application.pk),
        transition="return_to_applicant",
        by=secretariat,
        payload={"reasons": "Say more about the degree."},
    )

    application.refresh_from_db()

    assert application.state == State.RETURNED
    # The reload is the state the next save is checked against, so saving is not refused.
    application.save()


def test_refresh_from_db_of_named_fields_and_of_a_deferred_state():
    application = application_at(State.SUBMITTED)
    # Returned by someone else, through a copy of its own.
    application_return(
        application=AccreditationApplication.objects.get(pk=application.pk),
        comments="Add your training certificate.",
        by=secretariat_for([application.applicant]),
    )

    application.refresh_from_db(fields=["state"])
    deferred = AccreditationApplication.objects.only("pk").get(pk=application.pk)

    assert application.state == State.RETURNED
    assert deferred.state == State.RETURNED


def test_refresh_from_db_keeps_the_state_protected_from_direct_change():
    application = application_at(State.SUBMITTED)
    application.refresh_from_db()

    with pytest.raises(AttributeError, match="Direct state modification is not allowed"):
        application.state = State.APPROVED


def test_refresh_from_db_of_a_deleted_row_keeps_the_state_it_had():
    application = application_at(State.DRAFT)
    AccreditationApplication.objects.filter(pk=application.pk).delete()

    with pytest.raises(AccreditationApplication.DoesNotExist):
        application.refresh_from_db()

    assert application.state == State.DRAFT
