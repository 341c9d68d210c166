import uuid

import pytest


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    # allauth counts failed logins and sign-ups in the cache (Redis in CI), keyed by client
    # address. A key prefix of its own gives each test none counted, without flushing a Redis
    # database that other test runs or the broker may share; the keys expire on their own.
    default = settings.CACHES["default"]
    settings.CACHES = {
        **settings.CACHES,
        "default": {**default, "KEY_PREFIX": f"{default.get('KEY_PREFIX', '')}test-{uuid.uuid4()}"},
    }
