import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ALERTS_SUBSCRIBE_RATE", "5/hour", "ALERTS_SUBSCRIBE_RATE='5/hour' is not a rate"),
        ("EMAIL_PORT", "smtp", "EMAIL_PORT"),
    ],
)
def test_malformed_email_setting_stops_start_up_naming_it(variable, value, message):
    env = dict(os.environ, **{variable: value})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_make_run_prints_emails_on_the_console():
    env = dict(os.environ, DEBUG="true")
    env.pop("EMAIL_BACKEND", None)
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.EMAIL_BACKEND)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip().endswith("django.core.mail.backends.console.EmailBackend")
