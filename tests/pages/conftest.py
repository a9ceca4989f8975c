"""A small published world for the page and browser tests, with a draft of each kind
beside it."""

import datetime

import pytest

from forums.services import record_status_change
from tests.factories import (
    AgendaItemFactory,
    AttendanceFactory,
    AuthorityFactory,
    CommitmentFactory,
    DocumentFactory,
    ForumFactory,
    ForumMembershipFactory,
    MeetingFactory,
    OfficeFactory,
    PersonFactory,
    RecommendationFactory,
    SourceFactory,
)

DRAFT = {"publication_state": "draft", "published_at": None}


class World:
    pass


def build_world():
    w = World()
    w.source = SourceFactory()
    w.recs = [RecommendationFactory(), RecommendationFactory()]
    w.authorities = [
        AuthorityFactory(name="Greater Manchester Combined Authority", slug="greater-manchester"),
        AuthorityFactory(name="West Yorkshire Combined Authority", slug="west-yorkshire"),
    ]
    w.draft_authority = AuthorityFactory(name="Secret Draft Authority", **DRAFT)
    w.forum = ForumFactory(name="Mayoral Council", slug="mayoral-council")
    w.forum.sources.set([w.source])
    w.other_forum = ForumFactory(name="Council of the Nations and Regions", slug="cnr")
    w.draft_forum = ForumFactory(name="Secret Draft Forum", **DRAFT)
    for authority in w.authorities:
        ForumMembershipFactory(forum=w.forum, authority=authority)
    w.people = [
        PersonFactory(name="Andy Burnham", slug="andy-burnham"),
        PersonFactory(name="Tracy Brabin", slug="tracy-brabin"),
    ]
    for person, authority in zip(w.people, w.authorities, strict=True):
        OfficeFactory(person=person, authority=authority)
    w.meeting = MeetingFactory(
        forum=w.forum, date=datetime.date(2025, 1, 23), location="Leeds Civic Hall"
    )
    w.meeting.sources.set([w.source])
    w.other_meeting = MeetingFactory(forum=w.other_forum, date=datetime.date(2025, 5, 23))
    w.upcoming = MeetingFactory(
        forum=w.forum,
        date=datetime.date.today() + datetime.timedelta(days=30),
        status="scheduled",
    )
    w.draft_meeting = MeetingFactory(forum=w.forum, summary="Secret draft meeting", **DRAFT)
    for person, authority in zip(w.people, w.authorities, strict=True):
        AttendanceFactory(meeting=w.meeting, person=person, authority=authority)
    AgendaItemFactory(meeting=w.meeting, title="Fiscal devolution", recommendations=[w.recs[0]])
    DocumentFactory(meeting=w.meeting, title="Communiqué of 23 January", text="We agreed.")
    w.commitment = CommitmentFactory(
        meeting=w.meeting,
        title="Publish a devolution framework",
        lead_authority=w.authorities[0],
        due_on=datetime.date(2025, 3, 1),
        recommendations=[w.recs[0]],
    )
    w.commitment.sources.set([w.source])
    w.other_commitment = CommitmentFactory(
        meeting=w.other_meeting, title="Meet twice a year", lead_authority=w.authorities[1]
    )
    w.draft_commitment = CommitmentFactory(
        meeting=w.meeting, title="Secret draft commitment", **DRAFT
    )
    w.change = record_status_change(
        commitment=w.other_commitment,
        new_status="delivered",
        effective_on=datetime.date(2025, 6, 1),
        note="The council met twice.",
        evidence_source=w.source,
    )
    w.draft_change = record_status_change(
        commitment=w.draft_commitment,
        new_status="missed",
        effective_on=datetime.date(2025, 6, 1),
        note="Secret draft change.",
        evidence_source=w.source,
    )
    return w


@pytest.fixture
def world(db):
    return build_world()
