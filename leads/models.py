"""Leads: things that may need recording, found by the watchers or reported by the
public, waiting for a person to accept (drafting records from them) or dismiss them.

Nothing here is public and nothing here publishes: accepting a lead makes drafts that a
Publisher publishes through igr.policy like any other record."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from igr.records import TimeStampedModel


class Origin(models.TextChoices):
    GOVUK = "govuk", "GOV.UK watcher"
    ELECTIONS = "elections", "Elections watcher"
    PUBLIC = "public", "Public report"
    SOURCE_CHECK = "source_check", "Source check"


class Kind(models.TextChoices):
    COMMUNIQUE = "communique", "Communiqué or meeting statement"
    ELECTION = "election", "Election called or cancelled"
    RESULT = "result", "Election result"
    CORRECTION = "correction", "Reported mistake or suggested source"
    SOURCE_CHANGED = "source_changed", "Official page changed or moved"


class LeadState(models.TextChoices):
    NEW = "new", "New"
    ACCEPTED = "accepted", "Accepted"
    DISMISSED = "dismissed", "Dismissed"


class LeadQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=LeadState.NEW)

    def from_origin(self, origin):
        return self.filter(origin=origin)


class Lead(TimeStampedModel):
    """One thing that may need recording, with what the watcher guessed about it."""

    origin = models.CharField(max_length=20, choices=Origin.choices, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    # Idempotency: the same document at the same revision (or the same result, the same
    # report) always makes the same key, so a second run files nothing new.
    key = models.CharField(max_length=500, unique=True, editable=False)
    url = models.URLField("address", max_length=1000, blank=True)
    title = models.CharField(max_length=500)
    published_at = models.DateTimeField("first published", null=True, blank=True)
    updated_at_source = models.DateTimeField("updated at the source", null=True, blank=True)
    found_at = models.DateTimeField(auto_now_add=True, db_index=True)
    text = models.TextField("text fetched", blank=True)
    organisations = models.JSONField(default=list, blank=True)
    # The watcher's guesses, for a person to check: never copied to a record unreviewed.
    guessed_forum = models.ForeignKey(
        "forums.Forum",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
        help_text="The forum this seems to be about.",
    )
    meeting_date = models.DateField("meeting date (guessed)", null=True, blank=True)
    guesses = models.JSONField(
        default=dict,
        blank=True,
        help_text="What the watcher read from the text: people named, agreed points, "
        "election details.",
    )
    reporter_email = models.EmailField(blank=True)
    state = models.CharField(
        max_length=10, choices=LeadState.choices, default=LeadState.NEW, db_index=True
    )
    dismissal_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # What was made from it, so a lead remembers its records and a record its lead. (Named
    # apart from igr.policy's governing parents: a lead is never public, so no published
    # forum or meeting it points at decides who may change it.)
    cited_source = models.ForeignKey(
        "forums.Source", on_delete=models.SET_NULL, null=True, blank=True, related_name="leads"
    )
    drafted_meeting = models.ForeignKey(
        "forums.Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="leads"
    )
    drafted_office = models.ForeignKey(
        "authorities.Office",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
    )

    objects = LeadQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-found_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state=LeadState.DISMISSED) | ~Q(dismissal_reason=""),
                name="lead_dismissal_has_reason",
                violation_error_message="Say why the lead is dismissed.",
            ),
        ]

    def __str__(self):
        return self.title


class ForumWatch(TimeStampedModel):
    """What the GOV.UK watcher asks the search API about one forum."""

    # Not named `forum`: a watch is never public, so the published forum must not govern
    # who may change it (igr.policy's parent rule).
    watched_forum = models.OneToOneField(
        "forums.Forum", on_delete=models.CASCADE, related_name="watch"
    )
    search_terms = models.TextField(
        help_text="One phrase per line; each is searched for separately on GOV.UK."
    )
    organisations = models.TextField(
        blank=True,
        help_text="GOV.UK organisation slugs, one per line (e.g. cabinet-office); empty "
        "searches every organisation.",
    )
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["watched_forum__name"]
        verbose_name = "forum watch"
        verbose_name_plural = "forum watches"

    def __str__(self):
        return f"GOV.UK watch for {self.watched_forum}"

    @staticmethod
    def _lines(text):
        return [line.strip() for line in text.splitlines() if line.strip()]

    def terms(self) -> list[str]:
        return self._lines(self.search_terms)

    def organisation_slugs(self) -> list[str]:
        return self._lines(self.organisations)


class Outcome(models.TextChoices):
    RUNNING = "running", "Running"
    OK = "ok", "Succeeded"
    PARTIAL = "partial", "Some sources failed"
    FAILED = "failed", "Failed"


class WatcherRunQuerySet(models.QuerySet):
    def latest_per_command(self):
        """The last run of each command (a handful of rows: one per command)."""
        latest = (
            self.values("command").annotate(last=models.Max("id")).values_list("last", flat=True)
        )
        return self.filter(id__in=list(latest)).order_by("command")


class WatcherRun(models.Model):
    """One run of a watcher or the link check: when, how it went and what it found."""

    command = models.CharField(max_length=50, db_index=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    counts = models.JSONField(default=dict, blank=True)
    errors = models.TextField(blank=True)

    objects = WatcherRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.command} at {self.started_at:%Y-%m-%d %H:%M}"


class FetchMemo(models.Model):
    """The validators last seen for an address, so the next request is conditional
    (If-None-Match / If-Modified-Since) and an unchanged answer costs a 304."""

    url = models.CharField(max_length=1000, unique=True)
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    body = models.TextField(blank=True)
    fetched_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.url
