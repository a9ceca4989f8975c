"""Public lists keep page numbers, and their Next and Previous links name the row they
continue from (?after=<slug or id>, ?before=...): a keyset page (igr.lib.keyset) costs the
same at any depth, and the URL stays readable."""

import csv
import datetime
import io
import re

import pytest

from forums.models import Commitment, Meeting
from tests.factories import CommitmentFactory, ForumFactory, MeetingFactory

pytestmark = pytest.mark.django_db

PAGE_SIZE = 25


def slugs(body):
    """The meetings the table lists, in order."""
    return re.findall(
        r'<td class="govuk-table__cell"><a class="govuk-link" href="/meetings/([^/"]+)/">', body
    )


def link(body, rel):
    found = re.search(rf'href="(\?[^"]*)" rel="{rel}"', body)
    return found and found.group(1).replace("&amp;", "&")


@pytest.fixture
def meetings(db):
    forum, other = ForumFactory(slug="alpha"), ForumFactory(slug="beta")
    # Three meetings a day: the slug breaks the date's ties.
    for n in range(60):
        MeetingFactory(forum=forum, date=datetime.date(2024, 1, 1) + datetime.timedelta(n // 3))
    MeetingFactory(forum=other)
    MeetingFactory(forum=forum, publication_state="draft", published_at=None, slug="secret")
    return list(Meeting.objects.published().for_forum(forum).values_list("slug", flat=True))


def test_next_from_page_one_lists_every_meeting_once_in_order_and_previous_goes_back(
    client, meetings
):
    query = "?forum=alpha"
    seen, pages = [], []
    while query:
        response = client.get("/meetings/" + query)
        assert response.status_code == 200
        body = response.content.decode()
        pages.append(slugs(body))
        seen += pages[-1]
        following = link(body, "next")
        if following:
            # The filters stay; the row is named by its slug.
            assert following.startswith("?forum=alpha&after=")
            assert following.endswith(pages[-1][-1])
        query = following
    assert seen == meetings  # 60 meetings, each once, in the list's order
    assert [len(p) for p in pages] == [25, 25, 10]
    # Back from the last page: Previous lists the page before it, then page 1.
    body = client.get("/meetings/", {"forum": "alpha", "after": pages[1][-1]}).content.decode()
    assert "Showing the 10 meetings listed just after" in body
    back = client.get("/meetings/" + link(body, "prev")).content.decode()
    assert slugs(back) == pages[1]
    first = client.get("/meetings/" + link(back, "prev")).content.decode()
    assert slugs(first) == pages[0]
    # Back at the start with page 1's rows: that page is known, and marked.
    assert 'aria-current="page">1<' in first
    assert link(first, "prev") is None


def test_a_keyset_page_says_which_row_it_follows_and_links_the_numbered_pages(client, meetings):
    boundary = Meeting.objects.get(slug=meetings[24])
    body = client.get("/meetings/", {"forum": "alpha", "after": boundary.slug}).content.decode()
    assert f"Showing the 25 meetings listed just after {boundary}." in body
    assert slugs(body) == meetings[25:50]
    # The page's number is not counted; the first and last are linked, none is current.
    assert "govuk-pagination__item--current" not in body
    assert 'href="?forum=alpha&amp;page=1"' in body
    assert 'href="?forum=alpha&amp;page=3"' in body


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/meetings/", {"after": "no-such-meeting"}),
        ("/meetings/", {"before": "x" * 500}),
        ("/meetings/", {"after": "secret"}),  # a draft is not in the list
        ("/meetings/", {"forum": "beta", "after": "PLACEHOLDER"}),  # not in this list
        ("/meetings/", {"after": "PLACEHOLDER", "before": "PLACEHOLDER"}),
        ("/meetings/", {"after": "PLACEHOLDER", "page": "2"}),
        ("/commitments/", {"after": "abc"}),
        ("/commitments/", {"after": "9" * 30}),  # past the id column's range
        ("/commitments/", {"before": "-1"}),
    ],
)
def test_a_changed_link_is_a_400_with_an_error_summary(client, meetings, url, params):
    CommitmentFactory()
    params = {k: meetings[0] if v == "PLACEHOLDER" else v for k, v in params.items()}
    response = client.get(url, params)
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem with the page link" in body
    assert "govuk-error-summary" in body
    assert "listed until the problem above is fixed." in body
    assert " matches.</p>" not in body
    assert "secret" not in slugs(body)


def test_commitments_continue_from_an_id(client, db):
    made = [CommitmentFactory(made_on=datetime.date(2024, 5, 1)) for _ in range(30)]
    order = list(Commitment.objects.published().values_list("pk", flat=True))
    assert sorted(order) == sorted(c.pk for c in made)
    body = client.get("/commitments/").content.decode()
    assert link(body, "next") == f"?after={order[24]}"
    body = client.get("/commitments/", {"after": order[24]}).content.decode()
    shown = [int(pk) for pk in re.findall(r'href="/commitments/(\d+)/"', body)]
    assert shown == order[25:]


def test_keyset_page_query_count_is_pinned(client, meetings, django_assert_num_queries):
    # The data fingerprint and the count (cached under it; counted here, the first
    # time); forums, authorities, recommendations (selects); the row named in the link;
    # the page's ids from the ordering's index; the page's rows with their joins.
    with django_assert_num_queries(8):
        response = client.get("/meetings/", {"after": meetings[24]})
    assert response.status_code == 200


def test_csv_reads_the_whole_list_by_keyset_in_its_order(client, meetings, monkeypatch):
    from igr import listing

    monkeypatch.setattr(listing, "CSV_CHUNK_ROWS", 7)  # 60 rows: 9 blocks, the last short
    response = client.get("/meetings/", {"forum": "alpha", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
    assert [r["slug"] for r in rows] == meetings
