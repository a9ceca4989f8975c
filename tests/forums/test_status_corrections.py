"""Status changes that can be corrected (issue 15, audit B1): no change dated in the future,
and a Publisher voids a mistaken change with a reason, the timeline staying append-only."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from forums.data_quality import (
    broken_status_chains,
    commitments_whose_status_is_not_their_latest_change,
)
from forums.models import Commitment, CommitmentStatusChange, StatusChangeVoid
from forums.services import record_status_change, void_status_change
from tests.factories import CommitmentFactory, SourceFactory

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 1, 15)


def token_client(user):
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def change(commitment, new_status, effective_on, note="Step."):
    return record_status_change(
        commitment=commitment,
        new_status=new_status,
        effective_on=effective_on,
        note=note,
        evidence_source=SourceFactory(),
    )


@pytest.fixture
def commitment():
    """A published commitment In progress from 15 January 2026, then (mistakenly)
    Delivered from a date typed a year out."""
    commitment = CommitmentFactory()
    change(commitment, "in_progress", START, note="Work began.")
    return commitment


# --- no change in the future --------------------------------------------------------------


def test_a_change_dated_after_today_is_refused_naming_effective_on(commitment, today):
    with pytest.raises(ValidationError) as error:
        change(commitment, "delivered", today + datetime.timedelta(days=1))
    assert "future" in " ".join(error.value.message_dict["effective_on"])
    commitment.refresh_from_db()
    assert commitment.status == "in_progress"
    assert commitment.status_changes.count() == 1


def test_a_change_dated_today_is_accepted(commitment, today):
    change(commitment, "delivered", today)
    commitment.refresh_from_db()
    assert (commitment.status, commitment.status_changed_on) == ("delivered", today)


def test_api_refuses_a_future_change_with_400_on_effective_on(commitment, editor, today):
    response = token_client(editor).post(
        "/api/v1/commitment-status-changes/",
        {
            "commitment": commitment.pk,
            "new_status": "delivered",
            "effective_on": str(today.replace(year=today.year + 1)),
            "note": "Delivered.",
            "evidence_source": SourceFactory().pk,
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert [e["field"] for e in response.json()["errors"]] == ["effective_on"]


def test_admin_shows_the_future_date_error_beside_the_field(commitment, editor_client, today):
    future = today.replace(year=today.year + 1)
    response = editor_client.post(
        f"/admin/forums/commitment/{commitment.pk}/status/",
        {
            "commitment": commitment.pk,
            "new_status": "delivered",
            "effective_on": future.strftime("%Y-%m-%d"),
            "note": "Delivered.",
            "evidence_source": SourceFactory().pk,
        },
    )
    assert response.status_code == 200
    assert "in the future" in str(response.context["form"].errors["effective_on"])
    assert commitment.status_changes.count() == 1


# --- voiding --------------------------------------------------------------------------------


def test_voiding_the_latest_change_restores_the_status_and_keeps_the_entry(commitment, publisher):
    mistaken = change(commitment, "delivered", START + datetime.timedelta(days=30))
    void = void_status_change(
        change=mistaken, reason="Typed the wrong status.", voided_by=publisher
    )

    commitment.refresh_from_db()
    assert (commitment.status, commitment.status_changed_on) == ("in_progress", START)
    assert commitment.status_changes.count() == 2  # nothing deleted
    assert void.change == mistaken and void.recorded_by == publisher
    assert commitments_whose_status_is_not_their_latest_change() == []
    assert broken_status_chains() == []


def test_voiding_the_only_change_returns_to_not_assessed(publisher):
    commitment = CommitmentFactory()
    only = change(commitment, "in_progress", START)
    void_status_change(change=only, reason="Wrong commitment.", voided_by=publisher)
    commitment.refresh_from_db()
    assert (commitment.status, commitment.status_changed_on) == ("not_assessed", None)
    assert commitments_whose_status_is_not_their_latest_change() == []


def test_after_a_void_the_correct_change_can_be_dated_before_the_voided_one(
    commitment, publisher, today
):
    """The audit's case: a typo for the year, voided, then the right entry recorded."""
    typo_day = today - datetime.timedelta(days=2)
    mistaken = change(commitment, "delivered", typo_day)
    void_status_change(change=mistaken, reason="Wrong date.", voided_by=publisher)
    change(commitment, "delivered", typo_day - datetime.timedelta(days=10))
    commitment.refresh_from_db()
    assert commitment.status_changed_on == typo_day - datetime.timedelta(days=10)
    assert commitments_whose_status_is_not_their_latest_change() == []
    assert broken_status_chains() == []


