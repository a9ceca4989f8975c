"""Each filter of each list, over HTTP: the API filters with the shared FilterSets, so
these check the wiring and that every documented parameter narrows the list as named."""

import datetime

import pytest
from django.utils import timezone

from authorities.models import Authority
from forums.models import Meeting
from tests import factories as f

pytestmark = pytest.mark.django_db


def _keys(rows):
    return {str(r.get("slug") or r["id"]) for r in rows}


def _k(*records):
    return {str(getattr(r, "slug", None) or r.pk) for r in records}


# Each case: (list path, filter name, setup(world) -> (params, included, excluded)).
CASES = [
    (
        "authorities",
        "kind",
        lambda w: ({"kind": "gla"}, _k(f.AuthorityFactory(kind="gla")), _k(*w.authorities)),
    ),
    (
        "authorities",
        "devolution_tier",
        lambda w: (
            {"devolution_tier": "foundation"},
            _k(f.AuthorityFactory(devolution_tier="foundation")),
            _k(*w.authorities),
        ),
    ),
    (
        "authorities",
        "mayoral",
        lambda w: (
            {"mayoral": "false"},
            _k(f.AuthorityFactory(kind="uk_government")),
            _k(*w.authorities),
        ),
    ),
    (
        "authorities",
        "forum",
        lambda w: ({"forum": w.forum.slug}, _k(*w.authorities), _k(f.AuthorityFactory())),
    ),
    (
        "authorities",
        "existing",
        lambda w: (
            {"existing": "true"},
            _k(*w.authorities),
            _k(f.AuthorityFactory(abolished_on=datetime.date(2020, 1, 1))),
        ),
    ),
    (
        "authorities",
        "q",
        lambda w: ({"q": w.authorities[0].name}, _k(w.authorities[0]), _k(w.authorities[1])),
    ),
    (
        "councils",
        "authority",
        lambda w: (
            {"authority": w.authorities[0].slug},
            _k(*w.authorities[0].councils.all()),
            _k(*w.authorities[1].councils.all()),
        ),
    ),
    ("parties", "q", lambda w: ({"q": w.parties[0].name}, _k(w.parties[0]), _k(w.parties[1]))),
    (
        "people",
        "authority",
        lambda w: ({"authority": w.authorities[0].slug}, _k(w.people[0]), _k(w.people[1])),
    ),
    ("people", "party", lambda w: ({"party": w.parties[1].slug}, _k(w.people[1]), _k(w.people[0]))),
    (
        "offices",
        "authority",
        lambda w: ({"authority": w.authorities[0].slug}, _k(w.offices[0]), _k(w.offices[1])),
    ),
    (
        "offices",
        "person",
        lambda w: ({"person": w.people[1].slug}, _k(w.offices[1]), _k(w.offices[0])),
    ),
    (
        "offices",
        "party",
        lambda w: ({"party": w.parties[0].slug}, _k(w.offices[0]), _k(w.offices[1])),
    ),
    (
        "offices",
        "title",
        lambda w: ({"title": "leader"}, _k(f.OfficeFactory(title="Leader")), _k(*w.offices)),
    ),
    (
        "offices",
        "started",
        lambda w: (
            {"started_after": "2022-01-01"},
            _k(f.OfficeFactory(started_on=datetime.date(2023, 1, 1))),
            _k(*w.offices),
        ),
    ),
    (
        "offices",
        "held_on",
        lambda w: (
            {"held_on": "2021-01-01"},
            _k(
                f.OfficeFactory(
                    started_on=datetime.date(2020, 1, 1), ended_on=datetime.date(2021, 6, 1)
                )
            ),
            _k(*w.offices),
        ),
    ),
    (
        "offices",
        "current",
        lambda w: (
            {"current": "false"},
            _k(
                f.OfficeFactory(
                    started_on=datetime.date(2020, 1, 1), ended_on=datetime.date(2021, 1, 1)
                )
            ),
            _k(*w.offices),
        ),
    ),
    (
        "forums",
        "is_statutory",
        lambda w: ({"is_statutory": "true"}, _k(f.ForumFactory(is_statutory=True)), _k(*w.forums)),
    ),
    (
        "forums",
        "member",
        lambda w: ({"member": w.authorities[0].slug}, _k(*w.forums), _k(f.ForumFactory())),
    ),
    (
        "meetings",
        "forum",
        lambda w: ({"forum": w.forum.slug}, _k(*w.meetings), _k(f.MeetingFactory())),
    ),
    (
        "meetings",
        "status",
        lambda w: (
            {"status": "scheduled"},
            _k(f.MeetingFactory(status="scheduled", date=datetime.date(2030, 1, 1))),
            _k(*w.meetings),
        ),
    ),
    (
        "meetings",
        "date",
        lambda w: (
            {"date_after": "2025-02-01", "date_before": "2025-12-31"},
            _k(w.meetings[1]),
            _k(w.meetings[0]),
        ),
    ),
    (
        "meetings",
        "authority",
        lambda w: ({"authority": w.authorities[0].slug}, _k(w.meetings[0]), _k(w.meetings[1])),
    ),
    (
        "meetings",
        "person",
        lambda w: ({"person": w.people[0].slug}, _k(w.meetings[0]), _k(w.meetings[1])),
    ),
    (
        "meetings",
        "recommendation",
        lambda w: ({"recommendation": w.recs[0].slug}, _k(*w.meetings), _k(f.MeetingFactory())),
    ),
    (
        "meetings",
        "date_confirmed",
        lambda w: (
            {"date_confirmed": "false"},
            _k(f.MeetingFactory(date_confirmed=False)),
            _k(*w.meetings),
        ),
    ),
    (
        "meetings",
        "occurrence_confirmed",
        lambda w: (
            {"occurrence_confirmed": "false"},
            _k(f.MeetingFactory(occurrence_confirmed=False)),
            _k(*w.meetings),
        ),
    ),
    (
        "meetings",
        "attendance_recorded",
        lambda w: (
            {"attendance_recorded": "true"},
            _k(f.MeetingFactory(attendance_recorded=True)),
            _k(*w.meetings),
        ),
    ),
    (
        "meetings",
        "q",
        lambda w: (
            {"q": "Manchester"},
            _k(f.MeetingFactory(location="Manchester")),
            _k(*w.meetings),
        ),
    ),
    (
        "attendance",
        "meeting",
        lambda w: ({"meeting": w.meetings[0].slug}, _k(*w.attendance), _k(f.AttendanceFactory())),
    ),
    (
        "attendance",
        "forum",
        lambda w: ({"forum": w.forum.slug}, _k(*w.attendance), _k(f.AttendanceFactory())),
    ),
    (
        "attendance",
        "person",
        lambda w: ({"person": w.people[0].slug}, _k(w.attendance[0]), _k(w.attendance[1])),
    ),
    (
        "attendance",
        "authority",
        lambda w: ({"authority": w.authorities[1].slug}, _k(w.attendance[1]), _k(w.attendance[0])),
    ),
    (
        "attendance",
        "mode",
        lambda w: ({"mode": "virtual"}, _k(f.AttendanceFactory(mode="virtual")), _k(*w.attendance)),
    ),
    (
        "attendance",
        "date",
        lambda w: (
            {"date_before": "2024-12-31"},
            _k(f.AttendanceFactory(meeting=f.MeetingFactory(date=datetime.date(2024, 6, 1)))),
            _k(*w.attendance),
        ),
    ),
    (
        "attendance",
        "party",
        lambda w: ({"party": w.parties[0].slug}, _k(w.attendance[0]), _k(w.attendance[1])),
    ),
    (
        "agenda-items",
        "meeting",
        lambda w: ({"meeting": w.meetings[0].slug}, _k(*w.items), _k(f.AgendaItemFactory())),
    ),
    (
        "agenda-items",
        "forum",
        lambda w: ({"forum": w.forum.slug}, _k(*w.items), _k(f.AgendaItemFactory())),
    ),
    (
        "agenda-items",
        "recommendation",
        lambda w: ({"recommendation": w.recs[1].slug}, _k(*w.items), _k(f.AgendaItemFactory())),
    ),
    (
        "agenda-items",
        "is_public",
        lambda w: ({"is_public": "false"}, _k(f.AgendaItemFactory(is_public=False)), _k(*w.items)),
    ),
    (
        "agenda-items",
        "date",
        lambda w: (
            {"date_after": "2025-01-23", "date_before": "2025-01-23"},
            _k(*w.items),
            _k(f.AgendaItemFactory(meeting=w.meetings[1])),
        ),
    ),
    (
        "documents",
        "kind",
        lambda w: ({"kind": "minutes"}, _k(f.DocumentFactory(kind="minutes")), _k(*w.documents)),
    ),
    (
        "documents",
        "meeting",
        lambda w: ({"meeting": w.meetings[0].slug}, _k(w.documents[0]), _k(w.documents[1])),
    ),
    (
        "documents",
        "forum",
        lambda w: ({"forum": w.forum.slug}, _k(*w.documents), _k(f.DocumentFactory())),
    ),
    (
        "documents",
        "published",
        lambda w: (
            {"published_after": "2025-01-01"},
            _k(f.DocumentFactory(published_on=datetime.date(2025, 2, 1))),
            _k(*w.documents),
        ),
    ),
    (
        "commitments",
        "status",
        lambda w: ({"status": "in_progress"}, _k(*w.commitments), _k(f.CommitmentFactory())),
    ),
    (
        "commitments",
        "forum",
        lambda w: ({"forum": w.forum.slug}, _k(*w.commitments), _k(f.CommitmentFactory())),
    ),
    (
        "commitments",
        "meeting",
        lambda w: ({"meeting": w.meetings[1].slug}, _k(w.commitments[1]), _k(w.commitments[0])),
    ),
    (
        "commitments",
        "lead_authority",
        lambda w: (
            {"lead_authority": w.authorities[0].slug},
            _k(w.commitments[0]),
            _k(w.commitments[1]),
        ),
    ),
    (
        "commitments",
        "authority",
        lambda w: (
            {"authority": w.authorities[1].slug},
            _k(*w.commitments),
            _k(f.CommitmentFactory()),
        ),
    ),
    (
        "commitments",
        "recommendation",
        lambda w: (
            {"recommendation": w.recs[0].slug},
            _k(*w.commitments),
            _k(f.CommitmentFactory()),
        ),
    ),
    (
        "commitments",
        "overdue",
        lambda w: (
            {"overdue": "true"},
            _k(f.CommitmentFactory(due_on=timezone.localdate() - datetime.timedelta(days=1))),
            _k(*w.commitments),
        ),
    ),
    (
        "commitments",
        "due",
        lambda w: (
            {"due_before": "2026-01-01"},
            _k(f.CommitmentFactory(due_on=datetime.date(2025, 12, 1))),
            _k(*w.commitments),
        ),
    ),
    (
        "commitments",
        "made",
        lambda w: (
            {"made_after": "2025-01-01"},
            _k(f.CommitmentFactory(made_on=datetime.date(2025, 3, 1))),
            _k(*w.commitments),
        ),
    ),
    (
        "commitment-status-changes",
        "commitment",
        lambda w: ({"commitment": w.commitments[0].pk}, _k(w.changes[0]), _k(w.changes[1])),
    ),
    (
        "commitment-status-changes",
        "new_status",
        lambda w: ({"new_status": "in_progress"}, _k(*w.changes), set()),
    ),
    (
        "commitment-status-changes",
        "effective",
        lambda w: ({"effective_after": "2025-07-01"}, set(), _k(*w.changes)),
    ),
    (
        "commitment-status-changes",
        "forum",
        lambda w: ({"forum": w.forum.slug}, _k(*w.changes), set()),
    ),
    (
        "recommendations",
        "report",
        lambda w: ({"report": w.recs[0].report.slug}, _k(w.recs[0]), _k(f.RecommendationFactory())),
    ),
    (
        "sources",
        "kind",
        lambda w: ({"kind": "news"}, _k(f.SourceFactory(kind="news")), _k(*w.sources)),
    ),
    (
        "sources",
        "published",
        lambda w: (
            {"published_before": "2024-12-31"},
            _k(f.SourceFactory(published_on=datetime.date(2024, 1, 1))),
            _k(*w.sources),
        ),
    ),
    (
        "sources",
        "verified",
        lambda w: (
            {"verified_after": "2025-01-01"},
            _k(f.SourceFactory(last_verified_on=datetime.date(2025, 6, 1))),
            _k(*w.sources),
        ),
    ),
    ("sources", "q", lambda w: ({"q": w.sources[0].title}, _k(w.sources[0]), _k(w.sources[1]))),
]


