import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def refusals_forgotten():
    """Each test starts with no refused tokens counted against the test client's address, which
    every test shares (the count lives in the cache, not the database each test rolls back)."""
    keys = ["api-refusals:127.0.0.1", "api-refusals:unknown"]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)
