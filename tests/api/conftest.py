"""Fixtures for the API tests: clients and a small published world with drafts beside it."""

import datetime

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from forums.services import record_status_change
from tests.factories import (
    AgendaItemFactory,
    AttendanceFactory,
    AuthorityFactory,
    CommitmentFactory,
    CouncilFactory,
    DocumentFactory,
    ForumFactory,
    ForumMembershipFactory,
    MeetingFactory,
    OfficeFactory,
    PartyFactory,
    PersonFactory,
    RecommendationFactory,
    SourceFactory,
)


@pytest.fixture(autouse=True)
def _fresh_throttle():
    # Throttle counts live in the cache; each test starts with a clean allowance.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def token_client():
    """An APIClient authenticating like an analyst's script: with a DRF token."""

    def make(user):
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


class World:
    """Two published records per list (each with two related rows, so an N+1 shows) and,
    beside them, records the public must not see."""


@pytest.fixture
def world(db):
    w = World()
    w.sources = [SourceFactory(), SourceFactory()]
    w.recs = [RecommendationFactory(), RecommendationFactory()]
    w.parties = [PartyFactory(), PartyFactory()]
    w.authorities = [AuthorityFactory(), AuthorityFactory()]
    for authority in w.authorities:
        authority.sources.set(w.sources)
        CouncilFactory(authority=authority)
    w.draft_authority = AuthorityFactory(publication_state="draft", published_at=None)
    w.draft_council = CouncilFactory(authority=w.draft_authority)

    w.forums = [ForumFactory(), ForumFactory()]
    w.forum = w.forums[0]
    for forum in w.forums:
        forum.sources.set(w.sources)
        for authority in w.authorities:
            ForumMembershipFactory(forum=forum, authority=authority)
    w.draft_forum = ForumFactory(publication_state="draft", published_at=None)

    w.people = [PersonFactory(), PersonFactory()]
    w.offices = [
        OfficeFactory(person=person, authority=authority, party=party)
        for person, authority, party in zip(w.people, w.authorities, w.parties, strict=True)
    ]
    for office in w.offices:
        office.sources.set(w.sources)
    w.hidden_person = PersonFactory()
    w.draft_office = OfficeFactory(
        person=w.hidden_person, publication_state="draft", published_at=None
    )

    w.meetings = [
        MeetingFactory(forum=w.forum, date=datetime.date(2025, 1, 23)),
        MeetingFactory(forum=w.forum, date=datetime.date(2025, 5, 23)),
    ]
    for meeting in w.meetings:
        meeting.sources.set(w.sources)
    w.draft_meeting = MeetingFactory(forum=w.forum, publication_state="draft", published_at=None)

    meeting = w.meetings[0]
    w.attendance = [
        AttendanceFactory(meeting=meeting, person=person, authority=authority)
        for person, authority in zip(w.people, w.authorities, strict=True)
    ]
    w.draft_attendance = AttendanceFactory(meeting=w.draft_meeting, person=w.hidden_person)
    w.items = [AgendaItemFactory(meeting=meeting, recommendations=w.recs) for _ in range(2)]
    w.draft_item = AgendaItemFactory(meeting=w.draft_meeting)
    w.documents = [DocumentFactory(meeting=meeting), DocumentFactory(meeting=w.meetings[1])]
    w.draft_document = DocumentFactory(meeting=w.draft_meeting)

    w.commitments = [
        CommitmentFactory(meeting=meeting, lead_authority=w.authorities[0], recommendations=w.recs),
        CommitmentFactory(
            meeting=w.meetings[1], lead_authority=w.authorities[1], recommendations=w.recs
        ),
    ]
    for commitment in w.commitments:
        commitment.other_authorities.set(w.authorities)
        commitment.sources.set(w.sources)
    w.draft_commitment = CommitmentFactory(
        meeting=meeting, publication_state="draft", published_at=None
    )
    w.changes = [
        record_status_change(
            commitment=commitment,
            new_status="in_progress",
            effective_on=datetime.date(2025, 6, 1),
            note="Work has started.",
            evidence_source=w.sources[0],
        )
        for commitment in [*w.commitments, w.draft_commitment]
    ]
    w.draft_change = w.changes.pop()
    return w
