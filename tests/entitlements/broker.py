"""The Celery broker down, for real: the app's producer pointed at an address on 127.0.0.1 where
nothing listens, so queuing a task fails as it does when Redis is stopped."""

import contextlib
import socket

from config.celery import app


def _closed_port():
    # Free a moment ago, and nothing listens on it once the probe is closed.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def broker_down():
    """Inside the block, queuing a task raises once Celery's few quick retries are spent; tasks
    are queued, not run in the test's process, even under ``eager_celery``."""
    conf = app.conf
    saved = (conf.broker_url, conf.broker_transport_options, conf.task_always_eager)
    # The app keeps its connections in pools made from the settings when first used: without
    # them it makes new ones from the address below, and gets the old ones back afterwards.
    pools = (app._pool, app.amqp._producer_pool)
    conf.broker_url = f"redis://127.0.0.1:{_closed_port()}/0"
    conf.broker_transport_options = {}
    conf.task_always_eager = False
    app._pool = app.amqp._producer_pool = None
    try:
        yield
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        conf.broker_url, conf.broker_transport_options, conf.task_always_eager = saved
        app._pool, app.amqp._producer_pool = pools
