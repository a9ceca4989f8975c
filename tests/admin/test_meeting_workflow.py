"""An Editor logs a whole meeting in one POST; a Publisher publishes it; a Viewer changes
nothing; an Editor cannot publish."""

import pytest
from django.test import Client

from forums.models import Meeting
from tests.admin.conftest import flat, form_data, meeting_payload
from tests.factories import CommitmentFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def log_meeting(client, w):
    response = client.post("/admin/forums/meeting/add/", meeting_payload(client, w))
    assert response.status_code == 302, response.content.decode()[:3000]
    return Meeting.objects.get(forum=w.forum, date=w.date)


def test_editor_logs_a_whole_meeting_in_one_post_as_a_draft(editor_client, meeting_world):
    meeting = log_meeting(editor_client, meeting_world)

    assert meeting.slug == "mayoral-council-2025-01-23"
    assert meeting.publication_state == "draft"
    assert meeting.published_at is None
    assert meeting.attendances.count() == 3
    assert list(meeting.agenda_items.values_list("order", flat=True)) == [1, 2]
    assert meeting.commitments.count() == 2
    assert set(meeting.commitments.values_list("publication_state", flat=True)) == {"draft"}
    assert list(meeting.sources.all()) == [meeting_world.source]
    assert meeting.history.latest().history_user.username == "editor"


def test_the_logged_draft_is_invisible_to_anonymous_visitors(editor_client, meeting_world):
    meeting = log_meeting(editor_client, meeting_world)
    anonymous = Client()

    assert anonymous.get(f"/meetings/{meeting.slug}/").status_code == 404
    slugs = [m["slug"] for m in anonymous.get("/api/v1/meetings/").json()["results"]]
    assert meeting.slug not in slugs
    assert anonymous.get(f"/api/v1/meetings/{meeting.slug}/").status_code == 404


def test_editor_sees_save_as_draft_but_no_publish_button(editor_client, meeting_world):
    page = editor_client.get("/admin/forums/meeting/add/").content.decode()
    assert 'value="Save as draft"' in page
    assert 'name="_publish"' not in page


def test_editor_cannot_publish_by_button_or_action(editor_client, meeting_world):
    meeting = log_meeting(editor_client, meeting_world)
    url = f"/admin/forums/meeting/{meeting.pk}/change/"
    data = flat(form_data(editor_client.get(url)))

    assert editor_client.post(url, {**data, "_publish": "Save and publish"}).status_code == 403
    response = editor_client.post(
        "/admin/forums/meeting/",
        {"action": "publish_selected", "_selected_action": [meeting.pk]},
    )
    assert response.status_code in (200, 302)  # "No action selected."
    meeting.refresh_from_db()
    assert meeting.publication_state == "draft"
    changelist = editor_client.get("/admin/forums/meeting/").content.decode()
    assert "publish_selected" not in changelist


def test_publisher_publishes_the_meeting_with_its_commitments(
    editor_client, publisher_client, meeting_world
):
    meeting = log_meeting(editor_client, meeting_world)
    url = f"/admin/forums/meeting/{meeting.pk}/change/"
    page = publisher_client.get(url)
    assert 'name="_publish"' in page.content.decode()

    response = publisher_client.post(url, {**flat(form_data(page)), "_publish": "Save and publish"})

    assert response.status_code == 302, response.content.decode()[:3000]
    meeting.refresh_from_db()
    assert meeting.publication_state == "published"
    assert meeting.published_at is not None
    assert set(meeting.commitments.values_list("publication_state", flat=True)) == {"published"}
    assert Client().get(f"/meetings/{meeting.slug}/").status_code == 200
    assert meeting.history.latest().history_user.username == "publisher"


def test_publisher_publishes_and_withdraws_with_bulk_actions(
    editor_client, publisher_client, meeting_world
):
    meeting = log_meeting(editor_client, meeting_world)
    response = publisher_client.post(
        "/admin/forums/meeting/",
        {"action": "publish_selected", "_selected_action": [meeting.pk]},
        follow=True,
    )
    assert "Published meeting" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.publication_state == "published"

    asked = publisher_client.post(
        "/admin/forums/meeting/",
        {"action": "withdraw_selected", "_selected_action": [meeting.pk]},
    )
    assert asked.status_code == 200
    assert "Why are these records withdrawn?" in asked.content.decode()
    done = publisher_client.post(
        "/admin/forums/meeting/",
        {
            "action": "withdraw_selected",
            "_selected_action": [meeting.pk],
            "post": "yes",
            "reason": "The date was wrong; re-checking against the communiqué.",
        },
    )
    assert done.status_code == 302
    meeting.refresh_from_db()
    assert meeting.publication_state == "withdrawn"
    assert meeting.withdrawal_reason.startswith("The date was wrong")
    assert set(meeting.commitments.values_list("publication_state", flat=True)) == {"withdrawn"}
    assert Client().get(f"/meetings/{meeting.slug}/").status_code == 404


