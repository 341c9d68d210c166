"""docker-compose.yml is a valid Compose file, and its workers take every queue the tasks use.

No container engine runs here, so the file is checked against the Compose Specification's own
JSON schema (vendored in tests/config/vendor/, see SOURCE there), as `docker compose config`
would check it, and its worker commands against the routes in config/settings.py.
"""

import copy
import json
import shlex
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.conf import settings

from config.celery import app
from tests.config.workers import QUEUES, project_tasks, worker_queues

SCHEMA = json.loads((Path(__file__).parent / "vendor" / "compose-spec.json").read_text())


def compose():
    return yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())


def schema_errors(document):
    validator = jsonschema.Draft7Validator(SCHEMA)
    return sorted(
        f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in validator.iter_errors(document)
    )


def celery_services(document, subcommand):
    """{service: its command as arguments} for the services that run ``celery … <subcommand>``."""
    found = {}
    for name, service in document["services"].items():
        command = service.get("command") or []
        arguments = shlex.split(command) if isinstance(command, str) else list(command)
        if arguments[:1] == ["celery"] and subcommand in arguments:
            found[name] = arguments
    return found


def test_docker_compose_file_follows_the_compose_specification():
    assert schema_errors(compose()) == []


def test_the_schema_check_rejects_what_docker_compose_would_reject():
    # The check can fail: a misspelt key and a command of the wrong type are both caught.
    document = copy.deepcopy(compose())
    document["services"]["web"]["comand"] = "gunicorn"
    document["services"]["beat"]["command"] = {"celery": "beat"}

    errors = schema_errors(document)

    assert any("services/web" in error and "comand" in error for error in errors), errors
    assert any("services/beat/command" in error for error in errors), errors


def test_compose_runs_a_worker_for_each_group_of_queues_and_one_beat():
    document = compose()
    workers = celery_services(document, "worker")

    assert set(workers) == {
        "worker-pdf",
        "worker-checks",
        "worker-email",
        "worker-webhooks",
        "worker-sweeps",
    }
    assert set(celery_services(document, "beat")) == {"beat"}
    # Each worker names its queues: one without -Q would take every queue, the slow ones too.
    for name, arguments in workers.items():
        assert "-Q" in arguments or any(a.startswith("--queues") for a in arguments), name


def test_compose_workers_between_them_take_every_queue_every_task_is_routed_to():
    taken = set().union(
        *(worker_queues(arguments) for arguments in celery_services(compose(), "worker").values())
    )
    router = app.amqp.router
    routed_to = {name: router.route({}, name)["queue"].name for name in project_tasks()}

    assert taken == QUEUES
    left_waiting = {name: queue for name, queue in routed_to.items() if queue not in taken}
    assert not left_waiting, f"no compose worker takes the queue of: {left_waiting}"
    assert settings.CELERY_TASK_DEFAULT_QUEUE in taken


@pytest.mark.parametrize("queue", sorted(QUEUES))
def test_each_queue_has_exactly_one_group_of_workers(queue):
    # One group per queue, so that scaling a group scales exactly the work it names.
    groups = [
        name
        for name, arguments in celery_services(compose(), "worker").items()
        if queue in worker_queues(arguments)
    ]

    assert len(groups) == 1, f"{queue} is taken by {groups}"
