import pytest


@pytest.fixture
def eager_celery():
    """Run tasks in the test's own process, as a worker would, so their emails can be read."""
    from config.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = before
