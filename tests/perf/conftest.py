import pytest
from django.core.cache import cache


@pytest.fixture
def empty_cache():
    """An empty cache before and after the test: the counts, anchors and aggregates these
    tests measure are cached under the data fingerprint, and one test's entries must not
    answer the next test's request."""
    cache.clear()
    yield
    cache.clear()
