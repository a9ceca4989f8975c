"""Writes: staff tokens under the admin's model permissions, publishing behind publish_*,
status changes only through the service, history with its author, and validation that
answers 400 naming the field, never 500."""

import json

import pytest

from authorities.models import Authority
from forums.models import Commitment, Forum, Meeting
from igr.policy import withdraw
from tests.factories import CommitmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(request):
    """The shared cast from tests/conftest.py (editor, publisher, viewer, outsider): staff
    in the real Editor, Publisher and Viewer groups, so these are the roles' own rights."""
    return request.getfixturevalue


def payloads(w):
    """A valid new record for each list, built on the world."""
    return {
        "authorities": {"name": "New CA", "slug": "new-ca", "kind": "mca"},
        "councils": {"authority": w.authorities[0].slug, "name": "New Borough"},
        "parties": {"name": "New Party", "slug": "new-party"},
        "people": {"name": "New Person", "slug": "new-person"},
        "offices": {
            "person": w.people[0].slug,
            "authority": w.authorities[1].slug,
            "title": "Leader",
            "started_on": "2024-01-01",
        },
        "forums": {"name": "New Forum", "slug": "new-forum"},
        "meetings": {"forum": w.forum.slug, "date": "2025-03-01", "status": "held"},
        "attendance": {"meeting": w.meetings[1].slug, "person": w.people[0].slug},
        "agenda-items": {
            "meeting": w.meetings[1].slug,
            "order": 9,
            "title": "Item",
            "recommendations": [w.recs[0].slug],
        },
        "documents": {"meeting": w.meetings[1].slug, "kind": "minutes", "title": "Minutes"},
        "commitments": {
            "meeting": w.meetings[1].slug,
            "title": "Meet again",
            "text": "They agreed to meet again.",
            "recommendations": [r.slug for r in w.recs],
        },
        "commitment-status-changes": {
            "commitment": w.commitments[0].pk,
            "new_status": "delivered",
            "effective_on": "2025-07-01",
            "note": "Delivered, says the minister.",
            "evidence_source": w.sources[0].pk,
        },
        "recommendations": {
            "report": w.recs[0].report.slug,
            "number": 9,
            "slug": "new-rec",
            "title": "T",
            "summary": "S",
        },
        "sources": {"source_url": "https://example.org/x", "title": "X", "kind": "official"},
    }


LISTS = [
    "authorities",
    "councils",
    "parties",
    "people",
    "offices",
    "forums",
    "meetings",
    "attendance",
    "agenda-items",
    "documents",
    "commitments",
    "commitment-status-changes",
    "recommendations",
    "sources",
]


#: Lists whose new rows hang off a published record of the world (an authority's
#: council, a published meeting's attendance, agenda items and documents): adding one
#: changes that published record, so it needs a Publisher and a reason (igr.policy).
ROWS_OF_PUBLISHED = {"councils", "attendance", "agenda-items", "documents"}


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    "who,expected",
    [("anonymous", 401), ("outsider", 403), ("viewer", 403), ("editor", 201), ("publisher", 201)],
)
def test_create_permission_matrix(cast, world, token_client, api, path, who, expected):
    client = api if who == "anonymous" else token_client(cast(who))
    payload = payloads(world)[path]
    if path in ROWS_OF_PUBLISHED:
        payload["change_reason"] = "Adding what the minutes record."
        if who == "editor":
            expected = 403
    response = client.post(f"/api/v1/{path}/", payload, format="json")
    assert response.status_code == expected, response.content