def test_data_quality_counts_a_voided_change_as_not_in_force(commitment, publisher):
    """Without following the changes in force, the rule would flag every voided latest."""
    mistaken = change(commitment, "delivered", START + datetime.timedelta(days=1))
    void_status_change(change=mistaken, reason="Mistake.", voided_by=publisher)
    assert commitments_whose_status_is_not_their_latest_change() == []


def test_only_the_latest_change_in_force_can_be_voided(commitment, publisher):
    first = commitment.status_changes.get()
    change(commitment, "delivered", START + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        void_status_change(change=first, reason="Mistake.", voided_by=publisher)
    assert "latest" in " ".join(error.value.message_dict["change"])
    assert not StatusChangeVoid.objects.exists()


def test_a_change_is_voided_once_and_needs_a_reason(commitment, publisher):
    latest = commitment.status_changes.get()
    with pytest.raises(ValidationError) as error:
        void_status_change(change=latest, reason="  ", voided_by=publisher)
    assert "reason" in error.value.message_dict
    void_status_change(change=latest, reason="Mistake.", voided_by=publisher)
    with pytest.raises(ValidationError) as error:
        void_status_change(change=latest, reason="Again.", voided_by=publisher)
    assert "already voided" in " ".join(error.value.message_dict["change"])


def test_an_editor_may_not_void(commitment, editor):
    with pytest.raises(PermissionDenied):
        void_status_change(
            change=commitment.status_changes.get(), reason="Mistake.", voided_by=editor
        )
    assert Commitment.objects.get(pk=commitment.pk).status == "in_progress"


# --- API --------------------------------------------------------------------------------------


def void_url(change):
    return f"/api/v1/commitment-status-changes/{change.pk}/void/"


def test_api_publisher_voids_a_change_and_it_shows_voided_by(commitment, publisher):
    latest = commitment.status_changes.get()
    response = token_client(publisher).post(void_url(latest), {"reason": "Mistake."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["voided_by"]["reason"] == "Mistake."
    assert Commitment.objects.get(pk=commitment.pk).status == "not_assessed"

    listed = APIClient().get(f"/api/v1/commitment-status-changes/?commitment={commitment.pk}")
    [row] = listed.json()["results"] if "results" in listed.json() else listed.json()
    assert row["voided_by"]["reason"] == "Mistake."
    assert APIClient().get(f"/api/v1/commitments/{commitment.pk}/").json()["status"] == (
        "not_assessed"
    )


def test_api_change_in_force_has_null_voided_by(commitment):
    latest = commitment.status_changes.get()
    body = APIClient().get(f"/api/v1/commitment-status-changes/{latest.pk}/").json()
    assert body["voided_by"] is None


@pytest.mark.parametrize("who,expected", [("anonymous", 401), ("viewer", 403), ("editor", 403)])
def test_api_void_is_for_publishers_only(commitment, who, expected, request):
    latest = commitment.status_changes.get()
    client = APIClient() if who == "anonymous" else token_client(request.getfixturevalue(who))
    response = client.post(void_url(latest), {"reason": "Mistake."}, format="json")
    assert response.status_code == expected, response.content
    assert not StatusChangeVoid.objects.exists()


def test_api_void_without_a_reason_is_400(commitment, publisher):
    latest = commitment.status_changes.get()
    response = token_client(publisher).post(void_url(latest), {"reason": ""}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "reason"


def test_api_void_is_post_only(commitment, publisher):
    latest = commitment.status_changes.get()
    assert token_client(publisher).get(void_url(latest)).status_code == 405


def test_schema_documents_the_void_endpoint(api_schema_text):
    assert "/api/v1/commitment-status-changes/{id}/void/" in api_schema_text
    assert "voided_by" in api_schema_text


@pytest.fixture
def api_schema_text(client):
    return client.get("/api/schema/").content.decode()


# --- admin, public page and feed -------------------------------------------------------------


def test_admin_publisher_voids_from_the_timeline(commitment, publisher_client):
    latest = commitment.status_changes.get()
    page = publisher_client.get(f"/admin/forums/commitment/{commitment.pk}/change/")
    url = f"/admin/forums/commitment/{commitment.pk}/status/{latest.pk}/void/"
    assert url in page.content.decode()
    response = publisher_client.post(url, {"reason": "Typed the wrong status."})
    assert response.status_code == 302
    page = publisher_client.get(f"/admin/forums/commitment/{commitment.pk}/change/")
    text = page.content.decode()
    assert "<del>" in text and "Voided: Typed the wrong status." in text


def test_admin_void_is_forbidden_to_an_editor(commitment, editor_client):
    latest = commitment.status_changes.get()
    url = f"/admin/forums/commitment/{commitment.pk}/status/{latest.pk}/void/"
    assert editor_client.get(url).status_code == 403
    assert editor_client.post(url, {"reason": "Mistake."}).status_code == 403
    assert not StatusChangeVoid.objects.exists()


def test_admin_void_of_an_earlier_change_shows_why_not(commitment, publisher_client):
    first = commitment.status_changes.get()
    change(commitment, "delivered", START + datetime.timedelta(days=1))
    url = f"/admin/forums/commitment/{commitment.pk}/status/{first.pk}/void/"
    response = publisher_client.post(url, {"reason": "Mistake."})
    assert response.status_code == 200
    assert "void the later ones first" in response.content.decode()


def test_public_page_and_feed_mark_the_voided_change(commitment, publisher, client):
    mistaken = change(commitment, "delivered", START + datetime.timedelta(days=3))
    void_status_change(change=mistaken, reason="Typed the wrong status.", voided_by=publisher)

    page = client.get(commitment.get_absolute_url()).content.decode()
    assert "Voided: Typed the wrong status." in page
    assert "<del>" in page

    feed = client.get(f"/commitments/{commitment.pk}/feed/").content.decode()
    assert "Voided: " in feed and "Typed the wrong status." in feed
    assert CommitmentStatusChange.objects.in_force().filter(commitment=commitment).count() == 1


def test_recent_changes_page_marks_the_voided_change(commitment, publisher, client):
    mistaken = change(commitment, "delivered", START + datetime.timedelta(days=3))
    void_status_change(change=mistaken, reason="Typed the wrong status.", voided_by=publisher)
    page = client.get("/changes/").content.decode()
    assert "Voided: Typed the wrong status." in page
    assert page.count("<del>") == 1


def test_admin_status_change_list_says_which_are_voided(commitment, publisher, publisher_client):
    void_status_change(
        change=commitment.status_changes.get(), reason="Wrong commitment.", voided_by=publisher
    )
    page = publisher_client.get("/admin/forums/commitmentstatuschange/")
    assert "Voided: Wrong commitment." in page.content.decode()


def test_changes_csv_says_which_status_changes_are_voided(client, commitment, publisher):
    # Issue 15: /changes/ marked a voided change, but its CSV listed it as a step in force.
    mistaken = change(commitment, "delivered", START + datetime.timedelta(days=10))
    void_status_change(change=mistaken, reason="Typed the wrong status.", voided_by=publisher)
    response = client.get("/changes/", {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
    by_status = {row["new_status"]: row for row in rows}
    assert (by_status["delivered"]["voided"], by_status["delivered"]["void_reason"]) == (
        "True",
        "Typed the wrong status.",
    )
    assert (by_status["in_progress"]["voided"], by_status["in_progress"]["void_reason"]) == (
        "False",
        "",
    )
