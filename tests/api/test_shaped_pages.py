"""An API list page is read by SQL compiled once per query shape (igr.api.shaped): the
page's ids and its count, with sentinel records in place of the request's. The answer
must be the one the usual read gives, for every client, filter and page, and must follow
writes as the usual read does."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection

from forums.api.views import CommitmentViewSet
from forums.models import Commitment
from igr import compiled
from tests.factories import CommitmentFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the shaped read is PostgreSQL's (the page's rows are read by id there)",
    ),
]


@pytest.fixture
def usual():
    """Turns compiled shapes off for the block, so the page is read the usual way."""

    class Switch:
        def __enter__(self):
            compiled.ENABLED = False

        def __exit__(self, *exc):
            compiled.ENABLED = True

    yield Switch()
    compiled.ENABLED = True


def page_shapes(view):
    return [
        key
        for key, shape in compiled._SHAPES.items()
        if key[1][0] == "api-page" and key[1][1] is view and shape is not compiled._UNCACHEABLE
    ]


def answer(client, path):
    cache.clear()  # the counts are cached; each read counts afresh
    response = client.get(path)
    return (
        response.status_code,
        response.content,
        response.get("Link"),
        response.get("X-Total-Count"),
        response.get("ETag"),
    )


def test_a_shaped_page_answers_as_the_usual_read(world, api, staff_api, usual):
    a, b = (authority.slug for authority in world.authorities)
    paths = [
        "/api/v1/commitments/",
        f"/api/v1/commitments/?lead_authority={a}",
        f"/api/v1/commitments/?lead_authority={b}&ordering=-due_on",
        f"/api/v1/commitments/?lead_authority={world.draft_authority.slug}",
        "/api/v1/commitments/?status=in_progress&status=delivered&ordering=made_on",
        "/api/v1/commitments/?status=in_progress&page_size=1&page=2",
        f"/api/v1/commitments/?meeting={world.meetings[0].slug}&ordering=-status",
        f"/api/v1/meetings/?forum={world.forum.slug}&ordering=date",
        "/api/v1/meetings/?page_size=1&page=2",
        "/api/v1/attendance/",
        "/api/v1/attendance/?page_size=1&page=2",
        "/api/v1/people/",
        "/api/v1/commitment-status-changes/?new_status=in_progress",
    ]
    for client in (api, staff_api):
        for path in paths:
            with usual:
                expected = answer(client, path)
            assert answer(client, path) == expected, path
            # A second time, from the shape compiled by the first.
            assert answer(client, path) == expected, path
            assert expected[0] in (200, 400), path
    assert page_shapes(CommitmentViewSet), "the commitments pages were read the usual way"


def test_two_authorities_and_every_page_share_one_shape_each_with_its_own_rows(world, api):
    a, b = world.authorities
    first = api.get(f"/api/v1/commitments/?lead_authority={a.slug}").json()
    shapes = page_shapes(CommitmentViewSet)
    second = api.get(f"/api/v1/commitments/?lead_authority={b.slug}").json()
    paged = api.get(f"/api/v1/commitments/?lead_authority={a.slug}&page_size=1&page=1").json()
    assert page_shapes(CommitmentViewSet) == shapes  # nothing compiled after the first
    assert [row["id"] for row in paged["results"]] == [first["results"][0]["id"]]
    for authority, body in ((a, first), (b, second)):
        expected = Commitment.objects.published().filter(lead_authority=authority)
        assert body["count"] == expected.count()
        assert {row["id"] for row in body["results"]} == set(expected.values_list("pk", flat=True))


def test_the_page_and_its_count_follow_a_write(world, api):
    authority = world.authorities[0]
    path = f"/api/v1/commitments/?lead_authority={authority.slug}&ordering=-made_on"
    before = api.get(path).json()
    added = CommitmentFactory(
        meeting=world.meetings[1], lead_authority=authority, made_on=datetime.date(2026, 11, 30)
    )
    after = api.get(path).json()
    assert after["count"] == before["count"] + 1
    assert after["results"][0]["id"] == added.pk


def test_the_public_and_staff_do_not_share_a_shape(world, api, staff_api):
    path = "/api/v1/commitments/?status=in_progress"
    staff = staff_api.get(path).json()
    public = api.get(path).json()
    assert world.draft_commitment.pk in {row["id"] for row in staff["results"]}
    assert world.draft_commitment.pk not in {row["id"] for row in public["results"]}
    assert staff["count"] == public["count"] + 1


def test_bad_parameters_are_refused_as_before(world, api, usual):
    paths = [
        "/api/v1/commitments/?lead_authority=no-such-authority",
        "/api/v1/commitments/?lead_authority=no-such-authority&page=abc",
        "/api/v1/commitments/?status=in_progress&page=99",
        "/api/v1/commitments/?status=in_progress&page_size=0",
        f"/api/v1/commitments/?lead_authority={world.draft_authority.slug}",
    ]
    for path in paths:
        with usual:
            expected = answer(api, path)
        assert expected[0] in (400, 404), path
        assert answer(api, path) == expected, path


def test_a_filter_with_its_own_method_or_a_date_reads_the_usual_way(world, api, usual):
    """`overdue` compares with today's date, which a shape compiled today would keep."""
    for path in ("/api/v1/commitments/?overdue=true", "/api/v1/commitments/?overdue=false"):
        with usual:
            expected = answer(api, path)
        assert answer(api, path) == expected
    assert not [key for key in page_shapes(CommitmentViewSet) if "overdue" in str(key)]