@pytest.mark.parametrize(
    "path,name,setup", CASES, ids=[f"{path}-{name}" for path, name, _ in CASES]
)
def test_each_filter_narrows_its_list(api, world, path, name, setup):
    params, included, excluded = setup(world)
    response = api.get(f"/api/v1/{path}/", {**params, "page_size": 200})
    assert response.status_code == 200, response.content
    found = _keys(response.json()["results"])
    assert included <= found
    assert not (excluded & found)


LISTS = sorted({path for path, _, _ in CASES} | {"agenda-items"})


@pytest.mark.parametrize("path", LISTS)
def test_every_list_takes_modified_since(api, world, path):
    later = (timezone.now() + datetime.timedelta(minutes=5)).isoformat()
    response = api.get(f"/api/v1/{path}/", {"modified_since": later})
    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert api.get(f"/api/v1/{path}/", {"modified_since": "2000-01-01T00:00:00Z"}).json()["count"]


def test_filters_never_reveal_drafts(api, world):
    rows = api.get("/api/v1/meetings/", {"forum": world.forum.slug}).json()["results"]
    assert world.draft_meeting.slug not in _keys(rows)
    assert Meeting.objects.filter(forum=world.forum).count() == 3
    assert Authority.objects.count() > 2


def _slug_error(client, path, params):
    response = client.get(path, params)
    assert response.status_code == 400, response.content
    (error,) = response.json()["errors"]
    assert error["code"] == "invalid_choice"
    return error


