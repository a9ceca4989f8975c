"""Site-wide guards: the project's wiring stays sound."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from igr.lib.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_no_pending_migrations():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:  # pragma: no cover - only reached when the test fails
        pytest.fail(f"Models and migrations disagree:\n{out.getvalue()}")


def test_production_refuses_to_start_without_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env["DEBUG"] = "false"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_malformed_debug_value_stops_start_up_naming_the_variable():
    env = dict(os.environ, DEBUG="maybe")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_malformed_database_url_stops_start_up():
    env = dict(os.environ, DATABASE_URL="nosuchdb://x")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "DATABASE_URL could not be parsed" in result.stderr


@pytest.mark.parametrize("value,expected", [("true", True), ("0", False), ("Yes", True)])
def test_env_bool_reads_common_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("IGR_FLAG", value)
    assert env_bool("IGR_FLAG") is expected


def test_env_int_rejects_words_and_values_below_minimum(monkeypatch):
    monkeypatch.setenv("IGR_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="IGR_NUMBER='ten' is not a whole number"):
        env_int("IGR_NUMBER", 1)
    monkeypatch.setenv("IGR_NUMBER", "-1")
    with pytest.raises(ImproperlyConfigured, match="below the minimum"):
        env_int("IGR_NUMBER", 1, minimum=0)


def test_env_list_rejects_empty_items(monkeypatch):
    monkeypatch.setenv("IGR_HOSTS", "a.example,,b.example")
    with pytest.raises(ImproperlyConfigured, match="empty item"):
        env_list("IGR_HOSTS", [])
    monkeypatch.setenv("IGR_HOSTS", "a.example, b.example")
    assert env_list("IGR_HOSTS", []) == ["a.example", "b.example"]


@pytest.mark.django_db
def test_health_answers_ok_with_the_database_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_home_page_answers_with_one_h1(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.content.decode().count("<h1") == 1


@pytest.mark.django_db
def test_reference_fixtures_load(client):
    from forums.models import Recommendation

    call_command(
        "loaddata", *sorted(str(p) for p in (ROOT / "fixtures").glob("*.json")), verbosity=0
    )
    assert Recommendation.objects.filter(report__slug="state-of-igr-in-england-2025").count() == 5
