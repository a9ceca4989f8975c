"""Production settings: the deploy checklist passes, HTTPS is enforced by default, and
static files are served hashed and compressed."""

import pytest
from django.core.management import call_command
from django.test import Client

from tests.production.conftest import manage, production_env


def test_deploy_checklist_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_defaults_redirect_to_https_and_secure_cookies():
    result = manage(
        "shell",
        "--verbosity=0",
        "-c",
        "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.AXES_ENABLED)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "31536000", "True"]


def test_development_server_is_not_sent_to_https():
    result = manage(
        "shell",
        "--verbosity=0",
        "-c",
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)",
        env=production_env(DEBUG="true"),
    )
    assert result.stdout.split() == ["False", "0"]


def test_malformed_https_switch_stops_start_up_naming_it():
    result = manage("check", env=production_env(SECURE_SSL_REDIRECT="sometimes"))
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT='sometimes' is not a boolean" in result.stderr


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_but_health_checks_are_not(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["igr.example.org"]
    response = client.get("/about/", HTTP_HOST="igr.example.org")
    assert response.status_code == 301
    assert response["Location"] == "https://igr.example.org/about/"
    assert client.get("/healthz", HTTP_HOST="igr.example.org").status_code == 200


@pytest.mark.django_db
def test_proxy_header_counts_as_https_only_when_a_proxy_is_trusted(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/about/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.django_db
def test_collected_static_files_are_hashed_compressed_and_cached_for_ever(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    from django.templatetags.static import static

    hashed = static("vendor/igr.css")
    assert hashed != "/static/vendor/igr.css"  # the manifest gave it a content hash
    assert (tmp_path / hashed.removeprefix("/static/")).with_suffix(".css.gz").exists()

    response = Client().get(hashed, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "immutable" in response["Cache-Control"]
    # A page links the hashed name, so a new release never meets a stale cached file.
    assert hashed in Client().get("/about/").content.decode()
