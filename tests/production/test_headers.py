"""Security headers on a public page, an admin page, the API docs and API responses."""

import base64
import hashlib
import re

import pytest
from django.conf import settings

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def directives(response):
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def assert_hardened(response):
    for name, value in HEADERS.items():
        assert response[name] == value, name
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    policy = directives(response)
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    return policy


@pytest.fixture
def https(settings):
    # The production value; the suite's environment sets 0 only because DEBUG is off there
    # too. HSTS is only ever sent over HTTPS, so every request below is secure=True.
    settings.SECURE_HSTS_SECONDS = 31_536_000


@pytest.mark.django_db
def test_public_page_sends_every_header_and_a_strict_policy(client, https):
    response = client.get("/about/", secure=True)
    assert response.status_code == 200
    policy = assert_hardened(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]


@pytest.mark.django_db
def test_error_pages_are_hardened_too(client, https):
    response = client.get("/no-such-page/", secure=True)
    assert response.status_code == 404
    assert_hardened(response)


@pytest.mark.django_db
def test_admin_page_sends_every_header(editor_client, https):
    response = editor_client.get("/admin/", secure=True)
    assert response.status_code == 200
    policy = assert_hardened(response)
    # Django's admin has no inline script or style, so it runs under the public policy.
    assert policy["script-src"] == ["'self'"]


@pytest.mark.django_db
def test_admin_login_page_sends_every_header(client, https):
    assert_hardened(client.get("/admin/login/", secure=True))


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/meetings/", "/api/v1/", "/api/schema/", "/healthz"])
def test_api_responses_send_every_header(client, https, path):
    response = client.get(path, secure=True, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert_hardened(response)


@pytest.mark.django_db
def test_swagger_ui_allows_exactly_its_one_style_block_and_no_inline_script(client, https):
    response = client.get("/api/docs/", secure=True)
    html = response.content.decode()
    policy = assert_hardened(response)
    assert policy["script-src"] == ["'self'"]
    # The start-up script is a file (the split view), not inline.
    assert re.search(r"<script>\s*\S", html) is None
    [style] = re.findall(r"<style>(.*?)</style>", html, re.S)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy["style-src"]


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_secure_httponly_and_same_site(client, editor):
    client.get("/admin/login/", secure=True)
    client.post(
        "/admin/login/",
        {"username": editor.username, "password": "wrong password"},
        secure=True,
    )
    csrf = client.cookies[settings.CSRF_COOKIE_NAME]
    client.force_login(editor)
    client.get("/admin/", secure=True)
    session = client.cookies[settings.SESSION_COOKIE_NAME]
    for cookie in (csrf, session):
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_staff_session_slides_and_ends_with_the_browser(client, editor):
    client.force_login(editor)
    response = client.get("/admin/", secure=True)
    # Saved on every request, so the idle limit restarts with each one; no max-age, so
    # the browser drops the cookie when it closes.
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE == 2 * 60 * 60
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == ""
    assert client.session.get_expiry_age() == 2 * 60 * 60
