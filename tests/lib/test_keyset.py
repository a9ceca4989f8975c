"""igr.lib.keyset: the ordering it resolves, walking a list by position in both
directions (with ties and NULLs), and its signed cursors."""

import datetime
import itertools

import pytest
from django.core import signing

from forums.models import Attendance, Commitment, Document, Meeting
from igr.lib.keyset import SALT, InvalidCursor, Keyset, UnsupportedOrdering, read_page
from tests.factories import (
    AttendanceFactory,
    CommitmentFactory,
    DocumentFactory,
    ForumFactory,
    MeetingFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 3, 1)


@pytest.fixture
def world():
    forum = ForumFactory(slug="f")
    # Three meetings on one day (ties on date), two on another.
    meetings = [MeetingFactory(forum=forum, date=DAY) for _ in range(3)]
    meetings += [
        MeetingFactory(forum=forum, date=DAY + datetime.timedelta(days=1)) for _ in range(2)
    ]
    people = [PersonFactory(name=name) for name in ("Ann", "Ann", "Bob")]
    for meeting, person in itertools.product(meetings[:3], people):
        AttendanceFactory(meeting=meeting, person=person)
    dues = [None, DAY, DAY, None, DAY + datetime.timedelta(days=9), None, DAY]
    for index, due in enumerate(dues):
        CommitmentFactory(meeting=meetings[index % 5], due_on=due)
    for published in (None, DAY, None, DAY):
        DocumentFactory(meeting=meetings[0], published_on=published, title="Same")
    return meetings


QUERYSETS = {
    "meetings": lambda: Meeting.objects.all(),
    "meetings by date": lambda: Meeting.objects.order_by("date"),
    "commitments": lambda: Commitment.objects.all(),
    "commitments by due_on": lambda: Commitment.objects.order_by("due_on"),
    "commitments by -due_on": lambda: Commitment.objects.order_by("-due_on"),
    "attendance": lambda: Attendance.objects.all(),
    "attendance by -date": lambda: Attendance.objects.order_by("-meeting__date"),
    "documents": lambda: Document.objects.all(),
}


def test_resolves_orderings_as_django_does_and_makes_them_total():
    nulls = "$" if Keyset(Commitment.objects.all()).columns[0].nulls_first is False else "^"
    assert Keyset(Meeting.objects.all()).key == "-date,slug"  # slug is unique
    assert Keyset(Meeting.objects.order_by("date")).key == "date,pk"
    assert Keyset(Commitment.objects.all()).key == f"-made_on{nulls},id"
    # A relation orders by its model's ordering: Attendance ["meeting", "person__name"].
    assert Keyset(Attendance.objects.all()).key == "-meeting__date,meeting__slug,person__name,pk"
    with pytest.raises(UnsupportedOrdering):
        Keyset(Meeting.objects.order_by("?"))


def positions(keyset, queryset):
    return [keyset.position(row) for row in queryset.values(*keyset.paths)]


@pytest.mark.parametrize("name", QUERYSETS)
def test_keyset_order_is_djangos_order(world, name):
    queryset = QUERYSETS[name]()
    keyset = Keyset(queryset)
    leading = len(keyset.columns) - 1  # Django's own order leaves the tiebreak open
    django = [p[:leading] for p in positions(keyset, queryset)]
    ours = [p[:leading] for p in positions(keyset, keyset.ordered(queryset))]
    assert ours == django


def walk(keyset, queryset, size, forward=True):
    seen, position = [], None
    while True:
        page = []
        for segment in keyset.segments(queryset, position, forward):
            page += positions(keyset, segment[: size - len(page)])
            if len(page) == size:
                break
        seen += page
        if len(page) < size:
            return seen
        position = page[-1]


@pytest.mark.parametrize("name", QUERYSETS)
@pytest.mark.parametrize("size", [1, 2, 4])
def test_walking_by_position_reads_every_row_once_in_order(world, name, size):
    queryset = QUERYSETS[name]()
    keyset = Keyset(queryset)
    everything = positions(keyset, keyset.ordered(queryset))
    assert len(set(everything)) == len(everything) == queryset.count()
    assert walk(keyset, queryset, size) == everything
    assert walk(keyset, queryset, size, forward=False) == everything[::-1]
    # The single-query form gives the same rows.
    for index, position in enumerate(everything):
        assert positions(keyset, keyset.after(queryset, position)) == everything[index + 1 :]
        assert positions(keyset, keyset.before(queryset, position)) == everything[:index][::-1]
        assert (
            positions(keyset, keyset.after(queryset, position, inclusive=True))
            == (everything[index:])
        )


def test_cursor_round_trips_and_refuses_tampering_and_other_orderings(world):
    keyset = Keyset(Commitment.objects.order_by("due_on"))
    position = (DAY, 7)
    token = keyset.encode(position, forward=False)
    assert keyset.decode(token) == (position, False, False)
    assert keyset.decode(keyset.encode((None, 3))) == ((None, 3), True, False)
    with pytest.raises(InvalidCursor, match="altered"):
        keyset.decode(token[:-2] + ("A" if token[-1] != "A" else "B") + token[-1])
    with pytest.raises(InvalidCursor, match="altered"):
        keyset.decode("not a cursor")
    with pytest.raises(InvalidCursor, match="another ordering"):
        Keyset(Commitment.objects.order_by("-due_on")).decode(token)
    with pytest.raises(InvalidCursor, match="another ordering"):
        Keyset(Meeting.objects.all()).decode(token)
    # Signed by us but malformed inside: still a clean InvalidCursor.
    forged = signing.dumps(
        {"o": keyset.fingerprint, "d": "n", "v": ["not a date", 1]}, salt=SALT, compress=True
    )
    with pytest.raises(InvalidCursor):
        keyset.decode(forged)


@pytest.mark.parametrize("name", QUERYSETS)
def test_read_page_walks_by_cursor_both_ways(world, name):
    queryset = QUERYSETS[name]()
    keyset = Keyset(queryset)
    everything = list(keyset.ordered(queryset).values_list("pk", flat=True))
    pages, cursor = [], None
    while True:
        page = read_page(queryset, 2, cursor)
        assert [row.pk for row in page.rows(queryset)] == page.pks
        pages.append(page)
        if page.next is None:
            break
        cursor = page.next
    assert [pk for page in pages for pk in page.pks] == everything
    assert pages[0].previous is None
    # Back from the last page by `previous` gives the same pages.
    back, cursor = [pages[-1].pks], pages[-1].previous
    while cursor is not None:
        page = read_page(queryset, 2, cursor)
        back.append(page.pks)
        cursor = page.previous
    assert back[::-1] == [page.pks for page in pages]


def test_empty_page_leads_back_to_the_rows_before_it(world):
    queryset = Meeting.objects.all()
    keyset = Keyset(queryset)
    last = keyset.position(keyset.ordered(queryset).last())
    page = read_page(queryset, 2, keyset.encode(last))
    assert page.pks == [] and page.next is None
    back = read_page(queryset, 2, page.previous)
    assert back.pks == list(keyset.ordered(queryset).values_list("pk", flat=True))[-2:]
