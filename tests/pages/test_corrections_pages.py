"""The smaller wrong things on public pages (issue 15, audit A5, A13, B3): a commitment
resting on its meeting's sources shows them, drafts preview for staff only, and the
recommendations say where their wording comes from."""

import pytest

from forums.models import Meeting
from igr import policy
from tests.factories import (
    CommitmentFactory,
    ForumFactory,
    MeetingFactory,
    RecommendationFactory,
    ReportFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def with_sources(meeting, *sources):
    with policy.writing() as write:
        meeting.sources.add(*sources)
        write.touched(meeting)
    return meeting


def test_commitment_without_its_own_source_shows_its_meetings_sources(client):
    source = SourceFactory(title="Mayoral Council communiqué")
    meeting = with_sources(MeetingFactory(), source)
    commitment = CommitmentFactory(meeting=meeting)

    page = client.get(commitment.get_absolute_url()).content.decode()
    assert "Sources (from the meeting)" in page
    assert "Mayoral Council communiqué" in page
    assert "No source is recorded" not in page


def test_commitment_with_its_own_source_shows_that_one(client):
    meeting = with_sources(MeetingFactory(), SourceFactory(title="Meeting source"))
    commitment = CommitmentFactory(meeting=meeting)
    with policy.writing() as write:
        commitment.sources.add(SourceFactory(title="Own source"))
        write.touched(commitment)

    page = client.get(commitment.get_absolute_url()).content.decode()
    assert "Own source" in page
    assert "Sources (from the meeting)" not in page


# --- draft preview -----------------------------------------------------------------------


@pytest.fixture
def draft_meeting():
    return MeetingFactory(publication_state="draft", published_at=None)


def test_draft_meeting_is_still_404_for_anonymous(client, draft_meeting):
    assert client.get(draft_meeting.get_absolute_url()).status_code == 404


def test_draft_meeting_is_404_for_a_signed_in_outsider(outsider_client, draft_meeting):
    assert outsider_client.get(draft_meeting.get_absolute_url()).status_code == 404


def test_staff_view_on_site_of_a_draft_meeting_is_a_marked_noindex_preview(
    editor_client, draft_meeting
):
    response = editor_client.get(draft_meeting.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Draft: not public" in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]
    assert page.count("<h1") == 1


def test_staff_preview_of_a_draft_commitment(viewer_client):
    commitment = CommitmentFactory(publication_state="draft", published_at=None)
    response = viewer_client.get(commitment.get_absolute_url())
    assert response.status_code == 200
    assert "Draft: not public" in response.content.decode()


def test_published_pages_carry_no_draft_marking(editor_client):
    meeting = MeetingFactory()
    response = editor_client.get(meeting.get_absolute_url())
    assert "Draft: not public" not in response.content.decode()
    assert "X-Robots-Tag" not in response
    assert Meeting.objects.published().filter(pk=meeting.pk).exists()


# --- the report behind the recommendations ---------------------------------------------------


@pytest.fixture
def recommendation():
    release = SourceFactory(
        title="Liverpool report urges new UK govt-local leader ties",
        url="https://www.miragenews.com/liverpool-report-urges-new-uk-govt-local-leader-1481777",
        kind="news",
    )
    report = ReportFactory(url="")
    with policy.writing() as write:
        report.sources.add(release)
        write.touched(report)
    return RecommendationFactory(report=report)


def test_recommendation_page_cites_its_source(client, recommendation):
    page = client.get(recommendation.get_absolute_url()).content.decode()
    assert ">Sources</h2>" in page
    assert "Liverpool report urges new UK govt-local leader ties" in page


def test_recommendation_pages_say_the_wording_is_the_press_releases_paraphrase(
    client, recommendation
):
    for url in (recommendation.get_absolute_url(), "/recommendations/"):
        page = client.get(url).content.decode()
        assert "paraphrase from the University of Liverpool's press release" in page


def test_about_page_links_the_report_and_says_where_its_wording_comes_from(client):
    page = client.get("/about/").content.decode()
    assert "https://www.miragenews.com/liverpool-report-urges-new-uk-govt-local-leader-1481777" in (
        page
    )
    assert "https://liverpool.ac.uk/heseltine-institute" in page
    assert "not in the report's own words" in page


def test_staff_preview_of_a_draft_forum(editor_client, client):
    forum = ForumFactory(publication_state="draft", published_at=None)
    assert client.get(forum.get_absolute_url()).status_code == 404
    response = editor_client.get(forum.get_absolute_url())
    assert response.status_code == 200
    assert "Draft: not public" in response.content.decode()


def test_staff_preview_of_a_draft_meeting_lists_its_draft_commitments(editor_client, client):
    # Issue 15: the preview read only published commitments, so a draft meeting's own
    # commitments (drafts with it until it is published) were missing from it.
    meeting = MeetingFactory(publication_state="draft", published_at=None)
    CommitmentFactory(
        meeting=meeting, title="Meet every quarter", publication_state="draft", published_at=None
    )
    page = editor_client.get(meeting.get_absolute_url()).content.decode()
    assert "Meet every quarter" in page
    assert 'govuk-tag--grey">Draft</strong>' in page
    assert client.get(meeting.get_absolute_url()).status_code == 404


def test_a_published_meeting_lists_only_its_published_commitments(editor_client):
    meeting = MeetingFactory()
    CommitmentFactory(meeting=meeting, title="Public one")
    CommitmentFactory(
        meeting=meeting, title="Hidden one", publication_state="draft", published_at=None
    )
    page = editor_client.get(meeting.get_absolute_url()).content.decode()
    assert "Public one" in page and "Hidden one" not in page
