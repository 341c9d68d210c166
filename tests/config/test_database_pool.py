"""PostgreSQL connections are pooled per process (Django's psycopg pool) when DATABASE_POOL is on.

Each check starts a fresh Python process, so the settings are read from the environment as a
server reads them, and counts that process's connections in PostgreSQL's own list of them.
"""

import json
import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.db import connection

from tests.health.test_worker import database_url_for

# What a process does between requests: Django closes its connection at the end of each one.
REQUESTS = """
import json, time
import django
django.setup()
from django.conf import settings
from django.db import connection

backends = []
for _ in range(3):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backends.append(cursor.fetchone()[0])
    connection.close()
# The pool opens connections in the background: give it time to settle before counting.
time.sleep(0.5)
with connection.cursor() as cursor:
    cursor.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
        [os.environ["PGAPPNAME"]],
    )
    held = cursor.fetchone()[0]
database = settings.DATABASES["default"]
print(json.dumps({
    "conn_max_age": database["CONN_MAX_AGE"],
    "pool": database.get("OPTIONS", {}).get("pool"),
    "backends": backends,
    "held": held,
}))
"""

postgresql_only = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="Pooling is for PostgreSQL only; set DATABASE_URL to a PostgreSQL database to run this.",
)


def run_settings(script, **variables):
    """Run ``script`` in a new process with the settings read from ``variables``."""
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **variables}
    for name in ("DJANGO_ENV", "DATABASE_POOL", "DATABASE_CONN_MAX_AGE"):
        if name not in variables:
            environment.pop(name, None)
    return subprocess.run(
        [sys.executable, "-c", "import os\n" + script],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def requests_in_a_process(**variables):
    result = run_settings(
        REQUESTS,
        DATABASE_URL=database_url_for(connection.settings_dict),
        PGAPPNAME=f"pool-test-{uuid.uuid4().hex[:8]}",
        **variables,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@postgresql_only
@pytest.mark.django_db
def test_database_pool_keeps_one_connection_across_requests_with_conn_max_age_zero():
    process = requests_in_a_process(DATABASE_POOL="true")

    assert process["pool"], "DATABASE_POOL=true gave no pool"
    assert process["conn_max_age"] == 0
    # Django closed the connection after each request; the pool kept it, so PostgreSQL saw one
    # session serve all three, and the process holds one connection, not one per request.
    assert len(set(process["backends"])) == 1
    assert process["held"] == 1


@postgresql_only
@pytest.mark.django_db
def test_without_the_pool_each_request_after_a_close_opens_a_new_connection():
    process = requests_in_a_process(DATABASE_POOL="false", DATABASE_CONN_MAX_AGE="0")

    assert process["pool"] is None
    assert len(set(process["backends"])) == 3


SHOW_DATABASE = """
import json
from django.conf import settings
database = settings.DATABASES["default"]
print(json.dumps({
    "conn_max_age": database.get("CONN_MAX_AGE"),
    "pool": database.get("OPTIONS", {}).get("pool"),
}))
"""

# Settings only: no connection is made to this address.
POSTGRES_URL = "postgres://ars:secret@127.0.0.1:5432/ars"


def test_production_pools_postgresql_connections_by_default(tmp_path):
    result = run_settings(
        SHOW_DATABASE,
        DJANGO_ENV="production",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="ars.example.gov.uk",
        SITE_URL="https://ars.example.gov.uk",
        DATABASE_URL=POSTGRES_URL,
        REDIS_URL="redis://127.0.0.1:6379/0",
        DECLARATION_SIGNING_KEY=str(tmp_path / "key.pem"),
        DECLARATION_SIGNING_CERT=str(tmp_path / "cert.pem"),
        VAR_DIR=str(tmp_path),
    )

    assert result.returncode == 0, result.stderr
    database = json.loads(result.stdout)
    assert database == {
        "conn_max_age": 0,
        "pool": {"min_size": 1, "max_size": 1, "timeout": 10},
    }


def test_development_keeps_persistent_connections_unless_asked_to_pool(tmp_path):
    plain = run_settings(SHOW_DATABASE, DATABASE_URL=POSTGRES_URL, VAR_DIR=str(tmp_path))
    pooled = run_settings(
        SHOW_DATABASE,
        DATABASE_URL=POSTGRES_URL,
        VAR_DIR=str(tmp_path),
        DATABASE_POOL="true",
        DATABASE_POOL_MAX_SIZE="4",
    )

    assert json.loads(plain.stdout) == {"conn_max_age": 60, "pool": None}
    assert json.loads(pooled.stdout)["pool"]["max_size"] == 4


def test_pool_with_a_persistent_connection_age_is_refused_with_a_reason(tmp_path):
    result = run_settings(
        SHOW_DATABASE,
        DATABASE_URL=POSTGRES_URL,
        VAR_DIR=str(tmp_path),
        DATABASE_POOL="true",
        DATABASE_CONN_MAX_AGE="60",
    )

    assert result.returncode != 0
    assert "DATABASE_CONN_MAX_AGE" in result.stderr
    assert "DATABASE_POOL" in result.stderr