def test_withdrawing_needs_a_reason(publisher_client, meeting_world):
    meeting = MeetingFactory(forum=meeting_world.forum)
    response = publisher_client.post(
        "/admin/forums/meeting/",
        {"action": "withdraw_selected", "_selected_action": [meeting.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.publication_state == "published"


def test_editor_cannot_change_a_published_meeting(editor_client, meeting_world):
    meeting = MeetingFactory(forum=meeting_world.forum, location="Leeds")
    url = f"/admin/forums/meeting/{meeting.pk}/change/"
    page = editor_client.get(url)
    assert page.status_code == 200
    assert 'value="Save' not in page.content.decode()  # read-only for an Editor

    assert editor_client.post(url, {"location": "York"}).status_code == 403
    meeting.refresh_from_db()
    assert meeting.location == "Leeds"


def test_viewer_sees_everything_but_every_write_is_403(viewer_client, meeting_world):
    meeting = MeetingFactory(forum=meeting_world.forum, location="Leeds")
    commitment = CommitmentFactory(
        meeting=meeting,
        title="A promise",
        text="Promised.",
        made_on=meeting.date,
        publication_state="draft",
        published_at=None,
    )
    base = "/admin/forums/meeting/"
    for url in (base, f"{base}{meeting.pk}/change/", f"{base}{meeting.pk}/history/"):
        assert viewer_client.get(url).status_code == 200, url
    history_id = meeting.history.latest().history_id

    writes = {
        f"{base}add/": {"forum": meeting.forum.pk, "date": "2025-01-23", "status": "held"},
        f"{base}{meeting.pk}/change/": {"location": "York"},
        f"{base}{meeting.pk}/delete/": {"post": "yes"},
        f"{base}{meeting.pk}/history/{history_id}/": {"location": "York"},
        base: {"action": "delete_selected", "_selected_action": [meeting.pk], "post": "yes"},
        f"/admin/forums/commitment/{commitment.pk}/status/": {"new_status": "delivered"},
        "/admin/forums/commitmentstatuschange/add/": {"commitment": commitment.pk},
        "/admin/forums/source/add/": {"url": "https://example.org/x", "title": "X"},
    }
    for url, data in writes.items():
        assert viewer_client.post(url, data).status_code == 403, url
    meeting.refresh_from_db()
    assert meeting.location == "Leeds"
    assert Meeting.objects.count() == 1
    assert not commitment.status_changes.exists()


def test_editor_cannot_change_a_published_commitment_from_a_draft_meetings_page(
    editor_client, meeting_world
):
    meeting = MeetingFactory(forum=meeting_world.forum, publication_state="draft")
    commitment = CommitmentFactory(
        meeting=meeting,
        title="Meet every quarter",
        text="Quarterly.",
        publication_state="published",
    )
    url = f"/admin/forums/meeting/{meeting.pk}/change/"
    data = {**flat(form_data(editor_client.get(url))), "commitments-0-title": "Meet yearly"}

    response = editor_client.post(url, data)

    assert response.status_code == 200
    assert "is published; only a Publisher can change it." in response.content.decode()
    commitment.refresh_from_db()
    assert commitment.title == "Meet every quarter"


def test_a_scheduled_meeting_whose_date_has_passed_is_flagged(editor_client, meeting_world):
    overdue = MeetingFactory(forum=meeting_world.forum, status="scheduled")
    MeetingFactory(forum=meeting_world.forum, status="held")

    changelist = editor_client.get("/admin/forums/meeting/").content.decode()
    assert changelist.count("Date passed: record what happened") == 1
    filtered = editor_client.get("/admin/forums/meeting/?attention=past_due").content.decode()
    assert "1 meeting" in filtered
    page = editor_client.get(f"/admin/forums/meeting/{overdue.pk}/change/").content.decode()
    assert "is still marked scheduled" in page