def test_an_unknown_slug_lists_the_valid_ones_and_never_a_draft(api, world, token_client, editor):
    error = _slug_error(api, "/api/v1/meetings/", {"forum": "no-such-forum"})
    assert error["field"] == "forum"
    assert error["message"].startswith("Select a valid choice.")
    public = sorted(f.slug for f in world.forums)
    assert error["message"].endswith(f"Valid values: {', '.join(public)}.")
    assert world.draft_forum.slug not in error["message"]
    # Staff, who may filter by a draft, are told its slug too.
    error = _slug_error(token_client(editor), "/api/v1/meetings/", {"forum": "no-such-forum"})
    assert world.draft_forum.slug in error["message"]


def test_an_aggregates_unknown_forum_lists_the_published_ones(api, world):
    response = api.get("/api/v1/scorecards/", {"forum": "no-such-forum"})
    assert response.status_code == 400, response.content
    (error,) = response.json()["errors"]
    assert (error["field"], error["code"]) == ("forum", "does_not_exist")
    public = sorted(f.slug for f in world.forums)
    assert error["message"] == (
        f"Object with slug=no-such-forum does not exist. Valid values: {', '.join(public)}."
    )
    # A draft forum is an unknown forum to the public, and is never named.
    response = api.get("/api/v1/forum-health/", {"forum": world.draft_forum.slug})
    (error,) = response.json()["errors"]
    assert error["code"] == "does_not_exist"
    assert error["message"].endswith(f"Valid values: {', '.join(public)}.")


