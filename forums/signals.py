"""Keep the stored figures (forums.stats.figures) current on every ORM write they depend on.

Bookkeeping only: each receiver names the meetings or commitments whose figures a write
may have changed and asks forums.stats.figures to rebuild them; the rules live there. Covered:
save() and delete() from the admin (inlines included), the API, services, commands and
fixtures (loaddata's raw saves too), cascades, and tag changes from either side of the
many-to-many. Not covered, because Django sends no signal: bulk_create, QuerySet.update()
and raw SQL; whoever writes that way runs forums.stats.figures.rebuild_all() (or
`manage.py rebuild_figures`) afterwards, as bench/generate.py does.
"""

from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from forums.models import (
    AgendaItem,
    Attendance,
    Commitment,
    CommitmentStatusChange,
    Document,
    Forum,
    ForumMembership,
    Meeting,
)
from forums.stats import figures

#: Child rows whose meeting's figures they feed, and the field naming that meeting.
MEETING_CHILDREN = (Attendance, Document, AgendaItem)


def _stored_value(sender, instance, field, using):
    """The value the database holds before this save (a row can move to another meeting
    or forum, whose figures change too)."""
    if instance.pk is None:
        return None
    return (
        sender._base_manager.using(using)
        .filter(pk=instance.pk)
        .values_list(field, flat=True)
        .first()
    )


def _deleted_with(origin, model) -> bool:
    """True when the delete() that removed this row started from a `model` row, so its
    figures go with it (rebuilding them mid-cascade would recreate rows about to go)."""
    if isinstance(origin, QuerySet):
        return origin.model is model
    return isinstance(origin, model)


def _remember_meeting(sender, instance, raw, using, **kwargs):
    instance._figures_old_meeting = _stored_value(sender, instance, "meeting_id", using)


def _meeting_child_saved(sender, instance, raw, using, **kwargs):
    old = getattr(instance, "_figures_old_meeting", None)
    figures.refresh_meeting_ids({instance.meeting_id, old}, using=using)


def _meeting_child_deleted(sender, instance, using, origin=None, **kwargs):
    if not _deleted_with(origin, Meeting):
        figures.refresh_meeting_ids({instance.meeting_id}, using=using)


def _meeting_saved(sender, instance, raw, using, **kwargs):
    # A meeting's forum is its commitments' forum, so theirs are rebuilt first.
    figures.refresh_commitments(Commitment.objects.using(using).filter(meeting=instance.pk))
    figures.refresh_meeting_ids({instance.pk}, using=using)


def _remember_forum(sender, instance, raw, using, **kwargs):
    instance._figures_old_forum = _stored_value(sender, instance, "forum_id", using)


def _membership_changed(sender, instance, using, origin=None, **kwargs):
    # Who was expected at every meeting of the forum on its date may have changed.
    if _deleted_with(origin, Forum):
        return
    forums = {instance.forum_id, getattr(instance, "_figures_old_forum", None)} - {None}
    figures.refresh_meetings(Meeting.objects.using(using).filter(forum_id__in=forums))


def _commitment_saved(sender, instance, raw, using, **kwargs):
    figures.refresh_commitment_ids({instance.pk}, using=using)


def _meeting_deleting(sender, instance, using, **kwargs):
    figures.drop_meetings(Meeting.objects.using(using).filter(pk=instance.pk))


def _commitment_deleting(sender, instance, using, **kwargs):
    figures.drop_commitments(Commitment.objects.using(using).filter(pk=instance.pk))


def _commitment_deleted(sender, instance, using, **kwargs):
    # Its meeting may no longer touch a recommendation.
    figures.refresh_meeting_ids({instance.meeting_id}, using=using)


def _remember_commitment(sender, instance, raw, using, **kwargs):
    instance._figures_old_commitment = _stored_value(sender, instance, "commitment_id", using)


def _status_change_changed(sender, instance, using, origin=None, **kwargs):
    if _deleted_with(origin, Commitment):
        return
    old = getattr(instance, "_figures_old_commitment", None)
    figures.refresh_commitment_ids({instance.commitment_id, old}, using=using)


def _tag_targets(instance, model, reverse, pk_set, using):
    """The rows of `model` a tag change touched, whichever side it was made from."""
    if not reverse:
        return model.objects.using(using).filter(pk=instance.pk)
    if pk_set is None:  # a clear() from the recommendation's side: remembered at pre_clear
        return model.objects.using(using).filter(pk__in=instance._figures_cleared)
    return model.objects.using(using).filter(pk__in=pk_set)


def _remember_cleared(instance, model, reverse, using):
    if reverse:
        instance._figures_cleared = list(
            model.objects.using(using)
            .filter(recommendations=instance.pk)
            .values_list("pk", flat=True)
        )


def _item_tags_changed(sender, instance, action, reverse, model, pk_set, using, **kwargs):
    if action == "pre_clear":
        _remember_cleared(instance, AgendaItem, reverse, using)
    elif action in ("post_add", "post_remove", "post_clear"):
        items = _tag_targets(instance, AgendaItem, reverse, pk_set, using)
        figures.refresh_meetings(Meeting.objects.using(using).filter(agenda_items__in=items))


def _commitment_tags_changed(sender, instance, action, reverse, model, pk_set, using, **kwargs):
    if action == "pre_clear":
        _remember_cleared(instance, Commitment, reverse, using)
    elif action in ("post_add", "post_remove", "post_clear"):
        figures.refresh_commitments(_tag_targets(instance, Commitment, reverse, pk_set, using))


def connect():
    uid = "forums.stats.figures"
    for model in MEETING_CHILDREN:
        pre_save.connect(_remember_meeting, sender=model, dispatch_uid=f"{uid}.pre.{model}")
        post_save.connect(_meeting_child_saved, sender=model, dispatch_uid=f"{uid}.save.{model}")
        post_delete.connect(
            _meeting_child_deleted, sender=model, dispatch_uid=f"{uid}.delete.{model}"
        )
    post_save.connect(_meeting_saved, sender=Meeting, dispatch_uid=f"{uid}.meeting")
    pre_delete.connect(_meeting_deleting, sender=Meeting, dispatch_uid=f"{uid}.meeting.d")
    pre_delete.connect(_commitment_deleting, sender=Commitment, dispatch_uid=f"{uid}.c.pre.d")
    pre_save.connect(_remember_forum, sender=ForumMembership, dispatch_uid=f"{uid}.pre.fm")
    post_save.connect(_membership_changed, sender=ForumMembership, dispatch_uid=f"{uid}.fm")
    post_delete.connect(_membership_changed, sender=ForumMembership, dispatch_uid=f"{uid}.fm.d")
    post_save.connect(_commitment_saved, sender=Commitment, dispatch_uid=f"{uid}.commitment")
    post_delete.connect(_commitment_deleted, sender=Commitment, dispatch_uid=f"{uid}.c.d")
    pre_save.connect(
        _remember_commitment, sender=CommitmentStatusChange, dispatch_uid=f"{uid}.pre.csc"
    )
    post_save.connect(
        _status_change_changed, sender=CommitmentStatusChange, dispatch_uid=f"{uid}.csc"
    )
    post_delete.connect(
        _status_change_changed, sender=CommitmentStatusChange, dispatch_uid=f"{uid}.csc.d"
    )
    m2m_changed.connect(
        _item_tags_changed,
        sender=AgendaItem.recommendations.through,
        dispatch_uid=f"{uid}.item-tags",
    )
    m2m_changed.connect(
        _commitment_tags_changed,
        sender=Commitment.recommendations.through,
        dispatch_uid=f"{uid}.commitment-tags",
    )
