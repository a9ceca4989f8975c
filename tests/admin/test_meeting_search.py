"""Staff find a meeting in the admin by the date they see on it (staff audit B6): the
meeting pickers show "Mayoral Council — 20 November 2025", and typing "20 November",
"20/11/2025" or the whole label finds it, as its slug's 2025-11-20 always did."""

import datetime

import pytest

from tests.factories import ForumFactory, MeetingFactory

pytestmark = pytest.mark.django_db

PICKER = (
    "/admin/autocomplete/?app_label=forums&model_name=commitmentstatuschange"
    "&field_name=evidence_meeting&term="
)


@pytest.fixture
def meetings():
    mayoral = ForumFactory(name="Mayoral Council", slug="mayoral-council")
    other = ForumFactory(name="Council of the Nations and Regions", slug="cnr")
    return {
        "mayoral 2025": MeetingFactory(forum=mayoral, date=datetime.date(2025, 11, 20)),
        "mayoral 2024": MeetingFactory(forum=mayoral, date=datetime.date(2024, 11, 20)),
        "mayoral next day": MeetingFactory(forum=mayoral, date=datetime.date(2025, 11, 21)),
        "cnr 2025": MeetingFactory(forum=other, date=datetime.date(2025, 11, 20)),
    }


def picked(client, term):
    response = client.get(PICKER + term)
    assert response.status_code == 200, response.content
    return {int(row["id"]) for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("20 November 2025", {"mayoral 2025", "cnr 2025"}),
        ("20/11/2025", {"mayoral 2025", "cnr 2025"}),
        ("20/11/25", {"mayoral 2025", "cnr 2025"}),
        ("20th Nov", {"mayoral 2025", "mayoral 2024", "cnr 2025"}),
        ("Mayoral 20 November", {"mayoral 2025", "mayoral 2024"}),
        ("Mayoral Council — 20 November 2025", {"mayoral 2025"}),
        ("2025-11-21", {"mayoral next day"}),
        ("Mayoral", {"mayoral 2025", "mayoral 2024", "mayoral next day"}),
    ],
)
def test_the_meeting_picker_finds_a_meeting_by_its_shown_date(
    editor_client, meetings, term, expected
):
    assert picked(editor_client, term) == {meetings[name].pk for name in expected}


def test_an_impossible_date_is_searched_as_words(editor_client, meetings):
    assert picked(editor_client, "31/02/2025") == set()


def test_the_changelist_search_finds_it_too(editor_client, meetings):
    page = editor_client.get("/admin/forums/meeting/", {"q": "20/11/2025"}).content.decode()
    assert "2 results" in page
