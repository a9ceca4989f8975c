"""The data-quality rules, as functions that name every record breaking them.

Shared by the checks on the real fixtures (test_reference_data.py) and by the tests that
prove each rule catches a deliberately broken record (test_checks.py).
"""

import datetime

from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from authorities.models import Authority, Office
from forums.models import Commitment, CommitmentStatus, CommitmentStatusChange, Meeting
from igr.records import PublicationState


def names(queryset):
    return sorted(str(obj) for obj in queryset)


def unsourced(model):
    """Published records of a model with a `sources` link that cite nothing."""
    return names(
        model.objects.filter(publication_state=PublicationState.PUBLISHED, sources__isnull=True)
    )


def unsourced_status_changes():
    return names(CommitmentStatusChange.objects.published().filter(evidence_source__isnull=True))


def held_meetings_in_the_future(today=None):
    return names(Meeting.objects.held().filter(date__gt=today or timezone.localdate()))


def overlapping_offices():
    # Same rule as Office.clean(): a handover on one day is not an overlap.
    clash = (
        Office.objects.filter(authority=OuterRef("authority"), title__iexact=OuterRef("title"))
        .exclude(pk=OuterRef("pk"))
        .filter(started_on__lt=Coalesce(OuterRef("ended_on"), Value(datetime.date.max)))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=OuterRef("started_on")))
    )
    return names(Office.objects.filter(Exists(clash)))


def mayoral_authorities_without_a_current_mayor(today=None):
    """Existing mayoral authorities that have had a mayor but have none today."""
    today = today or timezone.localdate()
    mayors = Office.objects.mayors().filter(authority=OuterRef("pk"))
    had_a_mayor = (
        Authority.objects.mayoral()
        .existing(today)
        .filter(Exists(mayors.filter(started_on__lte=today)))
    )
    return names(had_a_mayor.exclude(Exists(mayors.current(today))))


def commitments_whose_status_is_not_their_latest_change():
    mismatched = []
    for commitment in Commitment.objects.prefetch_related("status_changes"):
        changes = list(commitment.status_changes.all())  # ordered by effective_on, id
        expected = (
            (changes[-1].new_status, changes[-1].effective_on)
            if changes
            else (CommitmentStatus.NOT_ASSESSED, None)
        )
        if (commitment.status, commitment.status_changed_on) != expected:
            mismatched.append(f"{commitment}: {commitment.status}, latest change {expected}")
    return mismatched


def broken_status_chains():
    """Status changes whose old status is not the previous change's new status."""
    broken = []
    for commitment in Commitment.objects.prefetch_related("status_changes"):
        status = CommitmentStatus.NOT_ASSESSED
        for change in commitment.status_changes.all():
            if change.old_status != status:
                broken.append(f"{commitment}: {change}")
            status = change.new_status
    return broken