def cursor_shapes():
    return [
        key
        for key, shape in compiled._SHAPES.items()
        if key[1][0] == "api-cursor" and shape is not compiled._UNCACHEABLE
    ]


def walk(client, path, back=False):
    """Every page from `path` by `next`, then (with `back`) by `previous` from the last:
    each answer with its cursors' timestamps cut out (a cursor is signed anew)."""
    answers, seen = [], set()
    while path and path not in seen:
        seen.add(path)
        response = client.get(path)
        body = response.content
        answers.append((response.status_code, re.sub(rb"cursor=[^\"&>]*", b"cursor", body)))
        if response.status_code != 200:
            break
        data = response.json()
        link = data["previous"] if back and len(answers) > 1 else data["next"]
        if back and len(answers) == 1 and data["next"] is None:
            link = data["previous"]
        path = link and link.replace("http://testserver", "")
    return answers


def test_a_shaped_cursor_page_answers_as_the_usual_read(world, api, staff_api, usual):
    """Forwards and back, on a nullable ordering (due_on: its NULLs are a segment of
    their own), with filters, for the public and staff."""
    a = world.authorities[0].slug
    paths = [
        "/api/v1/commitments/?ordering=due_on&page_size=1&cursor",
        "/api/v1/commitments/?ordering=-due_on&page_size=1&cursor",
        f"/api/v1/commitments/?lead_authority={a}&status=in_progress&page_size=1&cursor",
        "/api/v1/meetings/?page_size=1&cursor",
        "/api/v1/attendance/?ordering=person&page_size=1&cursor",
    ]
    walked = 0
    for client in (api, staff_api):
        for path in paths:
            for back in (False, True):
                with usual:
                    expected = walk(client, path, back)
                assert walk(client, path, back) == expected, path
                walked += len(expected)
    assert walked > 4 * len(paths)
    assert cursor_shapes(), "the cursor pages were read the usual way"


def test_every_cursor_position_shares_one_shape(world, api):
    walk(api, "/api/v1/meetings/?page_size=1&cursor")
    shapes = cursor_shapes()
    pages = walk(api, "/api/v1/meetings/?page_size=1&cursor")
    assert len(pages) >= 2
    assert cursor_shapes() == shapes  # the second walk compiled nothing new
