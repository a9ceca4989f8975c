"""One visibility rule (igr.visibility): the public never learns of a draft through a
published record that points at it, a filter, a feed, a sitemap or a dataset release;
staff still see every draft. The world links a draft authority, a draft forum, a draft
meeting, a draft commitment and a person with nothing published from published records
(tests/api/conftest.py)."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from rest_framework import serializers
from rest_framework.throttling import AnonRateThrottle

from authorities.api.urls import ROUTES as AUTHORITY_ROUTES
from forums.api.urls import ROUTES as FORUM_ROUTES
from igr import visibility
from igr.api.serializers import PublicRelation
from igr.api.values import ValuesPlan, _Unsupported
from tests.factories import CommitmentFactory, MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _unthrottled(monkeypatch):
    # Some tests read every list twice, beyond the anonymous allowance per minute.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": None})


@pytest.fixture
def staff(django_user_model, token_client):
    user = django_user_model.objects.create_user("staffer", password="x" * 12, is_staff=True)
    return token_client(user)


def hidden_names(w):
    """Every slug and id by which a draft (or a person with nothing published) is named."""
    return {
        w.draft_authority.slug,
        w.draft_forum.slug,
        w.draft_meeting.slug,
        w.hidden_person.slug,
    }


def json_values(rows):
    """Every value in the rows, lists opened up."""
    values = set()
    for row in rows:
        for value in row.values():
            for item in value if isinstance(value, list) else [value]:
                values.add(item if isinstance(item, str | int) or item is None else str(item))
    return values


def csv_values(content):
    values = set()
    for row in csv.reader(io.StringIO(content.decode())):
        for cell in row:
            values.update(cell.split("; "))
    return values


def by_key(rows, key):
    return {row[key]: row for row in rows}


LINKED_LISTS = ["commitments", "meetings", "attendance", "forums", "commitment-status-changes"]


@pytest.mark.parametrize("path", LINKED_LISTS)
def test_anonymous_json_and_csv_never_name_a_draft(api, world, path):
    hidden = hidden_names(world)
    listed = api.get(f"/api/v1/{path}/?page_size=200")
    rows = listed.json()["results"]
    assert not hidden & json_values(rows)
    assert not hidden & csv_values(api.get(f"/api/v1/{path}/?page_size=200&format=csv").content)
    for row in rows:
        assert not hidden & json_values([api.get(row["url"]).json()])
        assert not hidden & csv_values(api.get(row["url"] + "?format=csv").content)


def test_anonymous_sees_null_or_nothing_where_a_record_points_at_a_draft(api, world):
    # Here, not in the world: tests/api/test_sync.py deletes the draft forum.
    by_draft_forum = CommitmentFactory(meeting=None, forum=world.draft_forum)
    commitments = by_key(api.get("/api/v1/commitments/?page_size=200").json()["results"], "id")
    led = commitments[world.commitments[1].pk]
    assert led["lead_authority"] is None
    assert led["other_authorities"] == [a.slug for a in sorted(world.authorities, key=str)]
    assert led["restates"] is None
    at_draft = commitments[world.linked_commitment.pk]
    assert at_draft["meeting"] is None and at_draft["supersedes"] is None
    assert commitments[by_draft_forum.pk]["forum"] is None

    meeting = api.get(f"/api/v1/meetings/{world.meetings[1].slug}/").json()
    assert meeting["host_authority"] is None and meeting["chair"] is None

    attendance = api.get(f"/api/v1/attendance/{world.linked_attendance.pk}/").json()
    assert attendance["authority"] is None
    attendance = api.get(f"/api/v1/attendance/{world.attendance[1].pk}/").json()
    assert attendance["substitute_for"] is None

    forum = api.get(f"/api/v1/forums/{world.forums[1].slug}/").json()
    assert sorted(forum["members"]) == sorted(a.slug for a in world.authorities)

    change = api.get(f"/api/v1/commitment-status-changes/{world.changes[1].pk}/").json()
    assert change["evidence_meeting"] is None


def test_staff_still_see_what_a_record_points_at(staff, world):
    commitment = staff.get(f"/api/v1/commitments/{world.commitments[1].pk}/").json()
    assert commitment["lead_authority"] == world.draft_authority.slug
    assert world.draft_authority.slug in commitment["other_authorities"]
    assert commitment["restates"] == world.draft_commitment.pk
    meeting = staff.get(f"/api/v1/meetings/{world.meetings[1].slug}/").json()
    assert meeting["host_authority"] == world.draft_authority.slug
    assert meeting["chair"] == world.hidden_person.slug
    attendance = staff.get(f"/api/v1/attendance/{world.attendance[1].pk}/?format=csv")
    assert world.hidden_person.slug in csv_values(attendance.content)
    attendance = staff.get(f"/api/v1/attendance/{world.linked_attendance.pk}/").json()
    assert attendance["authority"] == world.draft_authority.slug
    forum = staff.get(f"/api/v1/forums/{world.forums[1].slug}/").json()
    assert world.draft_authority.slug in forum["members"]
    change = staff.get(f"/api/v1/commitment-status-changes/{world.changes[1].pk}/").json()
    assert change["evidence_meeting"] == world.draft_meeting.slug


# (list, filter, the world's draft named by it)
DRAFT_FILTERS = [
    ("commitments", "lead_authority", "draft_authority"),
    ("commitments", "authority", "draft_authority"),
    ("commitments", "forum", "draft_forum"),
    ("commitments", "meeting", "draft_meeting"),
    ("meetings", "forum", "draft_forum"),
    ("meetings", "authority", "draft_authority"),
    ("meetings", "person", "hidden_person"),
    ("attendance", "meeting", "draft_meeting"),
    ("attendance", "authority", "draft_authority"),
    ("documents", "forum", "draft_forum"),
    ("forums", "member", "draft_authority"),
    ("authorities", "forum", "draft_forum"),
    ("councils", "authority", "draft_authority"),
    ("offices", "authority", "draft_authority"),
    ("people", "authority", "draft_authority"),
    ("commitment-status-changes", "forum", "draft_forum"),
]


@pytest.mark.parametrize(("path", "name", "draft"), DRAFT_FILTERS)
def test_a_drafts_slug_filters_like_an_unknown_slug_for_anonymous(api, world, path, name, draft):
    slug = getattr(world, draft).slug
    by_draft = api.get(f"/api/v1/{path}/", {name: slug})
    unknown = api.get(f"/api/v1/{path}/", {name: "no-such-slug"})
    assert unknown.status_code == 400
    assert (by_draft.status_code, by_draft.json()) == (400, unknown.json())


@pytest.mark.parametrize(("path", "name", "draft"), DRAFT_FILTERS)
def test_staff_filter_by_a_drafts_slug(staff, world, path, name, draft):
    response = staff.get(f"/api/v1/{path}/", {name: getattr(world, draft).slug})
    assert response.status_code == 200, response.content


def test_a_dataset_release_names_no_draft(world, settings, tmp_path):
    settings.RELEASES_DIR = tmp_path
    call_command("export_dataset", stdout=io.StringIO())
    (release,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    hidden = hidden_names(world)
    lists = {
        p.stem: json.loads(p.read_text()) for p in release.glob("*.json") if p.stem != "release"
    }
    for name, rows in lists.items():
        assert not hidden & json_values(rows), name
        assert not hidden & csv_values((release / f"{name}.csv").read_bytes()), name
    commitment = by_key(lists["commitments"], "id")[world.commitments[1].pk]
    assert commitment["lead_authority"] is None
    assert commitment["restates"] is None


def test_the_meetings_feed_does_not_name_a_draft_forum(client, world):
    MeetingFactory(forum=world.draft_forum)
    feed = client.get("/meetings/feed/").content.decode()
    assert f"<title>{world.draft_forum.name}," not in feed
    assert f"<title>{world.forum.name}," in feed


def test_the_sitemap_lists_no_draft(client, world):
    sitemap = client.get("/sitemap.xml").content.decode()
    for record in (world.draft_forum, world.draft_meeting, world.draft_authority):
        assert f"{record.get_absolute_url()}<" not in sitemap
    assert f"{world.hidden_person.get_absolute_url()}<" not in sitemap
    assert f"{world.meetings[1].get_absolute_url()}<" in sitemap


def test_every_relation_of_every_public_serializer_follows_the_rule():
    """A relation declared without the rule would show drafts on the DRF path while the
    values path hides them: each one must be a PublicRelation."""
    unguarded = []
    for prefix, viewset, _ in AUTHORITY_ROUTES + FORUM_ROUTES:
        for name, field in viewset.serializer_class().fields.items():
            if isinstance(field, serializers.ManyRelatedField):
                field = field.child_relation
            if isinstance(field, serializers.RelatedField) and not isinstance(
                field, PublicRelation | serializers.HyperlinkedIdentityField
            ):
                unguarded.append(f"{prefix}.{name}")
    assert unguarded == []


def test_the_values_plan_fails_closed_when_it_cannot_state_the_rule(monkeypatch):
    """A relation whose rule cannot go into the query makes the plan None, so that list
    reads through the serializer, which applies the rule, instead of leaking."""
    from forums.api.serializers import CommitmentSerializer
    from forums.models import Commitment

    def cannot(model, path):
        raise NotImplementedError

    monkeypatch.setattr(visibility, "related_condition", cannot)
    with pytest.raises(_Unsupported):
        ValuesPlan(CommitmentSerializer, Commitment)
