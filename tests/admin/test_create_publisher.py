"""manage.py create_publisher makes the first Publisher without a password on the
command line."""

import getpass

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError
from django.test import Client

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-publisher-passphrase"


def test_creates_a_staff_publisher_from_the_environment(monkeypatch):
    monkeypatch.setenv("IGR_PUBLISHER_PASSWORD", PASSWORD)

    call_command("create_publisher", "pat", "--email", "pat@example.org", "--noinput")

    user = get_user_model().objects.get(username="pat")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Publisher"]
    assert user.has_perm("forums.publish_meeting")
    client = Client()
    assert client.login(username="pat", password=PASSWORD)
    assert client.get("/admin/forums/meeting/").status_code == 200


def test_prompts_twice_for_the_password(monkeypatch):
    monkeypatch.delenv("IGR_PUBLISHER_PASSWORD", raising=False)
    answers = iter(["mismatch-one-two-three", "something-else", PASSWORD, PASSWORD])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))

    call_command("create_publisher", "sam")

    assert get_user_model().objects.get(username="sam").check_password(PASSWORD)


def test_refuses_without_a_password_when_not_interactive(monkeypatch):
    monkeypatch.delenv("IGR_PUBLISHER_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="IGR_PUBLISHER_PASSWORD"):
        call_command("create_publisher", "pat", "--noinput")
    assert not get_user_model().objects.exists()


def test_refuses_a_weak_password_and_an_existing_name(monkeypatch, publisher):
    monkeypatch.setenv("IGR_PUBLISHER_PASSWORD", "password")
    with pytest.raises(CommandError, match="Password refused"):
        call_command("create_publisher", "kim", "--noinput")
    monkeypatch.setenv("IGR_PUBLISHER_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_publisher", "publisher", "--noinput")


def test_takes_no_password_argument():
    command = load_command_class(get_commands()["create_publisher"], "create_publisher")
    options = {a.dest for a in command.create_parser("manage.py", "create_publisher")._actions}
    assert "password" not in options
