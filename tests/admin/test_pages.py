"""Every admin changelist, add and change page answers 200 for a superuser, and each
changelist's query count is the same at 10 rows as at 100 (no N+1 behind a column).

The changelist counts, for a superuser: session, user, then the changelist's own
queries — the filtered count, the unfiltered count, the page of rows (with its
list_select_related joins), and one query per related-model list filter for its
choices (plus the date hierarchy's years where there is one).
"""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forums.models import CommitmentStatusChange
from forums.stats.figures import rebuild_all
from tests import factories as f

pytestmark = pytest.mark.django_db


def _capture():
    # The query log is a bounded deque; once full (after many factory inserts) its length
    # stops growing and CaptureQueriesContext would count nothing.
    connection.queries_log.clear()
    return CaptureQueriesContext(connection)


def _rows(model_name, n, shared):
    """n rows of a model; related rows are shared where a constraint allows it, so the
    test is quick while every column still crosses its relation for each row."""
    s = shared
    match model_name:
        case "authority":
            f.AuthorityFactory.create_batch(n)
        case "council":
            f.CouncilFactory.create_batch(n, authority=s["authority"])
        case "party":
            f.PartyFactory.create_batch(n)
        case "person":
            f.PersonFactory.create_batch(n)
        case "office":
            f.OfficeFactory.create_batch(
                n, person=s["person"], authority=s["authority"], party=s["party"]
            )
        case "source":
            f.SourceFactory.create_batch(n)
        case "report":
            f.ReportFactory.create_batch(n)
        case "recommendation":
            f.RecommendationFactory.create_batch(n, report=s["report"])
        case "forum":
            f.ForumFactory.create_batch(n)
        case "forummembership":
            f.ForumMembershipFactory.create_batch(n, forum=s["forum"])
        case "knowngap":
            f.KnownGapFactory.create_batch(n, forum=s["forum"])
        case "meeting":
            f.MeetingFactory.create_batch(n, forum=s["forum"])
        case "attendance":
            f.AttendanceFactory.create_batch(n, meeting=s["meeting"], authority=s["authority"])
        case "agendaitem":
            f.AgendaItemFactory.create_batch(n, meeting=s["meeting"])
        case "document":
            f.DocumentFactory.create_batch(n, meeting=s["meeting"])
        case "commitment":
            f.CommitmentFactory.create_batch(n, meeting=s["meeting"])
        case "commitmentstatuschange":
            CommitmentStatusChange.objects.bulk_create(
                CommitmentStatusChange(
                    commitment=s["commitment"],
                    old_status="not_assessed",
                    new_status="in_progress",
                    effective_on="2025-01-23",
                    evidence_source=s["source"],
                    note="Under way.",
                )
                for _ in range(n)
            )
            # bulk_create sends no signal: rebuild the stored figures, as its callers must.
            rebuild_all()
        case _:
            raise AssertionError(f"no builder for {model_name}")


@pytest.fixture
def shared(db):
    meeting = f.MeetingFactory()
    return {
        "authority": f.AuthorityFactory(),
        "person": f.PersonFactory(),
        "party": f.PartyFactory(),
        "report": f.ReportFactory(),
        "forum": meeting.forum,
        "meeting": meeting,
        "commitment": f.CommitmentFactory(meeting=meeting),
        "source": f.SourceFactory(),
    }


DOMAIN = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model in admin.site._registry
    if model._meta.app_label in ("authorities", "forums")
)

# Exact queries per changelist for a superuser, the same at 10 rows and at 100.
CHANGELIST_QUERIES = {
    "authority": 8,
    "council": 9,
    "office": 10,
    "party": 8,
    "person": 8,
    "agendaitem": 9,
    "attendance": 9,
    "commitment": 11,
    "commitmentstatuschange": 10,
    "document": 8,
    "forum": 8,
    "forummembership": 9,
    "knowngap": 9,
    "meeting": 11,
    "recommendation": 9,
    "report": 8,
    "source": 10,
}
# At most this many queries on the add and the change page (with 2 rows of the model):
# session, user, the record, its history link, then one per inline and per selected
# autocomplete value.
PAGE_QUERIES = {
    "authority": (6, 8),
    "council": (6, 8),
    "office": (6, 12),
    "party": (6, 6),
    "person": (6, 7),
    "agendaitem": (6, 10),
    "attendance": (6, 13),
    "commitment": (6, 14),
    "commitmentstatuschange": (5, 9),
    "document": (6, 9),
    "forum": (6, 8),
    "forummembership": (6, 10),
    "knowngap": (6, 9),
    "meeting": (6, 14),
    "recommendation": (6, 7),
    "report": (6, 7),
    "source": (6, 6),
}


def test_every_domain_model_is_in_the_admin():
    assert len(DOMAIN) == 17


@pytest.mark.parametrize(("app", "model"), DOMAIN)
def test_changelist_query_count_does_not_grow_with_rows(superuser_client, shared, app, model):
    url = f"/admin/{app}/{model}/"
    counts = []
    for n in (10, 90):  # 10 rows, then 100
        _rows(model, n, shared)
        with _capture() as queries:
            response = superuser_client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))  # read before the next request resets the log
    assert counts[0] == counts[1], f"{url}: {counts[0]} queries at 10 rows, {counts[1]} at 100"
    assert counts[0] == CHANGELIST_QUERIES[model]


@pytest.mark.parametrize(("app", "model"), DOMAIN)
def test_add_and_change_pages_answer_200(superuser_client, shared, app, model):
    _rows(model, 2, shared)
    admin_class = next(m for m in admin.site._registry if m._meta.model_name == model)
    obj = admin_class.objects.order_by("pk").last()
    with _capture() as queries:
        assert superuser_client.get(f"/admin/{app}/{model}/add/").status_code == 200
    add_count = len(queries)
    with _capture() as queries:
        change = superuser_client.get(f"/admin/{app}/{model}/{obj.pk}/change/")
    change_count = len(queries)
    assert change.status_code == 200
    # At most: the first page to need a content type (history link) may look it up once
    # before Django's content-type cache holds it.
    assert add_count <= PAGE_QUERIES[model][0], f"add page: {add_count} queries"
    assert change_count <= PAGE_QUERIES[model][1], f"change page: {change_count} queries"
    history = superuser_client.get(f"/admin/{app}/{model}/{obj.pk}/history/")
    assert history.status_code == 200
