"""The smaller wrong things in the admin (issue 15, audit B4, B5): the reason-for-change
message names the section where the field is, and a meeting's history lists the changes
to its attendance and agenda rows."""

import pytest

from tests.admin.conftest import flat, form_data
from tests.factories import AgendaItemFactory, AttendanceFactory, MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting():
    meeting = MeetingFactory(location="Leeds")
    AttendanceFactory(meeting=meeting, role="Deputy Prime Minister")
    AgendaItemFactory(meeting=meeting, title="Devolution")
    return meeting


def change_url(meeting):
    return f"/admin/forums/meeting/{meeting.pk}/change/"


def edit_first_attendance_role(client, meeting, role, **extra):
    data = flat(form_data(client.get(change_url(meeting))))
    [key] = [k for k in data if k.endswith("-0-role") and k.startswith("attendance")]
    data[key] = role
    data.update(extra)
    return client.post(change_url(meeting), data)


def test_row_only_change_without_a_reason_names_the_section_of_the_field(publisher_client, meeting):
    response = edit_first_attendance_role(publisher_client, meeting, "Chair")
    assert response.status_code == 200
    page = response.content.decode()
    assert "“Record of this change”" in page
    assert "foot of the page" not in page  # the field is above the rows, not at the foot


def test_record_change_without_a_reason_names_the_section_too(publisher_client, meeting):
    data = flat(form_data(publisher_client.get(change_url(meeting))))
    data["location"] = "York"
    response = publisher_client.post(change_url(meeting), data)
    assert response.status_code == 200
    assert "“Record of this change”" in response.content.decode()


def test_meeting_history_lists_changes_to_its_rows(publisher_client, meeting):
    response = edit_first_attendance_role(
        publisher_client, meeting, "Chair", change_reason="Role corrected from the minutes."
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    page = publisher_client.get(f"/admin/forums/meeting/{meeting.pk}/history/")
    assert page.status_code == 200
    text = page.content.decode()
    rows = text[text.index('id="row-history"') :]
    assert "Role corrected from the minutes." in rows
    assert "<strong>role:</strong> Deputy Prime Minister &rarr; Chair" in rows
    assert "Agenda item: " in rows and ". Devolution" in rows  # its creation is listed too


def test_meeting_history_of_rows_is_read_only_for_a_viewer(viewer_client, meeting):
    page = viewer_client.get(f"/admin/forums/meeting/{meeting.pk}/history/")
    assert page.status_code == 200
    assert 'id="row-history"' in page.content.decode()
