"""Every public page answers, shows published records only, and filters like the API."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LIST_PAGES = [
    "/",
    "/forums/",
    "/meetings/",
    "/commitments/",
    "/authorities/",
    "/recommendations/",
    "/attendance/",
    "/changes/",
    "/coverage/",
    "/search/",
    "/search/?q=council",
    "/about/",
    "/methodology/",
    "/accessibility/",
]


def h1_count(response):
    return len(re.findall(r"<h1[\s>]", response.content.decode()))


def detail_urls(w):
    return [
        w.forum.get_absolute_url(),
        w.meeting.get_absolute_url(),
        w.upcoming.get_absolute_url(),
        w.commitment.get_absolute_url(),
        w.other_commitment.get_absolute_url(),
        w.authorities[0].get_absolute_url(),
        w.people[0].get_absolute_url(),
        w.recs[0].get_absolute_url(),
    ]


@pytest.mark.parametrize("url", LIST_PAGES)
def test_every_site_page_answers_200_with_one_h1(client, world, url):
    response = client.get(url)
    assert response.status_code == 200
    assert h1_count(response) == 1


def test_every_detail_page_answers_200_with_one_h1(client, world):
    for url in detail_urls(world):
        response = client.get(url)
        assert response.status_code == 200, url
        assert h1_count(response) == 1, url


def test_unknown_page_is_a_404_with_the_site_layout(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert h1_count(response) == 1


def test_server_error_page_renders_without_a_request(db):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Sorry, there is a problem with the service" in html
    assert html.count("<h1") == 1


def test_draft_records_are_404(client, world):
    for url in [
        world.draft_forum.get_absolute_url(),
        world.draft_meeting.get_absolute_url(),
        world.draft_commitment.get_absolute_url(),
        world.draft_authority.get_absolute_url(),
        reverse("forums:commitment-feed", args=[world.draft_commitment.pk]),
        reverse("forums:forum-meetings-ics", args=[world.draft_forum.slug]),
    ]:
        assert client.get(url).status_code == 404, url


def test_drafts_are_absent_from_every_public_list_feed_and_search(client, world):
    urls = [
        *LIST_PAGES,
        "/search/?q=secret",
        "/meetings/?format=csv",
        "/commitments/?format=csv",
        "/forums/?format=csv",
        "/authorities/?format=csv",
        "/changes/?format=csv",
        "/meetings.ics",
        f"/forums/{world.forum.slug}/meetings.ics",
        "/meetings/feed/",
        "/changes/feed/",
        "/sitemap.xml",
        *detail_urls(world),
    ]
    for url in urls:
        body = client.get(url).getvalue().decode()  # CSVs stream
        assert "Secret" not in body, url
        assert world.draft_meeting.slug not in body, url
        assert f"/commitments/{world.draft_commitment.pk}/" not in body, url


def test_a_person_without_published_office_or_attendance_is_404(client, world):
    from tests.factories import PersonFactory

    assert client.get(PersonFactory().get_absolute_url()).status_code == 404


def test_meeting_page_shows_attendance_agenda_documents_commitments_and_sources(client, world):
    body = client.get(world.meeting.get_absolute_url()).content.decode()
    for text in [
        "Andy Burnham",
        "Greater Manchester Combined Authority",
        "Fiscal devolution",
        "Communiqué of 23 January",
        "We agreed.",
        "Publish a devolution framework",
        world.source.title,
        "Change history",
    ]:
        assert text in body, text


def test_commitment_page_shows_its_status_timeline_with_evidence(client, world):
    body = client.get(world.other_commitment.get_absolute_url()).content.decode()
    assert "Not yet assessed → Delivered" in body
    assert "The council met twice." in body
    assert world.source.url in body


def test_commitment_page_shows_lineage_to_published_commitments_only(client, world):
    from tests.factories import CommitmentFactory

    later = CommitmentFactory(
        meeting=world.other_meeting, title="Restated promise", restates=world.commitment
    )
    CommitmentFactory(
        meeting=world.other_meeting,
        title="Secret draft successor",
        supersedes=world.commitment,
        publication_state="draft",
    )
    body = client.get(world.commitment.get_absolute_url()).content.decode()
    assert "Restated by" in body and later.get_absolute_url() in body
    assert "Secret draft successor" not in body
    assert "Restates" in client.get(later.get_absolute_url()).content.decode()


def test_forum_page_shows_members_meetings_and_health(client, world):
    body = client.get(world.forum.get_absolute_url()).content.decode()
    assert "Greater Manchester Combined Authority" in body
    assert world.meeting.get_absolute_url() in body
    assert "Meetings held in the last 12 months" in body
    assert "Attendance rate" in body and "Communiqué rate" in body


def test_authority_page_shows_mayor_memberships_meetings_and_commitments(client, world):
    body = client.get(world.authorities[0].get_absolute_url()).content.decode()
    assert "Andy Burnham" in body
    assert world.forum.name in body
    assert world.meeting.get_absolute_url() in body
    assert "Publish a devolution framework" in body


def test_person_page_shows_offices_and_attendance(client, world):
    body = client.get(world.people[0].get_absolute_url()).content.decode()
    assert "Mayor" in body and "Greater Manchester Combined Authority" in body
    assert world.meeting.get_absolute_url() in body


def test_scorecard_page_has_rubric_and_a_table_of_the_charted_numbers(client, world):
    body = client.get(world.recs[0].get_absolute_url()).content.decode()
    assert "How the score is worked out" in body
    assert 'data-chart="horizontal"' in body
    assert "Commitments by status" in body
    assert "Publish a devolution framework" in body


def test_attendance_matrix_counts_each_mode(client, world):
    body = client.get("/attendance/").content.decode()
    assert "Andy Burnham" in body and "Mayoral Council" in body


def test_search_finds_published_records_of_each_kind(client, world):
    body = client.get("/search/?q=devolution").content.decode()
    assert world.commitment.get_absolute_url() in body
    body = client.get("/search/?q=burnham").content.decode()
    assert world.people[0].get_absolute_url() in body
    body = client.get("/search/?q=manchester").content.decode()
    assert world.authorities[0].get_absolute_url() in body


def test_an_over_long_search_is_a_400_with_a_message(client, db):
    response = client.get("/search/", {"q": "x" * 201})
    assert response.status_code == 400
    assert "Enter at most 200 characters" in response.content.decode()


def test_sitemap_lists_published_pages(client, world):
    body = client.get("/sitemap.xml").content.decode()
    assert world.meeting.get_absolute_url() in body
    assert world.forum.get_absolute_url() in body
    assert "/methodology/" in body


@pytest.mark.parametrize("url", LIST_PAGES)
def test_pages_carry_no_inline_script_or_style_so_a_strict_csp_can_apply(client, world, url):
    body = client.get(url).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)
    assert not re.search(r"\sstyle=\"", body)
    assert not re.search(r"\son[a-z]+=\"", body)


def test_no_page_uses_the_gds_transport_font_or_the_crown(client, world):
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static" / "vendor" / "igr.css").read_text()
    assert "GDS Transport" not in css and "@font-face" not in css
    body = client.get("/").content.decode()
    assert "govuk-header__logotype" not in body and "crown" not in body.lower()
    assert "IGR Tracker" in body
