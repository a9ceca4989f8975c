"""What the API answers today on the reference data (issue 14: the record as of 1 December 2026).

Anonymous reads, as an analyst or the public would make them, against the fixtures loaded
by load_reference_data once for the module and rolled back afterwards.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

NEW_AUTHORITIES_2026 = {
    "cumbria": "2026-02-24",
    "cheshire-and-warrington": "2026-02-24",
    "sussex-and-brighton": "2026-03-25",
    "hampshire-and-the-solent": "2026-06-04",
}


@pytest.fixture(scope="module")
def reference_data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_reference_data", stdout=StringIO(), stderr=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def api():
    return APIClient()


def every_row(api, url, params):
    response = api.get(url, {**params, "page_size": 200})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["next"] is None, "more than one page: raise page_size"
    return body["results"]


def test_the_current_prime_minister_is_andy_burnham(reference_data, api):
    current = every_row(api, "/api/v1/offices/", {"current": "true"})
    prime_ministers = [o["person"] for o in current if o["title"] == "Prime Minister"]
    assert prime_ministers == ["andy-burnham"]


def test_no_current_greater_manchester_mayor_is_the_prime_minister(reference_data, api):
    current = every_row(api, "/api/v1/offices/", {"current": "true"})
    mayors = [
        o for o in current if o["authority"] == "greater-manchester" and o["title"] == "Mayor"
    ]
    assert [o["person"] for o in mayors] == ["bev-craig"]
    # Known only from secondary sources without an address, so shown as unconfirmed.
    assert mayors[0]["dates_uncertain"] is True


def test_burnhams_mayoralty_ended_before_he_became_prime_minister(reference_data, api):
    offices = every_row(api, "/api/v1/offices/", {"person": "andy-burnham"})
    by_title = {o["title"]: o for o in offices}
    assert by_title["Mayor"]["ended_on"] == "2026-06-18"
    assert by_title["Mayor"]["dates_uncertain"] is True
    assert by_title["Prime Minister"]["started_on"] == "2026-07-20"
    assert by_title["Prime Minister"]["ended_on"] is None


def test_the_four_2026_authorities_are_listed_with_founding_dates(reference_data, api):
    authorities = {a["slug"]: a for a in every_row(api, "/api/v1/authorities/", {})}
    for slug, founded in NEW_AUTHORITIES_2026.items():
        assert authorities[slug]["established_on"] == founded, slug
        assert authorities[slug]["sources"], slug
    # Planned but not created by 1 December 2026: not recorded as bodies.
    assert not [slug for slug in authorities if "essex" in slug or "suffolk" in slug]


def test_no_2026_authority_has_a_mayor_yet(reference_data, api):
    current = every_row(api, "/api/v1/offices/", {"current": "true"})
    assert not [o for o in current if o["authority"] in NEW_AUTHORITIES_2026]


def test_the_interministerial_standing_committee_has_its_three_meetings(reference_data, api):
    meetings = every_row(api, "/api/v1/meetings/", {"forum": "interministerial-standing-committee"})
    assert sorted(m["date"] for m in meetings) == ["2024-12-03", "2025-06-26", "2025-11-20"]
    assert all(m["status"] == "held" for m in meetings)


def test_each_committee_meeting_names_its_chair_and_attendees(reference_data, api):
    expected_chairs = {
        "interministerial-standing-committee-2024-12-03": "pat-mcfadden",
        "interministerial-standing-committee-2025-06-26": "kate-forbes",
        "interministerial-standing-committee-2025-11-20": "huw-irranca-davies",
    }
    for slug, chair in expected_chairs.items():
        response = api.get(f"/api/v1/meetings/{slug}/")
        assert response.status_code == 200, slug
        assert response.json()["chair"] == chair
        attendance = every_row(api, "/api/v1/attendance/", {"meeting": slug})
        assert chair in [a["person"] for a in attendance]


def test_the_december_2024_agreed_point_is_tracked_with_its_evidence(reference_data, api):
    commitments = every_row(
        api, "/api/v1/commitments/", {"forum": "interministerial-standing-committee"}
    )
    titles = {c["title"]: c for c in commitments}
    agreed = titles[
        "The heads-of-government council to meet alongside each Council of the Nations and Regions"
    ]
    assert agreed["status"] == "partly_delivered"
    changes = every_row(api, "/api/v1/commitment-status-changes/", {"commitment": agreed["id"]})
    assert [c["new_status"] for c in changes] == ["partly_delivered"]
