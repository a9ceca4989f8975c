"""Writes that span several models. Admin, API and commands call these, nothing else."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from forums.models import Commitment, CommitmentStatus, CommitmentStatusChange, Meeting, Source


@transaction.atomic
def record_status_change(
    *,
    commitment: Commitment,
    new_status: str,
    effective_on: datetime.date,
    note: str,
    evidence_source: Source | None = None,
    evidence_meeting: Meeting | None = None,
    recorded_by=None,
) -> CommitmentStatusChange:
    """Append a status change and move the commitment's current status with it.

    Both rows are written in one transaction, so the commitment's status is always its
    latest change's. A change dated before the latest one is refused: the timeline is
    append-only, and a back-dated row would leave the current status disagreeing with it.
    """
    # Lock the commitment so two simultaneous changes cannot both read the same old status.
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    errors = {}
    if new_status not in CommitmentStatus.values:
        errors["new_status"] = f"“{new_status}” is not a commitment status."
    elif new_status == locked.status:
        errors["new_status"] = (
            f"The commitment is already “{locked.get_status_display()}”; choose another status."
        )
    if not (note or "").strip():
        errors["note"] = "Explain the change in a note."
    if evidence_source is None and evidence_meeting is None:
        errors["evidence_source"] = (
            "Give the evidence: a source, or the meeting that prompted the change."
        )
    latest = locked.status_changes.order_by("-effective_on", "-id").first()
    if latest is not None and effective_on < latest.effective_on:
        errors["effective_on"] = (
            f"The latest change is effective from {latest.effective_on:%-d %B %Y}; a new "
            "change cannot take effect before it."
        )
    if errors:
        raise ValidationError(errors)

    change = CommitmentStatusChange(
        commitment=locked,
        old_status=locked.status,
        new_status=new_status,
        effective_on=effective_on,
        note=note.strip(),
        evidence_source=evidence_source,
        evidence_meeting=evidence_meeting,
        recorded_by=recorded_by,
    )
    change.full_clean()
    change.save()
    locked.status = new_status
    locked.status_changed_on = effective_on
    locked.save(update_fields=["status", "status_changed_on", "updated_at"])
    commitment.status = locked.status
    commitment.status_changed_on = locked.status_changed_on
    return change


# --- publishing -------------------------------------------------------------------------


def _publish_codename(model) -> str:
    opts = model._meta
    return f"{opts.app_label}.publish_{opts.model_name}"


def missing_sources(obj) -> bool:
    """True when a publishable record cites no source. A commitment made at a meeting
    rests on that meeting's sources when it names none of its own."""
    if obj.pk is None:
        return True
    if obj.sources.exists():
        return False
    if isinstance(obj, Commitment) and obj.meeting_id:
        return not obj.meeting.sources.exists()
    return True


def source_required_message(obj) -> str:
    return (
        f"Cite at least one source before publishing this {obj._meta.verbose_name}: "
        "the public site shows nothing that does not rest on a source."
    )


def _check_publish_permission(model, by):
    if by is not None and not by.has_perm(_publish_codename(model)):
        raise PermissionDenied(
            f"You do not have permission to publish or withdraw {model._meta.verbose_name_plural}."
        )


@transaction.atomic
def publish(obj, *, by, reason: str = "") -> list:
    """Publish a draft or withdrawn record, stamping published_at; returns every record
    published (a meeting takes its draft commitments with it, so its page shows what was
    agreed). Refuses, writing nothing, when any of them cites no source or `by` lacks the
    publish permission (pass by=None only from trusted code such as data loading)."""
    from authorities.models import PublicationState

    _check_publish_permission(type(obj), by)
    records = [obj]
    if isinstance(obj, Meeting) and obj.pk is not None:
        drafts = list(obj.commitments.drafts())
        if drafts:
            _check_publish_permission(Commitment, by)
        records += drafts
    for record in records:
        if missing_sources(record):
            field = "sources" if record is obj else None
            raise ValidationError(
                {field: source_required_message(record)}
                if field
                else f"{record._meta.verbose_name.capitalize()} “{record}” cites no source; "
                "add one (or one to its meeting) before publishing."
            )
    now = timezone.now()
    for record in records:
        if record.publication_state == PublicationState.PUBLISHED:
            continue
        record.publication_state = PublicationState.PUBLISHED
        record.published_at = now
        record.withdrawal_reason = ""
        record._change_reason = reason or "Published"
        if by is not None:
            record._history_user = by
        record.save()
    return records


@transaction.atomic
def withdraw(obj, *, by, reason: str) -> list:
    """Withdraw a published record from public view, saying why; a meeting takes its
    published commitments with it, so no public page cites a meeting that is gone."""
    from authorities.models import PublicationState

    _check_publish_permission(type(obj), by)
    if not (reason or "").strip():
        raise ValidationError({"withdrawal_reason": "Say why the record is withdrawn."})
    records = [obj]
    if isinstance(obj, Meeting) and obj.pk is not None:
        published = list(obj.commitments.published())
        if published:
            _check_publish_permission(Commitment, by)
        records += published
    for record in records:
        if record.publication_state == PublicationState.WITHDRAWN:
            continue
        record.publication_state = PublicationState.WITHDRAWN
        record.withdrawal_reason = reason.strip()
        record._change_reason = f"Withdrawn: {reason.strip()}"
        if by is not None:
            record._history_user = by
        record.save()
    return records
