"""On the reference data: attendance is worked out only where it is recorded (issue 15,
audit A2: the Mayoral Council's "5% attendance" only meant almost nobody's attendance was
recorded)."""

import datetime
import re

import pytest

from forums.models import Forum, Meeting
from forums.stats import aggregates
from tests.worlds import module_reference_data

reference_data = module_reference_data()

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 1)

# Meetings whose sources list who attended (fixtures/06_meetings.json, igr-facts 5.0, 5.6,
# 5.8 and igr-facts-2025-2026 2.2, 3.1); every other held meeting's attendance is unknown.
RECORDED = {
    "pm-meeting-with-metro-mayors-2024-07-09",
    "pm-and-heads-of-devolved-governments-council-2022-11-10",
    "pm-and-heads-of-devolved-governments-council-2025-05-23",
    "interministerial-standing-committee-2024-12-03",
    "interministerial-standing-committee-2025-11-20",
}


def text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_reference_data_records_attendance_only_where_its_sources_list_it(reference_data):
    recorded = set(Meeting.objects.filter(attendance_recorded=True).values_list("slug", flat=True))
    assert recorded == RECORDED


def test_mayoral_council_attendance_rate_is_unknown_not_five_percent(reference_data, client):
    health = aggregates.forum_health(Forum.objects.get(slug="mayoral-council"), today=TODAY)
    assert health["attendance_rate"] is None
    # Two held meetings; the possible one of 23 May 2025 is not counted as held.
    assert (health["attendance_recorded_meetings"], health["attendance_unknown_meetings"]) == (0, 2)
    page = text(client.get("/forums/mayoral-council/"))
    assert "Not known: attendance is not recorded for any of its 2 held meetings" in page
    assert "5% of member authorities" not in page


def test_greater_manchester_reads_like_member_attendance(reference_data, client):
    page = text(client.get("/authorities/greater-manchester/"))
    assert (
        "Expected at 5 held meetings of forums Greater Manchester Combined Authority "
        "belonged to on the day: present at 1; sent apologies to 0; absent from 0; "
        "unknown for 4." in page
    )
