"""Email alerts (issue 18): double opt-in, send_alerts sending each public change once,
one-click unsubscribe (RFC 8058), the weekly digest, and drafts never leaking."""

import datetime
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from alerts.models import AlertRun, Delivery, Subscription
from forums.services import record_status_change, void_status_change
from igr import policy
from tests.alerts.helpers import confirm_link, subscribe, subscribe_and_confirm
from tests.factories import (
    AttendanceFactory,
    AuthorityFactory,
    CommitmentFactory,
    ForumFactory,
    MeetingFactory,
    OfficeFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 1, 15)


@pytest.fixture
def commitment():
    return CommitmentFactory(title="Agree a fiscal framework")


def move(commitment, status="in_progress", note="Work has begun.", on=START):
    return record_status_change(
        commitment=commitment,
        new_status=status,
        effective_on=on,
        note=note,
        evidence_source=SourceFactory(),
    )


def unsubscribe_url(message) -> str:
    header = message.extra_headers["List-Unsubscribe"]
    return re.match(r"<(https?://[^>]+)>", header).group(1)


def test_confirmed_subscription_gets_one_email_per_change_however_often_send_alerts_runs(
    client, commitment
):
    subscription = subscribe_and_confirm(client, f"commitment={commitment.pk}")
    move(commitment)

    call_command("send_alerts")
    call_command("send_alerts")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reader@example.org"]
    assert "Agree a fiscal framework: Not yet assessed → In progress" in message.body
    assert "Work has begun." in message.body
    html = message.alternatives[0][0]
    assert "Agree a fiscal framework: Not yet assessed → In progress" in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Delivery.objects.filter(subscription=subscription, sent_at__isnull=False).count() == 1
    assert [r.emails_sent for r in AlertRun.objects.order_by("id")] == [1, 0]


def test_list_unsubscribe_url_unsubscribes_in_one_post_without_csrf_token(client, commitment):
    subscribe_and_confirm(client, f"commitment={commitment.pk}")
    move(commitment)
    call_command("send_alerts")
    url = unsubscribe_url(mail.outbox[0])
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]

    # What a mail client sends (RFC 8058): no cookie, no CSRF token, no sign-in.
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert Subscription.objects.count() == 0
    assert Delivery.objects.count() == 0


def test_unsubscribe_get_only_asks(client, commitment):
    subscribe_and_confirm(client, f"commitment={commitment.pk}")
    move(commitment)
    call_command("send_alerts")
    path = "/" + unsubscribe_url(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]

    response = client.get(path)

    assert response.status_code == 200
    assert b"Agree a fiscal framework" in response.content
    assert Subscription.objects.count() == 1
    assert client.put(path).status_code == 405


def test_unconfirmed_subscription_gets_nothing(client, commitment):
    response = subscribe(client, f"commitment={commitment.pk}")
    assert response.status_code == 302
    assert len(mail.outbox) == 1  # only the confirmation
    mail.outbox.clear()
    move(commitment)

    call_command("send_alerts")
    call_command("send_alerts", "--digest", "weekly")

    assert mail.outbox == []
    assert Delivery.objects.count() == 0


def test_confirmation_email_has_text_and_html_and_unsubscribe_headers(client, commitment):
    subscribe(client, f"commitment={commitment.pk}", email="  Reader@Example.ORG ")

    message = mail.outbox[0]
    assert message.subject == "Confirm your IGR Tracker email alert"
    assert message.to == ["reader@example.org"]
    assert "Commitment: Agree a fiscal framework" in message.body
    link = confirm_link(message)
    assert link in message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_confirm_link_get_does_not_confirm_and_a_bad_link_is_404(client, commitment):
    subscribe(client, f"commitment={commitment.pk}")
    path = "/" + confirm_link(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]

    assert client.get(path).status_code == 200
    assert Subscription.objects.get().confirmed_at is None
    assert client.get(path[:-3] + "xx/").status_code == 404
    assert client.post(path[:-3] + "xx/").status_code == 404
    assert Subscription.objects.get().confirmed_at is None


