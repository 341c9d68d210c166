"""Contract tests: schemathesis generates requests from the API's own OpenAPI schema, sends them
to the service (in process, through its WSGI application, with a real token and real data) and
checks every answer: no server error, and nothing the schema does not describe."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from config.wsgi import application
from entitlements.models import Scope
from entitlements.services import api_token_create
from tests.entitlements.states import project_entitled

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def token(db):
    # As Django's test client does: the requests run inside the test's transaction, so they
    # must not close its connection when they finish.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    project_entitled(team_size=1)
    _, raw = api_token_create(
        account_name="Contract tests", scopes=[Scope.ENTITLEMENTS_READ, Scope.REGISTERS_READ]
    )
    yield raw
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=60,
    # The same cases on every run, so a failure is never a matter of luck in CI.
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_keeps_to_its_schema(case, token, settings):
    settings.API_TOKEN_RATE = "100000/minute"
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
