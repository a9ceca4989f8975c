"""Composing and sending alert emails, and the run of `manage.py send_alerts`.

Delivery is **at-most-once**. For each address, the changes to send are claimed first:
Delivery rows (unique per subscription and change) are inserted and committed in one
transaction that also locks the address's subscriptions. Only then is the email sent,
and afterwards the claims are stamped `sent_at`. So:

- a second run, or one running at the same time, finds the changes claimed and sends
  nothing again (the unique constraint settles any race);
- the mail server refusing the email (an exception we see) releases the claims, so the
  next run tries those changes again;
- a crash between the claim and the send (the process killed, the machine lost) leaves
  claims without `sent_at`: those changes are never emailed. They remain on the site and
  in the next digest's pages, and the rows show an operator what was lost.

The alternative, sending first and recording afterwards, is at-least-once: a crash after
the send would email the same changes again on the next run. A reader who gets a
duplicate alert learns to distrust (or report as spam) the service's email, while a
change missed on a rare crash is still on the public record, so this service prefers a
rare gap to a duplicate; `sent_at` being empty makes the gap visible.
"""

import datetime
import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from alerts import changes, tokens
from alerts.models import AlertRun, ChangeKind, Delivery, Frequency, Subscription

logger = logging.getLogger(__name__)


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_url(email, subscription_ids) -> str:
    token = tokens.unsubscribe_token(email, subscription_ids)
    return absolute(reverse("alerts:unsubscribe", kwargs={"token": token}))


def manage_url(email) -> str:
    return absolute(reverse("alerts:manage", kwargs={"token": tokens.manage_token(email)}))


def _message(*, to, subject, template, context, unsubscribe) -> EmailMultiAlternatives:
    """A plain-text email with an HTML alternative, carrying RFC 8058 one-click
    unsubscribe headers: a POST of `List-Unsubscribe=One-Click` to the URL unsubscribes."""
    context = {**context, "unsubscribe_url": unsubscribe, "site_url": settings.SITE_URL}
    targets = [f"<{unsubscribe}>"]
    if settings.ALERTS_UNSUBSCRIBE_MAILTO:
        targets.append(f"<mailto:{settings.ALERTS_UNSUBSCRIBE_MAILTO}?subject=unsubscribe>")
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"alerts/email/{template}.txt", context),
        to=[to],
        headers={
            "List-Unsubscribe": ", ".join(targets),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(
        render_to_string(f"alerts/email/{template}.html", context), "text/html"
    )
    return message


def confirmation_message(subscription, record) -> EmailMultiAlternatives:
    confirm = reverse("alerts:confirm", kwargs={"token": tokens.confirm_token(subscription)})
    return _message(
        to=subscription.email,
        subject="Confirm your IGR Tracker email alert",
        template="confirm",
        context={
            "subscription": subscription,
            "follows": changes.describe(subscription, record),
            "confirm_url": absolute(confirm),
            "expires_days": settings.ALERTS_CONFIRM_MAX_AGE // 86400,
        },
        unsubscribe=unsubscribe_url(subscription.email, [subscription.pk]),
    )


def alert_message(email, groups, frequency) -> EmailMultiAlternatives:
    """One email listing, per followed record, the changes in `groups` (a list of
    (subscription, description, [Change])). A change and its voiding in the same email
    show as one change marked voided."""
    sections = []
    count = 0
    for _subscription, description, found in groups:
        voided_here = {
            c.id for c in found if c.kind == ChangeKind.STATUS_CHANGE and c.voided_reason
        }
        shown = [c for c in found if not (c.kind == ChangeKind.VOID and c.voids in voided_here)]
        count += len(shown)
        sections.append(
            {
                "title": description,
                "changes": [{"change": c, "url": absolute(c.path)} for c in shown],
            }
        )
    weekly = frequency == Frequency.WEEKLY
    noun = "change" if count == 1 else "changes"
    subject = (
        f"IGR Tracker weekly digest: {count} {noun}"
        if weekly
        else f"IGR Tracker alert: {count} {noun} to what you follow"
    )
    return _message(
        to=email,
        subject=subject,
        template="alert",
        context={
            "sections": sections,
            "count": count,
            "weekly": weekly,
            "manage_url": manage_url(email),
        },
        unsubscribe=unsubscribe_url(email, [s.pk for s, _d, _c in groups]),
    )


def _claim(email, subscription_ids, frequency, run, now):
    """Lock the address's due subscriptions, work out what is new for each and claim it;
    returns (groups, delivery ids), or None when another run claimed first."""
    try:
        with transaction.atomic():
            subscriptions = list(
                Subscription.objects.select_for_update()
                .filter(pk__in=subscription_ids)
                .due(frequency, now)
                .order_by("topic", "id")
            )
            groups, claims = [], []
            for subscription in subscriptions:
                record = changes.followed_record(subscription)
                delivered = set(subscription.deliveries.values_list("change_kind", "change_id"))
                found = changes.pending_changes(subscription, record, exclude=delivered)
                if not found:
                    continue
                groups.append((subscription, changes.describe(subscription, record), found))
                claims += [
                    Delivery(subscription=subscription, change_kind=c.kind, change_id=c.id, run=run)
                    for c in found
                ]
            if not claims:
                return [], []
            created = Delivery.objects.bulk_create(claims)
            return groups, [d.pk for d in created]
    except IntegrityError:
        # Ids, not the address: logs keep no subscriber's personal data.
        logger.info("subscriptions %s already claimed by another run", subscription_ids)
        return None


def deliver(email, subscription_ids, frequency, run, now) -> int:
    """Send `email` one message with its new changes; returns the changes sent."""
    claimed = _claim(email, subscription_ids, frequency, run, now)
    if not claimed or not claimed[0]:
        return 0
    groups, delivery_ids = claimed
    message = alert_message(email, groups, frequency)
    try:
        message.send()
    except (smtplib.SMTPException, OSError):
        logger.exception("sending alerts to one address failed; released for the next run")
        Delivery.objects.filter(pk__in=delivery_ids).delete()
        run.failures += 1
        return 0
    sent_at = timezone.now()
    Delivery.objects.filter(pk__in=delivery_ids).update(sent_at=sent_at)
    Subscription.objects.filter(pk__in=[s.pk for s, _d, _c in groups]).update(last_sent_at=sent_at)
    run.emails_sent += 1
    return len(delivery_ids)


def purge_unconfirmed(now) -> int:
    """Unconfirmed subscriptions whose link has expired: the address was never confirmed,
    so it is not kept."""
    cutoff = now - datetime.timedelta(seconds=settings.ALERTS_CONFIRM_MAX_AGE)
    deleted, _ = Subscription.objects.filter(
        confirmed_at__isnull=True, created_at__lt=cutoff
    ).delete()
    return deleted


def run_alerts(frequency: str) -> AlertRun:
    """One run of send_alerts for `frequency`, recorded as an AlertRun (its error too)."""
    run = AlertRun.objects.create(frequency=frequency)
    now = timezone.now()
    try:
        purge_unconfirmed(now)
        due = Subscription.objects.due(frequency, now).values_list("email", "pk")
        by_email = {}
        for email, pk in due.order_by("email", "pk"):
            by_email.setdefault(email, []).append(pk)
        for email, subscription_ids in by_email.items():
            run.changes_sent += deliver(email, subscription_ids, frequency, run, now)
    except Exception as exc:
        run.error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        run.finished_at = timezone.now()
        run.save()
    return run
