"""Fixtures for the API tests: clients and a small published world with drafts beside it."""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.worlds import build_api_world, module_world


@pytest.fixture(autouse=True)
def _fresh_throttle():
    # Throttle counts live in the cache; each test starts with a clean allowance.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def staff_api(django_user_model):
    """An APIClient signed in as staff (who see drafts)."""
    user = django_user_model.objects.create_user("staffer", password="x" * 12, is_staff=True)
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def token_client():
    """An APIClient authenticating like an analyst's script: with a DRF token."""

    def make(user):
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


# Built once per module; each test reads a copy inside its own savepoint (tests/worlds.py).
_world_built, world = module_world(build_api_world)
