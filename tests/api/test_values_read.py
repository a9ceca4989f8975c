"""GETs build their rows from `.values()` (igr.api.values) instead of model instances
and DRF's field loop. Clients must not be able to tell: every list and record, as JSON
and as CSV, anonymous and staff, filtered and ordered, is byte for byte what the
serializer gives, with the same ETag and Last-Modified."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.throttling import AnonRateThrottle

from authorities.api.urls import ROUTES as AUTHORITY_ROUTES
from forums.api.urls import ROUTES as FORUM_ROUTES
from igr.api.base import RecordViewSet
from igr.api.values import plan_for
from tests.factories import CommitmentFactory, MeetingFactory

ROUTES = AUTHORITY_ROUTES + FORUM_ROUTES
HEADERS = ("Content-Type", "ETag", "Last-Modified", "X-Total-Count", "Link")


@pytest.fixture(autouse=True)
def _unthrottled(monkeypatch):
    # Each test fetches every record twice, beyond the anonymous allowance per minute.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": None})


def plan_of(viewset):
    serializer = viewset.serializer_class
    return plan_for(serializer, serializer.Meta.model)


def test_the_big_lists_read_through_values():
    """The values path is not silently skipped where it matters: every record list
    except forums (whose `members` is worked out per forum) has a plan."""
    without = sorted(prefix for prefix, viewset, _ in ROUTES if plan_of(viewset) is None)
    assert without == ["forums"]


def snapshot(client, urls):
    answers = []
    for url in urls:
        response = client.get(url)
        answers.append(
            (url, response.status_code, {h: response.get(h) for h in HEADERS}, response.content)
        )
    return answers


def urls_for(client, prefix, basename):
    """The list (JSON and CSV, two page sizes), then every record the client can see."""
    base = f"/api/v1/{prefix}/"
    urls = [base, f"{base}?page_size=1", f"{base}?page_size=1&page=2", f"{base}?format=csv"]
    for row in client.get(f"{base}?page_size=200").json()["results"]:
        urls += [row["url"].removeprefix("http://testserver"), row["url"] + "?format=csv"]
    urls.append(reverse(f"{basename}-detail", args=["no-such-record"]))
    return urls


def compare(monkeypatch, client, prefix, basename):
    urls = urls_for(client, prefix, basename)
    fast = snapshot(client, urls)
    with monkeypatch.context() as patch:
        patch.setattr(RecordViewSet, "values_plan", lambda self: None)
        slow = snapshot(client, urls)
    assert [answer[:3] for answer in fast] == [answer[:3] for answer in slow]
    for (url, *_, fast_body), (_, *_, slow_body) in zip(fast, slow, strict=True):
        assert fast_body == slow_body, url
    return fast


@pytest.mark.parametrize(("prefix", "viewset", "basename"), ROUTES)
def test_every_list_and_record_reads_the_same(
    world, api, token_client, editor, monkeypatch, prefix, viewset, basename
):
    for client in (api, token_client(editor)):
        answers = compare(monkeypatch, client, prefix, basename)
        assert len(answers) > 5  # records were there to compare
        assert answers[0][1] == 200


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/commitments/?status=not_started&ordering=-due_on",
        "/api/v1/commitments/?overdue=true&ordering=due_on",
        "/api/v1/meetings/?ordering=date&page_size=2&page=2",
        "/api/v1/meetings/?q=forum",
        "/api/v1/commitments/?page_size=abc",
        "/api/v1/meetings/?page=99",
    ],
)
def test_filtered_ordered_and_refused_lists_read_the_same(world, api, monkeypatch, query):
    CommitmentFactory(
        meeting=world.meetings[1], due_on=datetime.date(2020, 1, 1), status="not_started"
    )
    MeetingFactory(forum=world.forums[1], date=datetime.date(2025, 3, 1))
    fast = snapshot(api, [query])
    with monkeypatch.context() as patch:
        patch.setattr(RecordViewSet, "values_plan", lambda self: None)
        slow = snapshot(api, [query])
    assert fast == slow
