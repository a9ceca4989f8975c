"""The alert pages: the subscribe form and its rate limits, the manage page, and the
"Get email alerts" link on each followable record's page and on search results."""

import pytest
from django.core import mail

from alerts import tokens
from alerts.models import Subscription
from tests.alerts.helpers import subscribe, subscribe_and_confirm
from tests.factories import (
    AuthorityFactory,
    CommitmentFactory,
    ForumFactory,
    OfficeFactory,
    RecommendationFactory,
)

pytestmark = pytest.mark.django_db

RATE_LIMITED = "You have asked for too many alerts in the last hour"


@pytest.fixture
def forum():
    return ForumFactory(name="Mayoral Council")


def test_subscribe_page_names_what_is_followed_with_a_privacy_notice(client, forum):
    response = client.get(f"/alerts/?forum={forum.slug}")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "Follow forum Mayoral Council" in html
    assert "How we use your email address" in html
    assert 'autocomplete="email"' in html


def test_subscribe_page_without_a_choice_explains_how_to_choose(client):
    response = client.get("/alerts/")

    assert response.status_code == 200
    assert response.content.decode().count("<h1") == 1
    assert client.post("/alerts/", {"email": "a@example.org"}).status_code == 404


@pytest.mark.parametrize("query", ["forum=no-such-forum", "commitment=99999", "commitment=x", "q="])
def test_unknown_record_or_empty_search_is_404(client, query):
    assert client.get(f"/alerts/?{query}").status_code == 404


def test_a_draft_cannot_be_followed(client):
    draft = ForumFactory(publication_state="draft", published_at=None)

    assert client.get(f"/alerts/?forum={draft.slug}").status_code == 404
    assert subscribe(client, f"forum={draft.slug}").status_code == 404
    assert Subscription.objects.count() == 0


def test_bad_email_is_shown_inline_with_an_error_summary(client, forum):
    response = subscribe(client, f"forum={forum.slug}", email="not-an-address")

    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Enter an email address in the correct format, like name@example.com" in html
    assert html.count('id="email-error"') == 1
    assert "<title>Error: " in html
    assert Subscription.objects.count() == 0 and mail.outbox == []


def test_sixth_subscribe_from_one_address_in_an_hour_is_refused(client, forum):
    for n in range(5):
        assert (
            subscribe(client, f"forum={forum.slug}", email=f"r{n}@example.org").status_code == 302
        )

    response = subscribe(client, f"forum={forum.slug}", email="r5@example.org")

    assert response.status_code == 429
    html = response.content.decode()
    assert "govuk-error-summary" in html and RATE_LIMITED in html
    assert Subscription.objects.count() == 5
    assert len(mail.outbox) == 5
    # Another client address is not held back.
    assert (
        subscribe(
            client, f"forum={forum.slug}", email="r6@example.org", REMOTE_ADDR="192.0.2.7"
        ).status_code
        == 302
    )


def test_sixth_subscribe_for_one_email_in_an_hour_is_refused_from_any_address(client, forum):
    for n in range(5):
        response = subscribe(
            client, f"forum={forum.slug}", email="Same@example.org", REMOTE_ADDR=f"192.0.2.{n}"
        )
        assert response.status_code == 302

    response = subscribe(
        client, f"forum={forum.slug}", email="same@EXAMPLE.org", REMOTE_ADDR="192.0.2.99"
    )

    assert response.status_code == 429
    assert RATE_LIMITED in response.content.decode()
    assert len(mail.outbox) == 5
    assert Subscription.objects.count() == 1  # asking again resends the same link


def test_rate_limit_counts_the_client_behind_a_trusted_proxy(client, forum, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        subscribe(
            client,
            f"forum={forum.slug}",
            email=f"p{n}@example.org",
            HTTP_X_FORWARDED_FOR="198.51.100.1",
        )

    refused = subscribe(
        client, f"forum={forum.slug}", email="p5@example.org", HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    other = subscribe(
        client, f"forum={forum.slug}", email="p6@example.org", HTTP_X_FORWARDED_FOR="198.51.100.2"
    )

    assert (refused.status_code, other.status_code) == (429, 302)


def test_manage_page_changes_frequency_and_stops_alerts(client, forum):
    commitment = CommitmentFactory(title="Meet twice a year")
    first = subscribe_and_confirm(client, f"forum={forum.slug}")
    second = subscribe_and_confirm(client, f"commitment={commitment.pk}")
    path = f"/alerts/manage/{tokens.manage_token('reader@example.org')}/"

    page = client.get(path).content.decode()
    assert "Forum: Mayoral Council" in page and "Commitment: Meet twice a year" in page

    response = client.post(
        path, {"action": "frequency", "subscription": first.pk, "frequency": "weekly"}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.frequency == "weekly"

    client.post(path, {"action": "stop", "subscription": second.pk})
    assert list(Subscription.objects.all()) == [first]

    client.post(path, {"action": "stop-all"})
    assert Subscription.objects.count() == 0


def test_manage_link_cannot_touch_another_address(client, forum):
    theirs = subscribe_and_confirm(client, f"forum={forum.slug}", email="other@example.org")
    path = f"/alerts/manage/{tokens.manage_token('reader@example.org')}/"

    response = client.post(path, {"action": "stop", "subscription": theirs.pk})

    assert response.status_code == 404
    assert Subscription.objects.count() == 1


def test_manage_page_needs_csrf_token_and_a_good_link(forum):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    path = f"/alerts/manage/{tokens.manage_token('reader@example.org')}/"
    assert csrf_client.post(path, {"action": "stop-all"}).status_code == 403
    assert csrf_client.get("/alerts/manage/forged/").status_code == 404


def test_every_followable_page_links_to_its_alerts(client):
    authority = AuthorityFactory(name="Greater Manchester")
    office = OfficeFactory(authority=authority)
    commitment = CommitmentFactory()
    recommendation = RecommendationFactory()
    forum = commitment.meeting.forum
    pages = {
        forum.get_absolute_url(): f"/alerts/?forum={forum.slug}",
        commitment.get_absolute_url(): f"/alerts/?commitment={commitment.pk}",
        authority.get_absolute_url(): f"/alerts/?authority={authority.slug}",
        office.person.get_absolute_url(): f"/alerts/?person={office.person.slug}",
        recommendation.get_absolute_url(): f"/alerts/?recommendation={recommendation.slug}",
        "/search/?q=fiscal+devolution": "/alerts/?q=fiscal+devolution",
    }
    for page, link in pages.items():
        html = client.get(page).content.decode()
        assert f'href="{link}"' in html, page
        assert client.get(link).status_code == 200, link


def test_manage_page_queries_do_not_grow_with_the_alerts(client, django_assert_num_queries):
    email = "reader@example.org"
    for forum in ForumFactory.create_batch(2):
        Subscription.objects.create(email=email, topic="forum", object_id=forum.pk)
    for commitment in CommitmentFactory.create_batch(2):
        Subscription.objects.create(email=email, topic="commitment", object_id=commitment.pk)
    Subscription.objects.create(email=email, topic="search", query="fiscal")
    path = f"/alerts/manage/{tokens.manage_token(email)}/"

    # 1 the address's subscriptions, 1 their forums, 1 their commitments.
    with django_assert_num_queries(3):
        response = client.get(path)
    assert response.content.decode().count('class="govuk-summary-card__title"') == 5
