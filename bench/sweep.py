"""The daily reminder sweep as the worker runs it, on a copy of a benchmark database.

`bench/run.py` times the sweep inside a transaction it rolls back, so that every run finds the
same work; the emails, queued only once a batch commits, are then never handed to the broker,
and every email written waits in memory for a commit that never comes. This runs the sweep as
the worker does, each batch committed and its emails queued, on a copy of the database that
``DATABASE_URL`` names (``CREATE DATABASE ... TEMPLATE``, PostgreSQL only), which it drops
afterwards; the emails go to the broker ``REDIS_URL`` names, whose email queue it empties
afterwards. Use a database and a broker of their own.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ars_bench \\
    REDIS_URL=redis://127.0.0.1:6379/8 uv run --frozen python bench/sweep.py [--peak]

Prints how many reminders were sent and how long the sweep took; with ``--peak``, its peak
memory too (traced, which makes it several times slower, so the time of that run says little).
"""

import argparse
import os
import sys
import time
import tracemalloc
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peak", action="store_true", help="trace the peak memory too")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # As a worker runs in production: without DEBUG, which keeps templates as they change and
    # so writes each email from its template and layout apart (notifications.services).
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    source = settings.DATABASES["default"]
    if connection.vendor != "postgresql":
        print("The sweep runs on a copy of a PostgreSQL database: set DATABASE_URL to one.")
        return 2
    copy = f"{source['NAME']}_sweep_{uuid.uuid4().hex[:8]}"
    server = {
        "host": source["HOST"] or None,
        "port": source["PORT"] or None,
        "user": source["USER"] or None,
        "password": source["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    connection.close()
    with psycopg.connect(**server) as admin:
        admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{source["NAME"]}"')
    try:
        settings.DATABASES["default"]["NAME"] = copy
        return _sweep(peak=args.peak)
    finally:
        connection.close()
        with psycopg.connect(**server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{copy}"')


def _sweep(*, peak):
    import logging

    from django.utils import timezone

    from config.celery import app
    from notifications.reminders import reminders_sweep

    # The sweep logs what it queues at INFO; the figures are what this run is for.
    logging.getLogger("notifications").setLevel(logging.WARNING)
    # A worker imports every app's tasks, and what they import, when it starts, not during its
    # first sweep. So does this run, before the clock starts: on a machine whose Python keeps no
    # compiled modules (PYTHONDONTWRITEBYTECODE), importing them took seconds.
    app.loader.import_default_modules()
    if peak:
        tracemalloc.start()
    started = time.perf_counter()
    counts = reminders_sweep(today=timezone.localdate())
    took = time.perf_counter() - started
    line = f"{sum(counts.values()):,} reminders in {took:.1f} s"
    if peak:
        line += f", peak {tracemalloc.get_traced_memory()[1] / 2**20:.1f} MiB"
        tracemalloc.stop()
    print(line)
    with app.connection_for_write() as broker:
        broker.default_channel.queue_purge("email")
    return 0


if __name__ == "__main__":
    sys.exit(main())