def test_a_write_with_an_unknown_slug_lists_the_valid_ones(world, token_client, editor):
    meeting = world.draft_meeting
    response = token_client(editor).patch(
        f"/api/v1/meetings/{meeting.slug}/", {"forum": "no-such-forum"}, format="json"
    )
    assert response.status_code == 400, response.content
    (error,) = response.json()["errors"]
    assert (error["field"], error["code"]) == ("forum", "does_not_exist")
    assert error["message"].startswith("Object with slug=no-such-forum does not exist.")
    # Staff write drafts, so a draft forum is one of the slugs they are told of.
    assert world.draft_forum.slug in error["message"]
    assert world.forum.slug in error["message"]


def test_past_the_cap_an_unknown_slug_points_to_the_list_of_them(api, world, monkeypatch):
    monkeypatch.setattr("igr.filters.MAX_LISTED_SLUGS", 1)
    error = _slug_error(api, "/api/v1/commitments/", {"lead_authority": "nowhere"})
    assert error["message"].endswith(
        "The valid values are the slugs listed at /api/v1/authorities/."
    )


def test_two_filtersets_of_one_list_each_filter_by_their_own_values(world):
    """Each FilterSet works on its own copies of the list's filters (igr.filters
    _bound_copy): a method filter (`forum`) calls its own FilterSet, and the class's
    filters are never bound to an instance."""
    from django.http import QueryDict

    from forums.filters import CommitmentFilter
    from forums.models import Commitment

    first, second = world.forums[:2]
    mine = f.CommitmentFactory(forum=first, meeting=None)
    theirs = f.CommitmentFactory(forum=second, meeting=None)
    one = CommitmentFilter(QueryDict(f"forum={first.slug}"), queryset=Commitment.objects.all())
    two = CommitmentFilter(QueryDict(f"forum={second.slug}"), queryset=Commitment.objects.all())
    assert one.filters["forum"].parent is one and two.filters["forum"].parent is two
    assert not hasattr(CommitmentFilter.base_filters["forum"], "parent")
    assert mine in one.qs and theirs not in one.qs
    assert theirs in two.qs and mine not in two.qs


def test_a_list_filtered_by_some_parameters_still_names_every_one_it_takes(api, world):
    """The API's filter form holds only the fields of the parameters given; a misspelt one
    is still named against all of them, and a range given by one end still filters."""
    body = api.get("/api/v1/commitments/", {"status": "in_progress", "due_afer": "2020-01-01"})
    assert body.status_code == 400
    message = body.json()["detail"]
    for name in ("due_after", "made_before", "lead_authority", "overdue", "q", "ordering"):
        assert name in message
    later = api.get("/api/v1/commitments/", {"made_after": "2999-01-01"}).json()
    assert later["count"] == 0
    assert api.get("/api/v1/commitments/", {"made_after": "1900-01-01"}).json()["count"]
