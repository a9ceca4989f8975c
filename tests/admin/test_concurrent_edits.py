"""No lost edits: a save from a form opened before someone else's save is refused, and
the user's input stays on the form."""

import pytest

from tests.admin.conftest import flat, form_data
from tests.factories import AgendaItemFactory, AuthorityFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def test_the_second_save_of_a_stale_form_is_refused_and_keeps_its_input(
    editor_client, publisher_client, meeting_world
):
    meeting = MeetingFactory(forum=meeting_world.forum, publication_state="draft", location="")
    url = f"/admin/forums/meeting/{meeting.pk}/change/"
    first = flat(form_data(editor_client.get(url)))
    second = flat(form_data(publisher_client.get(url)))

    assert editor_client.post(url, {**first, "location": "Leeds"}).status_code == 302
    refused = publisher_client.post(url, {**second, "location": "Rotherham Civic Centre"})

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "was changed by editor" in page
    assert "Nothing was saved" in page
    assert 'value="Rotherham Civic Centre"' in page
    meeting.refresh_from_db()
    assert meeting.location == "Leeds"

    # Having read the message, saving the form again is a deliberate choice.
    again = publisher_client.post(url, flat(form_data(refused)))
    assert again.status_code == 302
    meeting.refresh_from_db()
    assert meeting.location == "Rotherham Civic Centre"


def test_a_row_changed_elsewhere_is_not_overwritten_from_the_meeting_page(
    editor_client, meeting_world
):
    meeting = MeetingFactory(forum=meeting_world.forum, publication_state="draft")
    item = AgendaItemFactory(meeting=meeting, order=1, title="Devolution")
    meeting_url = f"/admin/forums/meeting/{meeting.pk}/change/"
    item_url = f"/admin/forums/agendaitem/{item.pk}/change/"
    on_meeting_page = flat(form_data(editor_client.get(meeting_url)))

    item_form = flat(form_data(editor_client.get(item_url)))
    assert editor_client.post(item_url, {**item_form, "title": "Growth"}).status_code == 302
    refused = editor_client.post(
        meeting_url, {**on_meeting_page, "agenda_items-0-title": "Devolution and growth"}
    )

    assert refused.status_code == 200
    assert "This row was changed by editor" in refused.content.decode()
    item.refresh_from_db()
    assert item.title == "Growth"


def test_a_form_without_its_version_is_refused(editor_client):
    authority = AuthorityFactory(publication_state="draft", notes="")
    url = f"/admin/authorities/authority/{authority.pk}/change/"
    data = flat(form_data(editor_client.get(url)))
    data.pop("version")

    response = editor_client.post(url, {**data, "notes": "Checked."})

    assert response.status_code == 200
    authority.refresh_from_db()
    assert authority.notes == ""
