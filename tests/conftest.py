import pytest


@pytest.fixture
def today():
    from django.utils import timezone

    return timezone.localdate()


@pytest.fixture(autouse=True)
def _static_files_without_manifest(settings):
    """Tests run with DEBUG off, which picks WhiteNoise's manifest storage; that needs a
    `collectstatic` run before any template can say {% static %}. Plain storage resolves
    the same names from static/ (built by `make static`), so the suite needs no
    collectstatic step; the live server serves them through the staticfiles finders."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
