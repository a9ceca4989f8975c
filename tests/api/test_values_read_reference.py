"""The `.values()` read path (tests/api/test_values_read.py) on the real records: nulls,
times, long text, every kind of relation. A module of its own, so the reference data is
loaded once for every route rather than beside the API test world."""

import pytest
from rest_framework.throttling import AnonRateThrottle

from tests.api.test_values_read import ROUTES, compare
from tests.worlds import module_reference_data

reference_data = module_reference_data()


@pytest.fixture(autouse=True)
def _unthrottled(monkeypatch):
    # Each test fetches every record twice, beyond the anonymous allowance per minute.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": None})


@pytest.mark.parametrize(("prefix", "viewset", "basename"), ROUTES)
def test_the_reference_data_reads_the_same(
    reference_data, db, api, monkeypatch, prefix, viewset, basename
):
    compare(monkeypatch, api, prefix, basename)
