"""Stored figures: derived rows that forums.stats.figures keeps current."""

from django.db import models
from django.db.models import Q

from forums.models.commitments import OPEN_STATUSES, Commitment, CommitmentStatus
from forums.models.forums import Forum
from forums.models.meetings import Meeting
from forums.models.sources import Recommendation

# --- stored figures ---------------------------------------------------------------------
#
# Derived rows, never edited: forums.stats.figures rebuilds a meeting's or a commitment's rows
# from the record whenever a write path touches something they are computed from
# (igr.policy.writing()), and `manage.py rebuild_figures` rebuilds them all.
# forums.stats.aggregates reads these narrow tables instead of joining the million
# attendance rows and the tag tables at read time (docs/benchmarks.md). No history, no
# API, no admin: they are a cache the database keeps.


class _NotSerialized(models.Manager):
    """The stored figures' default manager, which dumpdata reads: empty, so a dump holds
    no figures and loaddata rebuilds them once the record is in (loading both would
    duplicate them). Code reads them through `objects`."""

    def get_queryset(self):
        return super().get_queryset().none()


class MeetingFigure(models.Model):
    """A meeting's figures: one row with `recommendation` empty (attendance of members,
    communiqué), and one per recommendation the meeting touched (tagged agenda items, or a
    published commitment made there and tagged with it). The meeting's forum, date and
    whether it counts (published and held) are copied in, so the aggregates read this
    table alone."""

    not_serialized = _NotSerialized()
    objects = models.Manager()

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, null=True, related_name="+"
    )
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="+", db_index=False)
    date = models.DateField()
    is_counted = models.BooleanField(help_text="Published, held, and its occurrence confirmed.")
    attendance_recorded = models.BooleanField(
        default=False, help_text="The meeting's attendance is recorded in full."
    )
    members_expected = models.PositiveIntegerField(default=0)
    members_present = models.PositiveIntegerField(default=0)
    has_communique = models.BooleanField(default=False)
    agenda_items = models.PositiveIntegerField(default=0)
    via_commitment = models.BooleanField(default=False)

    class Meta:
        indexes = [
            # forums_health: a forum's held, published meetings up to a date, with the
            # figures it sums, read from the index alone.
            models.Index(
                fields=["forum", "date"],
                include=[
                    "attendance_recorded",
                    "members_expected",
                    "members_present",
                    "has_communique",
                ],
                condition=Q(recommendation__isnull=True, is_counted=True),
                name="meetingfigure_health_idx",
            ),
            # Scorecards: the meetings that touched each recommendation.
            models.Index(
                fields=["recommendation", "forum", "date"],
                include=["agenda_items", "via_commitment"],
                condition=Q(recommendation__isnull=False, is_counted=True),
                name="meetingfigure_touched_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "recommendation"], name="meetingfigure_unique"
            ),
        ]

    def __str__(self):
        return f"Figures of meeting {self.meeting_id} ({self.recommendation_id or 'all'})"


class CommitmentFigure(models.Model):
    """A commitment's figures: one row with `recommendation` empty and one per
    recommendation it is tagged with, each carrying what the aggregates filter and group
    on: the forum responsible (its own, or its meeting's), the meeting's forum when that
    differs (for_forum() matches either), and the date of its latest status change."""

    not_serialized = _NotSerialized()
    objects = models.Manager()

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="+")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, null=True, related_name="+"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    owner = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="+", db_index=False)
    other_forum = models.ForeignKey(
        Forum, on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    is_published = models.BooleanField()
    status = models.CharField(max_length=20, choices=CommitmentStatus.choices)
    made_on = models.DateField(null=True)
    due_on = models.DateField(null=True)
    latest_change_on = models.DateField(null=True)

    class Meta:
        indexes = [
            # forums_health and the home page: published commitments per forum.
            models.Index(
                fields=["owner", "status", "due_on"],
                condition=Q(recommendation__isnull=True, is_published=True),
                name="commitmentfigure_forum_idx",
            ),
            # Scorecards: published commitments per recommendation.
            models.Index(
                fields=["recommendation", "owner", "made_on"],
                include=["status", "due_on", "latest_change_on"],
                condition=Q(recommendation__isnull=False, is_published=True),
                name="commitmentfigure_rec_idx",
            ),
            models.Index(fields=["meeting"], name="commitmentfigure_meeting_idx"),
            # Overdue on any date: open commitments due on or after it, subtracted from
            # CommitmentTotal's open ones (a few thousand rows, not 160,000 overdue).
            models.Index(
                fields=["owner", "due_on"],
                condition=Q(
                    recommendation__isnull=True,
                    is_published=True,
                    status__in=list(OPEN_STATUSES),
                ),
                name="commitmentfigure_open_due_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "recommendation"], name="commitmentfigure_unique"
            ),
        ]

    def __str__(self):
        return f"Figures of commitment {self.commitment_id} ({self.recommendation_id or 'all'})"


class MeetingTotal(models.Model):
    """MeetingFigure's published, held rows summed per forum and recommendation (empty:
    the meetings themselves), so the aggregates without a date range read a few dozen
    rows instead of 100,000 meetings (forums.stats.figures keeps it equal to the sums)."""

    not_serialized = _NotSerialized()
    objects = models.Manager()

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="+")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, null=True, related_name="+"
    )
    meetings = models.PositiveIntegerField(default=0)
    with_communique = models.PositiveIntegerField(default=0)
    attendance_recorded = models.PositiveIntegerField(
        default=0, help_text="Meetings whose attendance is recorded."
    )
    # Summed over the meetings whose attendance is recorded only: elsewhere who was
    # absent is unknown, and counting it as absence made a rate of missing data.
    members_expected = models.PositiveIntegerField(default=0)
    members_present = models.PositiveIntegerField(default=0)
    agenda_items = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"Totals of forum {self.forum_id} ({self.recommendation_id or 'all'})"


class CommitmentTotal(models.Model):
    """CommitmentFigure's published rows counted per forum responsible, meeting's other
    forum, recommendation (empty: the commitments themselves) and status; with how many
    have no due date, from which forums.stats.aggregates works out the overdue ones."""

    not_serialized = _NotSerialized()
    objects = models.Manager()

    owner = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="+")
    other_forum = models.ForeignKey(
        Forum, on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, null=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=CommitmentStatus.choices)
    commitments = models.PositiveIntegerField(default=0)
    without_due_date = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"Totals of forum {self.owner_id} ({self.recommendation_id or 'all'}, {self.status})"
