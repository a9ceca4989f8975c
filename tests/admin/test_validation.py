"""Every domain rule answers with a plain-English message on the form and saves nothing."""

import datetime

import pytest
from django.utils import timezone

from authorities.models import Office
from forums.models import AgendaItem, Attendance, Commitment, Meeting
from tests.admin.conftest import flat, form_data, meeting_payload
from tests.factories import AgendaItemFactory, MeetingFactory, OfficeFactory, PersonFactory

pytestmark = pytest.mark.django_db


def nothing_logged():
    return (
        Meeting.objects.count() == 0
        and Attendance.objects.count() == 0
        and AgendaItem.objects.count() == 0
        and Commitment.objects.count() == 0
    )


def test_a_held_meeting_in_the_future_is_refused(editor_client, meeting_world):
    data = meeting_payload(editor_client, meeting_world)
    data["date"] = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()

    response = editor_client.post("/admin/forums/meeting/add/", data)

    assert response.status_code == 200
    assert "A meeting dated in the future cannot be marked as held." in response.content.decode()
    assert nothing_logged()


def test_duplicate_attendance_is_refused(editor_client, meeting_world):
    data = meeting_payload(editor_client, meeting_world)
    data["attendances-2-person"] = data["attendances-0-person"]

    response = editor_client.post("/admin/forums/meeting/add/", data)

    assert response.status_code == 200
    assert "Angela Rayner is listed twice" in response.content.decode()
    assert nothing_logged()


def test_duplicate_attendance_in_its_own_screen_is_refused(editor_client, meeting_world):
    meeting = MeetingFactory(forum=meeting_world.forum, publication_state="draft")
    person = meeting_world.people[0]
    Attendance.objects.create(meeting=meeting, person=person)
    data = flat(form_data(editor_client.get("/admin/forums/attendance/add/")))
    data.update({"meeting": meeting.pk, "person": person.pk, "mode": "virtual"})

    response = editor_client.post("/admin/forums/attendance/add/", data)

    assert response.status_code == 200
    assert "This person is already recorded at this meeting." in response.content.decode()
    assert Attendance.objects.count() == 1


def test_a_substitute_must_say_whom_they_stood_in_for(editor_client, meeting_world):
    data = meeting_payload(editor_client, meeting_world)
    data["attendances-2-mode"] = "substitute"

    response = editor_client.post("/admin/forums/meeting/add/", data)

    assert response.status_code == 200
    assert "Say whom the substitute stood in for." in response.content.decode()
    assert nothing_logged()


def test_publishing_without_a_source_is_refused(publisher_client, meeting_world):
    data = meeting_payload(publisher_client, meeting_world, sources=False)

    response = publisher_client.post(
        "/admin/forums/meeting/add/", {**data, "_publish": "Save and publish"}
    )

    assert response.status_code == 200
    assert "Cite at least one source before publishing this meeting" in response.content.decode()
    assert nothing_logged()


def test_bulk_publishing_without_a_source_publishes_nothing(publisher_client, meeting_world):
    cited = MeetingFactory(forum=meeting_world.forum, publication_state="draft")
    cited.sources.add(meeting_world.source)
    uncited = MeetingFactory(forum=meeting_world.forum, publication_state="draft")

    response = publisher_client.post(
        "/admin/forums/meeting/",
        {"action": "publish_selected", "_selected_action": [cited.pk, uncited.pk]},
        follow=True,
    )

    assert "Nothing was published." in response.content.decode()
    assert set(Meeting.objects.values_list("publication_state", flat=True)) == {"draft"}


def test_an_office_ending_before_it_starts_is_refused(editor_client, meeting_world):
    data = flat(form_data(editor_client.get("/admin/authorities/office/add/")))
    data.update(
        {
            "person": meeting_world.people[1].pk,
            "authority": meeting_world.authorities[1].pk,
            "title": "Mayor",
            "started_on": "2022-05-09",
            "ended_on": "2021-05-09",
        }
    )

    response = editor_client.post("/admin/authorities/office/add/", data)

    assert response.status_code == 200
    assert "An office cannot end before it starts." in response.content.decode()
    assert not Office.objects.exists()


def test_overlapping_offices_are_refused_with_who_held_the_post(editor_client, meeting_world):
    held = OfficeFactory(
        person=meeting_world.people[1], authority=meeting_world.authorities[1], title="Mayor"
    )
    data = flat(form_data(editor_client.get("/admin/authorities/office/add/")))
    data.update(
        {
            "person": PersonFactory().pk,
            "authority": held.authority.pk,
            "title": "Mayor",
            "started_on": "2023-01-01",
        }
    )
    response = editor_client.post("/admin/authorities/office/add/", data)
    assert response.status_code == 200
    assert "Oliver Coppard held the post of Mayor" in response.content.decode()
    assert Office.objects.count() == 1


def test_editing_a_published_record_needs_a_reason_kept_in_history(publisher_client, meeting_world):
    meeting = MeetingFactory(forum=meeting_world.forum, location="Leeds")
    url = f"/admin/forums/meeting/{meeting.pk}/change/"
    data = {**flat(form_data(publisher_client.get(url))), "location": "York"}

    refused = publisher_client.post(url, data)
    assert refused.status_code == 200
    assert "This record is published: say why you are changing it" in refused.content.decode()
    meeting.refresh_from_db()
    assert meeting.location == "Leeds"

    saved = publisher_client.post(url, {**data, "change_reason": "The communiqué says York."})
    assert saved.status_code == 302
    meeting.refresh_from_db()
    assert meeting.location == "York"
    assert meeting.history.latest().history_change_reason == "The communiqué says York."


def test_changing_only_a_row_of_a_published_meeting_also_needs_a_reason(
    publisher_client, meeting_world
):
    meeting = MeetingFactory(forum=meeting_world.forum)
    item = AgendaItemFactory(meeting=meeting, order=1, title="Devolution")
    url = f"/admin/forums/meeting/{meeting.pk}/change/"
    data = {**flat(form_data(publisher_client.get(url))), "agenda_items-0-title": "Growth"}

    refused = publisher_client.post(url, data)

    assert refused.status_code == 200
    assert "say why you are changing it" in refused.content.decode()
    assert "“Record of this change”" in refused.content.decode()
    item.refresh_from_db()
    assert item.title == "Devolution"


def test_a_database_refusal_is_shown_on_the_form_not_a_500(editor_client, meeting_world):
    """Swapping two agenda items' positions passes the form's checks but breaks the
    unique position constraint half-way through saving: the database refuses it."""
    meeting = MeetingFactory(forum=meeting_world.forum, publication_state="draft")
    AgendaItemFactory(meeting=meeting, order=1, title="First")
    AgendaItemFactory(meeting=meeting, order=2, title="Second")
    url = f"/admin/forums/meeting/{meeting.pk}/change/"
    data = flat(form_data(editor_client.get(url)))
    data["agenda_items-0-order"], data["agenda_items-1-order"] = "2", "1"
    data["location"] = "Typed by the user"

    response = editor_client.post(url, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "The database refused this change" in page
    assert "Typed by the user" in page  # the input is kept
    assert dict(meeting.agenda_items.values_list("title", "order")) == {"First": 1, "Second": 2}
