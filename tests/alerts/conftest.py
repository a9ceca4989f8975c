import pytest


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The subscribe rate limit counts in the default cache: each test starts at zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
