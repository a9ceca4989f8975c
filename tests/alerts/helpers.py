"""Shared steps for the alert tests: subscribing and confirming as a reader would."""

import re

from django.core import mail

from alerts.models import Subscription

LINK = re.compile(r"https?://\S+/alerts/confirm/[^/\s]+/")


def subscribe(client, query, email="reader@example.org", frequency="immediate", **extra):
    return client.post(f"/alerts/?{query}", {"email": email, "frequency": frequency}, **extra)


def confirm_link(message) -> str:
    return LINK.search(message.body).group(0)


def subscribe_and_confirm(client, query, email="reader@example.org", frequency="immediate"):
    """Subscribe, open the confirmation email's link and press its button; returns the
    confirmed subscription and empties the outbox."""
    response = subscribe(client, query, email=email, frequency=frequency)
    assert response.status_code == 302, response.content.decode()[:2000]
    path = confirm_link(mail.outbox[-1]).split("://", 1)[1].split("/", 1)[1]
    response = client.post(f"/{path}")
    assert response.status_code == 302
    mail.outbox.clear()
    return Subscription.objects.filter(email=email.lower()).latest("id")
