"""What the tests of the queues share: the declared queues, the project's tasks, and which queues
a worker's command line takes."""

import re
import shlex
import sys

from django.conf import settings

from config.celery import app

QUEUES = {queue.name for queue in settings.CELERY_TASK_QUEUES}


def project_tasks():
    app.loader.import_default_modules()
    return sorted(name for name in app.tasks if not name.startswith("celery."))


def procfile_worker_command():
    """The worker line of Procfile.dev, which `make run` starts, as arguments."""
    procfile = (settings.BASE_DIR / "Procfile.dev").read_text()
    line = re.search(r"^worker:\s*(.+)$", procfile, flags=re.MULTILINE).group(1)
    arguments = shlex.split(line)
    assert arguments[0] == "celery"
    return [sys.executable, "-m", "celery", *arguments[1:]]


def worker_queues(arguments):
    """The queues a ``celery worker`` command line consumes (``-Q a,b``)."""
    for index, argument in enumerate(arguments):
        if argument in {"-Q", "--queues"}:
            return set(arguments[index + 1].split(","))
        if argument.startswith("--queues="):
            return set(argument.removeprefix("--queues=").split(","))
    return set(QUEUES)  # without -Q a worker takes every declared queue
