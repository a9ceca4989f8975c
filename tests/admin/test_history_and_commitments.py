"""History pages, reverting with its differences shown first, and commitments whose status
moves only through the status-change service."""

import datetime

import pytest

from forums.models import Commitment
from tests.admin.conftest import flat, form_data
from tests.factories import CommitmentFactory, MeetingFactory, SourceFactory

pytestmark = pytest.mark.django_db


def edit(client, url, **changes):
    response = client.post(url, {**flat(form_data(client.get(url))), **changes})
    assert response.status_code == 302, response.content.decode()[:2000]


def test_revert_shows_what_will_change_before_applying(publisher_client, meeting_world):
    meeting = MeetingFactory(forum=meeting_world.forum, location="Leeds")
    url = f"/admin/forums/meeting/{meeting.pk}/change/"
    old_version = meeting.history.latest().history_id
    edit(publisher_client, url, location="York", change_reason="Moved.")

    history = publisher_client.get(f"/admin/forums/meeting/{meeting.pk}/history/")
    assert "Moved." in history.content.decode()

    revert_url = f"/admin/forums/meeting/{meeting.pk}/history/{old_version}/"
    page = publisher_client.get(revert_url)
    text = page.content.decode()
    assert "What reverting will change" in text
    assert "<td>York</td><td>Leeds</td>" in text
    meeting.refresh_from_db()
    assert meeting.location == "York"  # looking changes nothing

    data = flat(form_data(page))
    refused = publisher_client.post(revert_url, data)
    assert "say why you are changing it" in refused.content.decode()
    done = publisher_client.post(revert_url, {**data, "change_reason": "York was a typo."})
    assert done.status_code == 302
    meeting.refresh_from_db()
    assert meeting.location == "Leeds"
    assert meeting.history.latest().history_change_reason == "York was a typo."


def test_viewer_may_read_history_but_not_revert(viewer_client, meeting_world):
    meeting = MeetingFactory(forum=meeting_world.forum, location="Leeds")
    version = meeting.history.latest().history_id
    url = f"/admin/forums/meeting/{meeting.pk}/history/{version}/"
    assert viewer_client.get(url).status_code == 200
    assert viewer_client.post(url, {"location": "York"}).status_code == 403


def test_the_status_field_cannot_be_edited_directly(editor_client, meeting_world):
    commitment = CommitmentFactory(publication_state="draft")
    url = f"/admin/forums/commitment/{commitment.pk}/change/"
    page = editor_client.get(url)
    assert 'name="status"' not in page.content.decode()

    edit(editor_client, url, status="delivered")
    commitment.refresh_from_db()
    assert commitment.status == "not_assessed"


def test_a_status_change_needs_a_date_a_note_and_evidence(editor_client, meeting_world):
    commitment = CommitmentFactory()
    url = f"/admin/forums/commitment/{commitment.pk}/status/"
    form = flat(form_data(editor_client.get(url)))
    # No date is filled in for them: the day a status took effect is seldom today.
    assert not form.get("effective_on")

    empty = editor_client.post(url, {**form, "new_status": "in_progress", "effective_on": ""})
    assert "Enter the day the new status took effect." in empty.content.decode()
    no_evidence = editor_client.post(
        url,
        {**form, "new_status": "in_progress", "effective_on": "2025-02-01", "note": "Started."},
    )
    assert "Give the evidence: a source, or the meeting" in no_evidence.content.decode()
    assert not commitment.status_changes.exists()


def test_a_status_change_goes_through_the_service_and_shows_on_the_timeline(
    editor_client, meeting_world
):
    commitment = CommitmentFactory()
    source = SourceFactory(title="Spending Review 2025")
    url = f"/admin/forums/commitment/{commitment.pk}/status/"
    form = flat(form_data(editor_client.get(url)))

    response = editor_client.post(
        url,
        {
            **form,
            "new_status": "in_progress",
            "effective_on": "2025-06-11",
            "note": "Funding confirmed in the Spending Review.",
            "evidence_source": source.pk,
        },
    )

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == "in_progress"
    assert commitment.status_changed_on == datetime.date(2025, 6, 11)
    change = commitment.status_changes.get()
    assert change.recorded_by.username == "editor"
    page = editor_client.get(f"/admin/forums/commitment/{commitment.pk}/change/")
    text = page.content.decode()
    assert "Funding confirmed in the Spending Review." in text
    assert "Spending Review 2025" in text

    backdated = editor_client.post(
        url,
        {
            **form,
            "new_status": "delivered",
            "effective_on": "2025-01-01",
            "note": "Done.",
            "evidence_source": source.pk,
        },
    )
    assert "cannot take effect before it" in backdated.content.decode()
    assert commitment.status_changes.count() == 1


def test_the_status_change_add_page_records_through_the_service(editor_client, meeting_world):
    commitment = CommitmentFactory()
    meeting = MeetingFactory()
    form = flat(form_data(editor_client.get("/admin/forums/commitmentstatuschange/add/")))
    response = editor_client.post(
        "/admin/forums/commitmentstatuschange/add/",
        {
            **form,
            "commitment": commitment.pk,
            "new_status": "missed",
            "effective_on": "2025-03-01",
            "note": "The deadline passed.",
            "evidence_meeting": meeting.pk,
        },
    )
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == "missed"


def test_lineage_is_editable(editor_client, meeting_world):
    earlier = CommitmentFactory(title="Meet every quarter")
    later = CommitmentFactory(title="Meet twice a year", publication_state="draft")
    url = f"/admin/forums/commitment/{later.pk}/change/"

    edit(editor_client, url, supersedes=str(earlier.pk))

    later.refresh_from_db()
    assert later.supersedes == earlier
    page = editor_client.get(f"/admin/forums/commitment/{earlier.pk}/change/")
    assert "Meet twice a year" in page.content.decode()
    assert Commitment.objects.get(pk=earlier.pk).superseded_by.get() == later


def test_reverting_to_a_draft_version_does_not_unpublish(
    publisher, publisher_client, meeting_world
):
    from igr.policy import publish

    meeting = MeetingFactory(forum=meeting_world.forum, publication_state="draft", location="A")
    meeting.sources.add(meeting_world.source)
    draft_version = meeting.history.latest().history_id
    publish(meeting, by=publisher)
    revert_url = f"/admin/forums/meeting/{meeting.pk}/history/{draft_version}/"
    page = publisher_client.get(revert_url)
    assert "Publication state" not in page.content.decode().split('id="revert-changes"')[1][:2000]

    publisher_client.post(revert_url, {**flat(form_data(page)), "change_reason": "Undo."})

    meeting.refresh_from_db()
    assert meeting.publication_state == "published"
    assert meeting.published_at is not None
