"""Every request leaves one structured log line, and no credential ever reaches it."""

import json
import logging

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token

from igr.log import DropRequestObject


@pytest.fixture
def log_lines():
    """The igr.request and django.request records, formatted exactly as the console
    handler formats them in production (LOGGING's json formatter and filter)."""
    import io
    import logging.config

    stream = io.StringIO()
    config = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": settings.LOGGING["formatters"],
        "filters": settings.LOGGING["filters"],
        "handlers": {
            "capture": {
                "class": "logging.StreamHandler",
                "stream": stream,
                "formatter": "json",
                "filters": ["no_request_object"],
            }
        },
        "loggers": {
            "igr.request": {"handlers": ["capture"], "level": "INFO"},
            "django.request": {"handlers": ["capture"], "level": "INFO"},
        },
    }
    loggers = [logging.getLogger(name) for name in ("igr.request", "django.request")]
    saved = [(lg.handlers[:], lg.level, lg.propagate) for lg in loggers]
    logging.config.dictConfig(config)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for lg, (handlers, level, propagate) in zip(loggers, saved, strict=True):
        lg.handlers, lg.level, lg.propagate = handlers, level, propagate


@pytest.mark.django_db
def test_a_request_logs_one_json_line_with_status_duration_and_request_id(client, log_lines):
    response = client.get("/about/?page=2", HTTP_X_REQUEST_ID="lb-1234")
    [line] = [r for r in log_lines() if r["logger"] == "igr.request"]
    assert line["method"] == "GET"
    assert line["path"] == "/about/"
    assert line["query"] == {"page": "2"}
    assert line["status"] == 200
    assert line["duration_ms"] >= 0
    assert line["request_id"] == "lb-1234" == response["X-Request-ID"]
    assert line["level"] == "INFO"


@pytest.mark.django_db
def test_a_forged_request_id_is_replaced_not_logged(client, log_lines):
    client.get("/about/", HTTP_X_REQUEST_ID='x" injected\nline')
    [line] = [r for r in log_lines() if r["logger"] == "igr.request"]
    assert "injected" not in line["request_id"]


@pytest.mark.django_db
def test_passwords_tokens_and_session_keys_never_reach_the_log(
    client, django_user_model, log_lines
):
    password = "correct-horse-battery-staple-9"
    user = django_user_model.objects.create_user("logtester", password=password, is_staff=True)
    token = Token.objects.create(user=user).key

    # A sign-in (password in the body), a token call, a secret in the query string and a
    # failing request that Django itself logs.
    client.post("/admin/login/", {"username": "logtester", "password": password})
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.get("/api/v1/meetings/", HTTP_AUTHORIZATION=f"Token {token}")
    client.get(f"/api/v1/meetings/?api_key={token}&password={password}&forum=x")
    client.get(f"/no-such-page/?token={token}")

    lines = log_lines()
    text = json.dumps(lines)
    assert len([r for r in lines if r["logger"] == "igr.request"]) == 4
    for secret in (password, token, session_key):
        assert secret not in text
    assert {"api_key": "[redacted]", "password": "[redacted]", "forum": "x"} in [
        r["query"] for r in lines if r["logger"] == "igr.request"
    ]
    # The signed-in user is known by id only.
    assert user.pk in [r.get("user_id") for r in lines]
    assert "logtester" not in text


def test_django_error_records_lose_the_request_object():
    record = logging.LogRecord("django.request", logging.WARNING, "", 0, "Not Found", (), None)
    record.request = object()
    assert DropRequestObject().filter(record)
    assert not hasattr(record, "request")
