import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

on_postgresql = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="needs PostgreSQL (CI runs the suite on PostgreSQL too): SQLite has no server "
    "whose connections can be killed",
)


def production_env(**overrides):
    """The process environment a production deployment would have: the test suite's own
    switches (SECURE_SSL_REDIRECT=false, AXES_ENABLED=false) removed, a real-looking key."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECURE_SSL_REDIRECT",
            "AXES_ENABLED",
            "DEBUG",
            "SECRET_KEY",
            # Set by browser tests while Playwright runs; never in a deployment.
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="igr.example.org",
        LOG_LEVEL="WARNING",
    )
    env.update(overrides)
    return env


def manage(*args, env=None, timeout=120):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env or production_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """A STATIC_ROOT filled by collectstatic with the production (manifest) storage, for
    servers started with production settings."""
    root = tmp_path_factory.mktemp("static")
    result = manage("collectstatic", "--noinput", env=production_env(STATIC_ROOT=str(root)))
    assert result.returncode == 0, result.stderr
    return root