def test_expired_confirm_link_is_refused(client, commitment, settings):
    subscribe(client, f"commitment={commitment.pk}")
    path = "/" + confirm_link(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]
    settings.ALERTS_CONFIRM_MAX_AGE = -1

    assert client.post(path).status_code == 404
    assert Subscription.objects.get().confirmed_at is None


def test_weekly_digest_groups_changes_by_what_is_followed(client, commitment):
    other = CommitmentFactory(title="Publish a devolution framework")
    subscribe_and_confirm(client, f"commitment={commitment.pk}", frequency="weekly")
    subscribe_and_confirm(client, f"forum={other.meeting.forum.slug}", frequency="weekly")
    move(commitment)
    move(commitment, status="delivered", note="Done.", on=START + datetime.timedelta(days=1))
    move(other)

    call_command("send_alerts")  # the immediate run sends no digest
    assert mail.outbox == []
    call_command("send_alerts", "--digest", "weekly")
    call_command("send_alerts", "--digest", "weekly")

    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert mail.outbox[0].subject == "IGR Tracker weekly digest: 3 changes"
    assert "Commitment: Agree a fiscal framework\n" in body
    assert f"Forum: {other.meeting.forum.name}\n" in body
    assert body.index("Agree a fiscal framework: Not yet") < body.index("In progress → Delivered")
    assert body.index("In progress → Delivered") < body.index(f"Forum: {other.meeting.forum.name}")

    # Within the week nothing more goes out, even with a new change.
    move(other, status="delivered", note="Done too.", on=START + datetime.timedelta(days=2))
    call_command("send_alerts", "--digest", "weekly")
    assert len(mail.outbox) == 1


def test_drafts_never_leak_into_an_alert(client):
    forum = ForumFactory(name="Mayoral Council")
    subscribe_and_confirm(client, f"forum={forum.slug}")
    draft_meeting = MeetingFactory(
        forum=forum, publication_state="draft", published_at=None, summary="Secret draft meeting"
    )
    draft = CommitmentFactory(
        meeting=draft_meeting,
        title="Draft commitment",
        publication_state="draft",
        published_at=None,
    )
    move(draft, note="Draft note")
    public = CommitmentFactory(
        meeting=MeetingFactory(forum=forum, summary="Public meeting"), title="Public commitment"
    )

    call_command("send_alerts")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    text = message.body + message.alternatives[0][0]
    assert "Public commitment" in text and "Public meeting" in text
    assert "Draft" not in text and "Secret" not in text
    assert public.title in text


def test_a_change_becomes_alert_worthy_when_its_commitment_is_published(client, publisher):
    forum = ForumFactory()
    subscribe_and_confirm(client, f"forum={forum.slug}")
    draft = CommitmentFactory(
        meeting=MeetingFactory(forum=forum),
        title="Later commitment",
        publication_state="draft",
        published_at=None,
    )
    with policy.writing() as write:
        draft.sources.add(SourceFactory())
        write.touched(draft)
    move(draft, note="Recorded before publication")
    call_command("send_alerts")
    assert "Recorded before publication" not in "".join(m.body for m in mail.outbox)
    mail.outbox.clear()

    policy.publish(draft, by=publisher)
    call_command("send_alerts")

    assert len(mail.outbox) == 1
    assert "Recorded before publication" in mail.outbox[0].body


def test_a_voided_change_is_marked_as_voided(client, commitment, publisher):
    subscribe_and_confirm(client, f"commitment={commitment.pk}")
    change = move(commitment)
    call_command("send_alerts")
    void_status_change(change=change, reason="Wrong commitment.", voided_by=publisher)

    call_command("send_alerts")

    assert len(mail.outbox) == 2
    assert "Voided: Agree a fiscal framework: Not yet assessed → In progress" in mail.outbox[1].body
    assert "Wrong commitment." in mail.outbox[1].body


