"""Email alerts: who asked for which alerts, and what has been sent to them.

Only the email address and the choices are stored (with the timestamps the double opt-in
and the sending need); an unsubscribe deletes the row and its deliveries. These are not
record data: they keep no history and touch no stored figure, so they are written in
plain transactions rather than igr.policy.writing() (whose derived-data lock would make
every subscribe wait for the record's writers)."""

import datetime

from django.db import models
from django.db.models import Q

WEEK = datetime.timedelta(days=7)


class Topic(models.TextChoices):
    FORUM = "forum", "Forum"
    AUTHORITY = "authority", "Authority"
    PERSON = "person", "Person"
    COMMITMENT = "commitment", "Commitment"
    RECOMMENDATION = "recommendation", "Recommendation"
    SEARCH = "search", "Saved search"


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", "As soon as something changes"
    WEEKLY = "weekly", "Once a week (a digest)"


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def for_email(self, email):
        return self.filter(email=email)

    def due(self, frequency, now):
        """Confirmed subscriptions of `frequency` whose alerts are due at `now`: every run
        for immediate ones, a week after the last delivery for the weekly digest."""
        due = self.confirmed().filter(frequency=frequency)
        if frequency == Frequency.WEEKLY:
            week_ago = now - WEEK
            due = due.filter(Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=week_ago))
        return due


class Subscription(models.Model):
    """One address following one record (or one search), unconfirmed until the address
    owner opens the signed link sent to it: nothing is sent before then."""

    email = models.EmailField(db_index=True, help_text="Stored in lower case.")
    topic = models.CharField(max_length=20, choices=Topic.choices)
    # The followed record's primary key (stable where slugs are not); empty for a search.
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    query = models.CharField(max_length=200, blank=True, help_text="A saved search's words.")
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When an alert last went to this subscription."
    )

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["email", "topic", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(topic=Topic.SEARCH) & Q(object_id__isnull=True) & ~Q(query=""))
                | (~Q(topic=Topic.SEARCH) & Q(object_id__isnull=False) & Q(query="")),
                name="alert_subscription_follows_one_thing",
                violation_error_message="Follow either a record or a search.",
            ),
            models.UniqueConstraint(
                fields=["email", "topic", "object_id"],
                condition=~Q(topic=Topic.SEARCH),
                name="alert_subscription_unique_record",
                violation_error_message="This address already follows that record.",
            ),
            models.UniqueConstraint(
                fields=["email", "query"],
                condition=Q(topic=Topic.SEARCH),
                name="alert_subscription_unique_search",
                violation_error_message="This address already follows that search.",
            ),
        ]

    def __str__(self):
        target = f"“{self.query}”" if self.topic == Topic.SEARCH else f"#{self.object_id}"
        return f"{self.email}: {self.get_topic_display()} {target} ({self.frequency})"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class AlertRun(models.Model):
    """One run of `manage.py send_alerts`, as a scheduled command should leave: when it
    started and finished, what it sent, and the error that stopped it, if one did."""

    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    emails_sent = models.PositiveIntegerField(default=0)
    changes_sent = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(
        default=0, help_text="Emails the mail server refused; their changes go next run."
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        get_latest_by = ["started_at", "id"]

    def __str__(self):
        return f"send_alerts {self.frequency} at {self.started_at:%Y-%m-%d %H:%M}"


class ChangeKind(models.TextChoices):
    STATUS_CHANGE = "status_change", "Commitment status change"
    VOID = "void", "Status change voided"
    MEETING = "meeting", "Meeting published"
    COMMITMENT = "commitment", "Commitment published"
    OFFICE = "office", "Office published"


class Delivery(models.Model):
    """A change claimed for, then sent to, one subscription. The unique constraint is what
    makes `send_alerts` idempotent: a change is claimed (committed) before its email is
    sent, so no later or concurrent run can send it again (alerts.sending says why this is
    at-most-once)."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    change_kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    change_id = models.PositiveBigIntegerField()
    run = models.ForeignKey(
        AlertRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    claimed_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty if the run stopped between claim and send."
    )

    class Meta:
        ordering = ["claimed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "change_kind", "change_id"],
                name="alert_delivery_once_per_subscription",
            ),
        ]

    def __str__(self):
        return f"{self.change_kind} {self.change_id} → {self.subscription_id}"
