import pytest


@pytest.fixture
def today():
    from django.utils import timezone

    return timezone.localdate()
