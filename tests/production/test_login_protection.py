"""Sign-in protection: lockout after five failures with a clear message, unlock from the
admin, strong passwords. django-axes is on here, as in production."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

PASSWORD = "a-long-and-unusual-passphrase"
LOCKED = "This account is locked after too many failed sign-in attempts"


@pytest.fixture(autouse=True)
def _axes_on(settings):
    settings.AXES_ENABLED = True


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("clerk", password=PASSWORD, is_staff=True)


def sign_in(client, password, username="clerk", address="192.0.2.10"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


@pytest.mark.django_db
def test_four_failures_still_allow_the_right_password(client, staff):
    for _ in range(4):
        response = sign_in(client, "wrong")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    assert sign_in(client, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_fifth_failure_locks_the_account_with_a_clear_message(client, staff):
    for _ in range(4):
        sign_in(client, "wrong")
    response = sign_in(client, "wrong")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "ask an administrator to unlock it" in response.content.decode()
    # Even the right password is refused while locked, and no session is made.
    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_lockout_follows_the_user_name_to_another_address(client, staff):
    for _ in range(5):
        sign_in(client, "wrong", address="192.0.2.10")
    assert sign_in(client, PASSWORD, address="198.51.100.7").status_code == 429


@pytest.mark.django_db
def test_one_address_guessing_many_names_is_locked_out(client, staff):
    for number in range(5):
        sign_in(client, "wrong", username=f"guess{number}", address="203.0.113.5")
    assert sign_in(client, PASSWORD, address="203.0.113.5").status_code == 429
    # Other people are unaffected.
    assert sign_in(client, PASSWORD, address="192.0.2.99").status_code == 302


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_dodge_the_address_lockout(client, staff):
    for number in range(5):
        client.post(
            "/admin/login/",
            {"username": f"guess{number}", "password": "wrong"},
            REMOTE_ADDR="203.0.113.5",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{number}",
        )
    response = sign_in(client, PASSWORD, address="203.0.113.5")
    assert response.status_code == 429


@pytest.mark.django_db
def test_an_administrator_unlocks_the_account_in_the_admin(client, staff, admin_client):
    for _ in range(5):
        sign_in(client, "wrong")
    attempt = AccessAttempt.objects.get(username="clerk")
    assert attempt.failures_since_start == 5

    listing = admin_client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "clerk" in listing.content.decode()
    response = admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="clerk").exists()

    assert sign_in(client, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_successful_sign_in_clears_earlier_failures(client, staff):
    for _ in range(4):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "password",
    ["short-pass", "123456789012345", "1qaz2wsx3edc", "clerk-clerk-clerk"],
    ids=["under-12-characters", "all-digits", "common", "like-the-user-name"],
)
@pytest.mark.django_db
def test_weak_passwords_are_refused(django_user_model, password):
    user = django_user_model(username="clerk-clerk", email="clerk@example.org")
    with pytest.raises(ValidationError):
        validate_password(password, user)


@pytest.mark.django_db
def test_a_long_unusual_passphrase_is_accepted(django_user_model):
    validate_password(PASSWORD, django_user_model(username="clerk"))
