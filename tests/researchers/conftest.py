import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # allauth counts failed logins and sign-ups in the cache (Redis in CI), keyed by client
    # address; start and leave each test with none counted.
    cache.clear()
    yield
    cache.clear()