def test_a_change_voided_before_it_was_sent_is_sent_once_marked_voided(
    client, commitment, publisher
):
    subscribe_and_confirm(client, f"commitment={commitment.pk}")
    change = move(commitment)
    void_status_change(change=change, reason="Wrong commitment.", voided_by=publisher)

    call_command("send_alerts")
    call_command("send_alerts")

    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "[Voided] Agree a fiscal framework" in body
    assert "Voided: Wrong commitment." in body
    assert mail.outbox[0].subject == "IGR Tracker alert: 1 change to what you follow"
    assert "<del>" in mail.outbox[0].alternatives[0][0]


def test_a_saved_search_alerts_on_matching_changes_only(client, commitment):
    other = CommitmentFactory(title="Meet twice a year")
    subscribe_and_confirm(client, "q=fiscal")
    move(commitment)
    move(other)

    call_command("send_alerts")

    assert len(mail.outbox) == 1
    assert "Search: “fiscal”" in mail.outbox[0].body
    assert "Agree a fiscal framework" in mail.outbox[0].body
    assert "Meet twice a year" not in mail.outbox[0].body


def test_mail_server_refusal_releases_the_claim_for_the_next_run(client, commitment, settings):
    subscribe_and_confirm(client, f"commitment={commitment.pk}")
    move(commitment)
    settings.EMAIL_BACKEND = "tests.alerts.refusing_backend.RefusingBackend"

    call_command("send_alerts")
    assert Delivery.objects.count() == 0
    assert AlertRun.objects.get().failures == 1

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_alerts")
    assert len(mail.outbox) == 1


def test_a_claim_left_by_a_crash_is_not_sent_again(client, commitment):
    """At-most-once (alerts/sending.py): a change claimed by a run that died before sending
    stays claimed, so no later run sends it."""
    subscription = subscribe_and_confirm(client, f"commitment={commitment.pk}")
    change = move(commitment)
    Delivery.objects.create(
        subscription=subscription, change_kind="status_change", change_id=change.pk
    )

    call_command("send_alerts")

    assert mail.outbox == []


def test_runs_are_listed_read_only_in_the_admin(admin_client, commitment):
    call_command("send_alerts", "--digest", "weekly")
    run = AlertRun.objects.get()

    assert admin_client.get("/admin/alerts/alertrun/").status_code == 200
    assert admin_client.get(f"/admin/alerts/alertrun/{run.pk}/change/").status_code == 200
    assert admin_client.get("/admin/alerts/alertrun/add/").status_code == 403
    assert run.frequency == "weekly" and run.finished_at is not None and run.error == ""


def test_following_a_person_brings_their_new_office_meetings_and_commitments(client):
    person = OfficeFactory(title="Leader").person
    subscribe_and_confirm(client, f"person={person.slug}")
    authority = AuthorityFactory(name="North East Combined Authority")
    OfficeFactory(person=person, authority=authority, title="Mayor")
    OfficeFactory(authority=authority, title="Deputy Mayor")  # someone else's
    attended = AttendanceFactory(person=person, meeting__summary="Mayors met the PM").meeting
    CommitmentFactory(meeting=attended, title="Meet again in spring")
    CommitmentFactory(title="Agreed somewhere they were not")

    call_command("send_alerts")

    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert f"Person: {person.name}" in body
    assert f"Office: {person.name}, Mayor, North East Combined Authority" in body
    assert "Deputy Mayor" not in body
    assert "Mayors met the PM" in body and "Commitment: Meet again in spring" in body
    assert "Agreed somewhere they were not" not in body


def test_list_unsubscribe_offers_a_mailto_when_one_is_configured(client, commitment, settings):
    settings.ALERTS_UNSUBSCRIBE_MAILTO = "unsubscribe@igr.example.org"
    settings.SITE_URL = "https://igr.example.org"
    subscribe(client, f"commitment={commitment.pk}")

    header = mail.outbox[0].extra_headers["List-Unsubscribe"]

    assert re.fullmatch(
        r"<https://igr\.example\.org/alerts/unsubscribe/[^>]+/>, "
        r"<mailto:unsubscribe@igr\.example\.org\?subject=unsubscribe>",
        header,
    )
    assert "https://igr.example.org/alerts/confirm/" in mail.outbox[0].body
