"""The test worlds: the records the API, page, admin and production tests read, built in
one place so every suite that shares a world builds exactly the same records.

- `build_api_world()`: two published records per list (each with two related rows, so an
  N+1 shows) and, beside them, records the public must not see (tests/api).
- `build_page_world()`: a small published world with real-looking names and a draft of
  each kind (tests/pages, tests/browser, tests/production).
- `build_meeting_world()`: what an Editor logging the Mayoral Council needs already in
  the database (tests/admin).

`module_world(build)` makes the pair of fixtures that builds a world once per test module
(CONVENTIONS.md: worlds are built once per module where tests only read them). The world
is written inside a transaction that is rolled back when the module ends; each test runs
in its own savepoint inside it (pytest-django's `db`), so a test's writes still vanish
after it, and gets its own deep copy of the Python objects, as Django's setUpTestData
does, so an in-memory change (a save, a refresh_from_db) does not leak into the next test.
Tests that need committed rows (`transactional_db`, `live_server`: another connection
reads them, or the database is flushed) cannot share that transaction: they call the
builder themselves from a function-scoped fixture, and a guard in tests/conftest.py fails
one that would run while a module's world is open.
"""

import contextlib
import copy
import datetime
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction

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

DRAFT = {"publication_state": "draft", "published_at": None}


class World:
    """The records of one world, as attributes named for what tests do with them."""


@contextlib.contextmanager
def rolled_back_after_module(django_db_blocker):
    """A transaction that stays open while a module's tests run, each in a savepoint of
    its own, and is rolled back at the end. The database stays blocked in between, so a
    test that does not ask for it still cannot reach it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def module_world(build, *, name="world"):
    """Two fixtures: `_world_built` (module scope) builds the world once in a transaction
    rolled back at the module's end; `<name>` (per test) is a deep copy of it, inside the
    test's own savepoint, with an empty cache. Assign both in a conftest or test module
    (one world per directory, since the module-scoped one has a fixed name):

        _world_built, world = module_world(build_page_world)
    """

    @pytest.fixture(scope="module", name="_world_built")
    def built(django_db_setup, django_db_blocker):
        with rolled_back_after_module(django_db_blocker):
            with django_db_blocker.unblock():
                world = build()
            yield world

    # Named as an argument, so pytest opens the module's transaction before the test's
    # savepoint (higher scopes are set up first).
    @pytest.fixture(name=name)
    def per_test(_world_built, db):
        # Cached aggregates are keyed by a fingerprint of the data, which a rolled-back
        # write can give back; each test starts with nothing cached, as a fresh world did.
        cache.clear()
        return copy.deepcopy(_world_built)

    return built, per_test


def module_reference_data():
    """A module-scoped `reference_data` fixture: fixtures/*.json loaded once for the module
    through load_reference_data (as `make run` does) in a transaction rolled back at the
    module's end; it gives the command's output. Tests name `db` (or the django_db mark)
    as well, for their own savepoint."""

    @pytest.fixture(scope="module", name="reference_data")
    def reference_data(django_db_setup, django_db_blocker):
        with rolled_back_after_module(django_db_blocker):
            out = StringIO()
            with django_db_blocker.unblock():
                call_command("load_reference_data", stdout=out, stderr=out)
            yield out.getvalue()

    return reference_data


def build_api_world():
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

    # --- Visibility (issue 13): published records pointing at records the public must
    # not see, so every read test (the byte-for-byte parity tests too) covers the rule.
    w.commitments[1].lead_authority = w.draft_authority
    w.commitments[1].restates = w.draft_commitment
    w.commitments[1].save()
    w.commitments[1].other_authorities.add(w.draft_authority)
    w.meetings[1].host_authority = w.draft_authority
    w.meetings[1].chair = w.hidden_person
    w.meetings[1].save()
    ForumMembershipFactory(forum=w.forums[1], authority=w.draft_authority)
    w.linked_attendance = AttendanceFactory(
        meeting=meeting, authority=w.draft_authority, mode="apologies"
    )
    w.attendance[1].mode = "substitute"
    w.attendance[1].substitute_for = w.hidden_person
    w.attendance[1].save()
    w.linked_commitment = CommitmentFactory(meeting=w.draft_meeting, supersedes=w.draft_commitment)
    type(w.changes[1]).objects.filter(pk=w.changes[1].pk).update(evidence_meeting=w.draft_meeting)
    return w


def build_page_world():
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


def build_meeting_world():
    w = World()
    w.forum = ForumFactory(name="Mayoral Council", slug="mayoral-council")
    w.authorities = [
        AuthorityFactory(name="UK Government", slug="uk-government", kind="uk_government"),
        AuthorityFactory(name="South Yorkshire Mayoral Combined Authority", slug="sy"),
        AuthorityFactory(name="Greater Manchester Combined Authority", slug="gm"),
    ]
    w.people = [
        PersonFactory(name="Angela Rayner", slug="angela-rayner"),
        PersonFactory(name="Oliver Coppard", slug="oliver-coppard"),
        PersonFactory(name="Andy Burnham", slug="andy-burnham"),
    ]
    w.recs = [RecommendationFactory(), RecommendationFactory()]
    w.source = SourceFactory(
        url="https://www.thestar.co.uk/news/politics/mayoral-council-amrc",
        title="Mayors meet Deputy PM at the AMRC",
        kind="news",
    )
    w.date = datetime.date(2025, 1, 23)
    return w