@pytest.mark.parametrize("path", sorted(ROWS_OF_PUBLISHED))
def test_a_row_of_a_published_record_needs_a_reason(world, token_client, publisher, path):
    response = token_client(publisher).post(
        f"/api/v1/{path}/", payloads(world)[path], format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == "change_reason"


@pytest.mark.parametrize(
    "who,expected",
    [("anonymous", 401), ("outsider", 403), ("viewer", 403), ("editor", 403), ("publisher", 200)],
)
def test_update_permission_matrix(cast, world, token_client, api, who, expected):
    """The meeting is published: an Editor's token is refused as the admin refuses the
    Editor's save (it was 200 through the API), and a Publisher gives a reason."""
    client = api if who == "anonymous" else token_client(cast(who))
    meeting = world.meetings[0]
    response = client.patch(
        f"/api/v1/meetings/{meeting.slug}/",
        {"location": "Leeds", "change_reason": "The minutes give the venue."},
        format="json",
    )
    assert response.status_code == expected, response.content
    meeting.refresh_from_db()
    assert (meeting.location == "Leeds") is (expected == 200)
    if expected == 200:
        latest = meeting.history.order_by("-history_date", "-history_id").first()
        assert latest.history_change_reason == "The minutes give the venue."


def test_an_editors_refusal_names_the_record_not_a_field(world, token_client, editor):
    meeting = world.meetings[0]
    response = token_client(editor).patch(
        f"/api/v1/meetings/{meeting.slug}/",
        {"location": "Leeds", "change_reason": "Venue"},
        format="json",
    )
    assert response.status_code == 403
    body = response.json()
    assert "only a Publisher can change it" in body["detail"]
    assert body["errors"][0]["field"] is None


def test_editor_changes_a_draft_through_the_api_without_a_reason(world, token_client, editor):
    draft = world.draft_meeting
    response = token_client(editor).patch(
        f"/api/v1/meetings/{draft.slug}/", {"location": "Hull"}, format="json"
    )
    assert response.status_code == 200, response.content
    draft.refresh_from_db()
    assert draft.location == "Hull"


def test_publisher_changing_a_published_record_without_a_reason_is_a_400(
    world, token_client, publisher
):
    meeting = world.meetings[0]
    response = token_client(publisher).patch(
        f"/api/v1/meetings/{meeting.slug}/", {"location": "Leeds"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "change_reason"
    meeting.refresh_from_db()
    assert meeting.location != "Leeds"


@pytest.mark.parametrize("state", ["published", "withdrawn"])
def test_nothing_goes_back_to_draft_through_the_api(world, token_client, publisher, state):
    """PATCH publication_state=draft on a published meeting answered 200 with no reason and
    no tombstone, and left its commitments public; now it is refused and nothing moves."""
    meeting = world.meetings[0]
    if state == "withdrawn":
        withdraw(meeting, by=None, reason="Duplicate")
    response = token_client(publisher).patch(
        f"/api/v1/meetings/{meeting.slug}/",
        {"publication_state": "draft", "change_reason": "Back to draft"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == "publication_state"
    meeting.refresh_from_db()
    assert meeting.publication_state == state


def test_editor_creates_drafts_but_only_a_publisher_publishes(cast, world, token_client):
    editor = cast("editor")
    publisher = cast("publisher")
    created = token_client(editor).post(
        "/api/v1/forums/", {"name": "Draft Forum", "slug": "draft-forum"}, format="json"
    )
    assert created.json()["publication_state"] == "draft"
    url = "/api/v1/forums/draft-forum/"

    refused = token_client(editor).patch(url, {"publication_state": "published"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["field"] == "publication_state"
    published_directly = token_client(editor).post(
        "/api/v1/forums/",
        {"name": "Sneaky", "slug": "sneaky", "publication_state": "published"},
        format="json",
    )
    assert published_directly.status_code == 403

    # Publishing goes through the same service as the admin: nothing without a source.
    unsourced = token_client(publisher).patch(
        url, {"publication_state": "published", "purpose": "Edited"}, format="json"
    )
    assert unsourced.status_code == 400
    assert unsourced.json()["errors"][0]["field"] == "sources"
    forum = Forum.objects.get(slug="draft-forum")
    assert forum.publication_state == "draft"
    assert forum.purpose == ""  # the refused request changed nothing

    done = token_client(publisher).patch(
        url,
        {"publication_state": "published", "sources": [world.sources[0].pk]},
        format="json",
    )
    assert done.status_code == 200, done.content
    assert done.json()["publication_state"] == "published"
    assert done.json()["published_at"] is not None
    assert api_anonymous_sees(url)


def api_anonymous_sees(url):
    from rest_framework.test import APIClient

    return APIClient().get(url).status_code == 200


def test_publishing_a_meeting_through_the_api_publishes_its_draft_commitments(
    cast, world, token_client
):
    meeting = world.draft_meeting
    meeting.sources.set(world.sources)
    commitment = CommitmentFactory(meeting=meeting, publication_state="draft", published_at=None)
    response = token_client(cast("publisher")).patch(
        f"/api/v1/meetings/{meeting.slug}/", {"publication_state": "published"}, format="json"
    )
    assert response.status_code == 200, response.content
    commitment.refresh_from_db()
    assert commitment.publication_state == "published"
    assert commitment.published_at is not None
    assert meeting.history.latest().history_user == cast("publisher")


def test_withdrawing_through_the_api_needs_a_reason_and_keeps_it(cast, world, token_client):
    meeting = world.meetings[1]
    url = f"/api/v1/meetings/{meeting.slug}/"
    client = token_client(cast("publisher"))
    refused = client.patch(url, {"publication_state": "withdrawn"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "withdrawal_reason"
    meeting.refresh_from_db()
    assert meeting.publication_state == "published"

    done = client.patch(
        url,
        {"publication_state": "withdrawn", "withdrawal_reason": "The date was wrong."},
        format="json",
    )
    assert done.status_code == 200, done.content
    assert "withdrawal_reason" not in done.json()  # asked for, never shown
    meeting.refresh_from_db()
    assert meeting.publication_state == "withdrawn"
    assert meeting.withdrawal_reason == "The date was wrong."
    # Its published commitment goes with it, so no public page cites a withdrawn meeting.
    world.commitments[1].refresh_from_db()
    assert world.commitments[1].publication_state == "withdrawn"
    assert not api_anonymous_sees(url)


def test_status_is_read_only_on_commitments(cast, world, token_client):
    publisher = cast("publisher")
    commitment = world.commitments[0]
    response = token_client(publisher).patch(
        f"/api/v1/commitments/{commitment.pk}/",
        {"status": "delivered", "change_reason": "Trying the status"},
        format="json",
    )
    assert response.status_code == 200
    commitment.refresh_from_db()
    assert commitment.status == "in_progress"


def test_status_changes_go_through_the_service_and_record_their_author(cast, world, token_client):
    editor = cast("editor")
    commitment = world.commitments[0]
    response = token_client(editor).post(
        "/api/v1/commitment-status-changes/",
        payloads(world)["commitment-status-changes"],
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["old_status"] == "in_progress"
    commitment.refresh_from_db()
    assert commitment.status == "delivered"
    assert commitment.status_changed_on.isoformat() == "2025-07-01"
    change = commitment.status_changes.latest()
    assert change.recorded_by == editor
    assert change.history.get().history_user == editor
    assert commitment.history.latest().history_user == editor


def test_a_back_dated_status_change_is_a_400_naming_effective_on(cast, world, token_client):
    editor = cast("editor")
    data = {**payloads(world)["commitment-status-changes"], "effective_on": "2020-01-01"}
    response = token_client(editor).post("/api/v1/commitment-status-changes/", data, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "effective_on"


def test_status_changes_cannot_be_edited(cast, world, token_client):
    publisher = cast("publisher")
    change = world.changes[0]
    response = token_client(publisher).patch(
        f"/api/v1/commitment-status-changes/{change.pk}/", {"note": "Rewritten."}, format="json"
    )
    assert response.status_code == 405


def test_token_writes_land_in_history_with_their_author(cast, world, token_client):
    editor = cast("editor")
    authority = world.draft_authority
    token_client(editor).patch(
        f"/api/v1/authorities/{authority.slug}/", {"notes": "Checked."}, format="json"
    )
    record = Authority.history.filter(id=authority.pk).latest()
    assert record.notes == "Checked."
    assert record.history_user == editor


def test_a_publishers_change_to_a_published_record_keeps_its_reason(cast, world, token_client):
    publisher = cast("publisher")
    authority = world.authorities[0]
    response = token_client(publisher).patch(
        f"/api/v1/authorities/{authority.slug}/",
        {"notes": "Checked.", "change_reason": "Checked against the order"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert "change_reason" not in response.json()  # taken, never shown
    record = Authority.history.filter(id=authority.pk).latest()
    assert (record.notes, record.history_user) == ("Checked.", publisher)
    assert record.history_change_reason == "Checked against the order"


# --- validation ----------------------------------------------------------------------


def _field_error(response, field):
    assert response.status_code == 400, response.content
    assert field in [e["field"] for e in response.json()["errors"]], response.json()


@pytest.mark.parametrize(
    "path,change,field",
    [
        ("meetings", {"date": "2999-01-01", "status": "held"}, "date"),
        ("meetings", {"status": "cancelled"}, "status_reason"),
        ("meetings", {"date": "2025-02-30"}, "date"),
        ("meetings", {"status": "adjourned"}, "status"),
        ("meetings", {"forum": "no-such-forum"}, "forum"),
        ("meetings", {"location": "x" * 10_000}, "location"),
        ("meetings", {"location": "nul\x00byte"}, "location"),
        ("forums", {"promised_meetings_per_year": 2**70}, "promised_meetings_per_year"),
        ("forums", {"promised_meetings_per_year": -1}, "promised_meetings_per_year"),
        ("forums", {"promised_meetings_per_year": 4}, None),  # needs its source
        ("authorities", {"population": 2**70, "population_year": 2024}, "population"),
        ("authorities", {"population": 1000}, None),  # needs its year
        ("authorities", {"gss_code": "nonsense"}, "gss_code"),
        ("sources", {"source_url": "not a url"}, "source_url"),
        ("commitments", {"restates": 10**30}, "restates"),
        ("attendance", {"mode": "substitute"}, None),  # must say for whom
    ],
)
def test_invalid_values_are_400s_naming_the_field(cast, world, token_client, path, change, field):
    publisher = cast("publisher")
    data = {**payloads(world)[path], **change}
    response = token_client(publisher).post(f"/api/v1/{path}/", data, format="json")
    _field_error(response, field)


def test_a_second_attendance_for_the_same_person_is_a_400(cast, world, token_client):
    first = world.attendance[0]
    data = {"meeting": first.meeting.slug, "person": first.person.slug, "change_reason": "Add"}
    response = token_client(cast("publisher")).post("/api/v1/attendance/", data, format="json")
    _field_error(response, None)


def test_overlapping_offices_are_refused_like_the_admin_does(cast, world, token_client):
    editor = cast("editor")
    office = world.offices[0]
    data = {
        "person": world.people[1].slug,
        "authority": office.authority.slug,
        "title": office.title,
        "started_on": "2023-01-01",
    }
    response = token_client(editor).post("/api/v1/offices/", data, format="json")
    _field_error(response, None)
    assert "cannot hold it on the same day" in response.json()["detail"]


@pytest.mark.parametrize("body", ['{"title": ', "[1, 2]", '"just a string"', "\x00"])
def test_malformed_json_is_a_400(cast, world, token_client, body):
    editor = cast("editor")
    response = token_client(editor).post(
        "/api/v1/sources/", data=body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]


def test_meeting_slug_is_assigned_and_not_writable(cast, world, token_client):
    editor = cast("editor")
    data = {**payloads(world)["meetings"], "slug": "my-own-slug"}
    response = token_client(editor).post("/api/v1/meetings/", data, format="json")
    assert response.status_code == 201
    assert response.json()["slug"] == f"{world.forum.slug}-2025-03-01"
    assert Meeting.objects.filter(slug="my-own-slug").count() == 0


def test_many_to_many_fields_are_written(cast, world, token_client):
    editor = cast("editor")
    response = token_client(editor).post(
        "/api/v1/commitments/", payloads(world)["commitments"], format="json"
    )
    commitment = Commitment.objects.get(pk=response.json()["id"])
    assert set(commitment.recommendations.all()) == set(world.recs)
    assert json.loads(response.content)["recommendations"] == sorted(r.slug for r in world.recs)
