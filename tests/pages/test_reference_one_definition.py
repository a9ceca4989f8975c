"""On the reference data: the five "meetings touching a recommendation" counts agree
(issue 15, audit A4), and the home page says how many commitments have no due date."""

import pytest

from forums.models import Commitment, Recommendation
from tests.pages.test_one_definition import five_counts, plain
from tests.worlds import module_reference_data

reference_data = module_reference_data()

pytestmark = pytest.mark.django_db


def test_all_five_counts_agree_on_the_reference_data(reference_data, client):
    for rec in Recommendation.objects.order_by("number"):
        counts = five_counts(client, rec)
        assert len(set(counts.values())) == 1, (rec.slug, counts)


def test_home_page_says_how_many_commitments_cannot_be_overdue(reference_data, client):
    published = Commitment.objects.published()
    undated, total = published.filter(due_on__isnull=True).count(), published.count()
    assert undated
    assert f"{undated} of {total} commitments have no due date" in plain(client.get("/"))
