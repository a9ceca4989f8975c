"""Pages follow the same visibility rule as the API (igr.visibility): a published record
that points at a draft authority, or at a person the public cannot see, neither names nor
links it. The meeting page linked a draft chair (a 404) and named a draft authority."""

import pytest

from tests.factories import (
    AttendanceFactory,
    AuthorityFactory,
    CommitmentFactory,
    MeetingFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

DRAFT = {"publication_state": "draft", "published_at": None}


@pytest.fixture
def hidden():
    draft = AuthorityFactory(name="Secret Draft Authority", slug="secret-draft", **DRAFT)
    chair = PersonFactory(name="Unpublished Chair", slug="unpublished-chair")
    absent = PersonFactory(name="Unpublished Absentee", slug="unpublished-absentee")
    meeting = MeetingFactory(host_authority=draft, chair=chair)
    AttendanceFactory(
        meeting=meeting,
        authority=draft,
        mode="substitute",
        substitute_for=absent,
    )
    commitment = CommitmentFactory(meeting=meeting, lead_authority=draft)
    commitment.other_authorities.add(draft)
    return meeting, commitment


SECRETS = ("Secret Draft Authority", "secret-draft", "Unpublished Chair", "Unpublished Absentee")


def test_the_meeting_page_names_no_draft_and_no_hidden_person(client, hidden):
    meeting, _ = hidden
    body = client.get(meeting.get_absolute_url()).content.decode()
    assert meeting.forum.name in body
    for secret in SECRETS:
        assert secret not in body


def test_the_commitment_page_and_list_name_no_draft(client, hidden):
    _, commitment = hidden
    for url in (commitment.get_absolute_url(), "/commitments/", "/commitments/?format=csv"):
        response = client.get(url)
        assert response.status_code == 200
        body = response.getvalue().decode()  # the CSV streams
        assert commitment.title in body
        for secret in SECRETS:
            assert secret not in body, url
