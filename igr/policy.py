"""The one write policy: who may change which record, how publication moves, what must be
cited before publishing, and the transaction every write runs in.

The admin, the API and the management commands all call these functions; none of them
re-implements a rule (docs/architecture.md).

- An Editor changes drafts only. A published or withdrawn record, and the rows that hang
  off one (a published meeting's attendance, agenda and documents), needs the
  publish_<model> permission, which Publishers hold, and a change to a published record
  needs a reason, kept in its history.
- Publication moves only draft → published, published → withdrawn and withdrawn →
  published, each through `publish` or `withdraw`; nothing goes back to draft.
- A record is published only when it cites a source (`record.cites_a_source()`); records
  that move with it (`record.publication_dependents()`: a meeting's commitments) must
  cite one too.
- Every write runs inside `writing()`: one transaction that takes the derived-data lock
  first (so lock order is fixed) and refreshes the derived data of what it touched
  before it commits.
"""

import contextlib
from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from igr.records import PublicationState

#: The parents whose publication state governs a row that has none of its own, found by
#: attribute name. So a model outside the public record must not name a foreign key
#: `meeting`, `forum`, `commitment` or `authority`: a published target would make its rows
#: Publisher-only (the leads inbox uses `guessed_forum`, `drafted_meeting` for this reason).
GOVERNING_PARENTS = ("meeting", "forum", "commitment", "authority")

REASON_FIELD = "change_reason"


def is_publishable(model) -> bool:
    return any(f.name == "publication_state" for f in model._meta.get_fields())


def publish_permission(model) -> str:
    return f"{model._meta.app_label}.publish_{model._meta.model_name}"


def governing_record(obj):
    """The record whose publication state decides who may change `obj`: itself when it
    has a publication state, else the first publishable parent it hangs off."""
    if obj is None:
        return None
    if is_publishable(type(obj)):
        return obj
    for name in GOVERNING_PARENTS:
        parent = getattr(obj, name, None) if hasattr(type(obj), name) else None
        if parent is not None and is_publishable(type(parent)):
            return parent
    return None


def may_change(user, obj) -> bool:
    """Editors change drafts; a published or withdrawn record needs a Publisher. (The
    model's own change permission is checked by the surface, as Django's admin does.)"""
    record = governing_record(obj)
    if record is None or record.pk is None:
        return True
    if record.publication_state == PublicationState.DRAFT:
        return True
    return user is None or user.has_perm(publish_permission(type(record)))


def needs_reason(obj) -> bool:
    """A change to a published record (or to a row of one) must say why."""
    record = governing_record(obj)
    return (
        record is not None
        and record.pk is not None
        and record.publication_state == PublicationState.PUBLISHED
    )


def refusal(obj) -> str:
    record = governing_record(obj)
    state = record.get_publication_state_display().lower()
    return (
        f"{record._meta.verbose_name.capitalize()} “{record}” is {state}; only a Publisher "
        "can change it."
    )


def reason_message(*, in_admin: bool = False) -> str:
    if in_admin:
        # The admin puts the field in its own section after the record's fields and above
        # any rows (attendance, agenda), so the message names the section to look for.
        return (
            "This record is published: say why you are changing it in “Reason for this "
            "change”, in the section “Record of this change” below the record's own fields "
            "(above any rows such as attendance). The reason is kept in its history."
        )
    return (
        "This record is published: say why you are changing it in “Reason for this change” "
        "(change_reason). The reason is kept in its history."
    )


def check_reason(obj, reason: str) -> None:
    """Raise ValidationError on `change_reason` when changing `obj` needs a reason."""
    if needs_reason(obj) and not (reason or "").strip():
        raise ValidationError({REASON_FIELD: reason_message()})


def check_state_move(obj, new_state) -> None:
    """Refuse a move the publishing functions do not make: back to draft, or an unknown
    state. Publishing and withdrawing themselves go through `publish` and `withdraw`."""
    current = getattr(obj, "publication_state", None) or PublicationState.DRAFT
    if obj.pk is None:
        current = PublicationState.DRAFT
    if new_state not in PublicationState.values:
        raise ValidationError({"publication_state": f"“{new_state}” is not a publication state."})
    if new_state == PublicationState.DRAFT and current != PublicationState.DRAFT:
        raise ValidationError(
            {
                "publication_state": (
                    f"A {current} record cannot go back to draft: withdraw it with a reason "
                    "instead, so the public record and its syncing clients are told."
                )
            }
        )


def check_publish_permission(model, user) -> None:
    if user is not None and not user.has_perm(publish_permission(model)):
        raise PermissionDenied(
            f"You do not have permission to publish or withdraw {model._meta.verbose_name_plural}."
        )


def source_required_message(obj) -> str:
    return (
        f"Cite at least one source before publishing this {obj._meta.verbose_name}: "
        "the public site shows nothing that does not rest on a source."
    )


def cites_a_source(obj) -> bool:
    return obj.pk is not None and obj.cites_a_source()


# --- the write transaction ---------------------------------------------------------------

_open: ContextVar = ContextVar("igr_policy_write", default=None)


def _derived_data():
    """The derived-data keepers named in settings.DERIVED_DATA (dotted paths), each with
    `lock(using)` and `refresh(records, using)`. Named by setting so that this shared
    layer never imports a domain app."""
    return [import_string(path) for path in getattr(settings, "DERIVED_DATA", ())]


class Write:
    """What one write touched, so its derived data is refreshed before it commits."""

    def __init__(self, using):
        self.using = using
        self.records = []

    def touched(self, *records) -> None:
        """These were saved or deleted (call after the write)."""
        self.records.extend(r for r in records if r is not None)

    def changing(self, *records) -> None:
        """These are about to be changed or deleted (call before the write): their rows
        as stored now are touched too, since a row moved to another parent changes the
        derived data of the parent it leaves."""
        for record in records:
            if record is not None and record.pk is not None:
                stored = type(record)._base_manager.using(self.using).filter(pk=record.pk)
                self.touched(stored.first())


@contextlib.contextmanager
def writing(*, using=None):
    """One transaction for one write: the derived-data lock first, then the caller's row
    locks and writes, then a refresh of the derived data of every touched record.

    Nested calls join the outer write, so a service called from an admin save adds to
    the admin's write and the refresh runs once, at the end."""
    outer = _open.get()
    if outer is not None:
        yield outer
        return
    using = using or DEFAULT_DB_ALIAS
    write = Write(using)
    token = _open.set(write)
    try:
        with transaction.atomic(using=using):
            keepers = _derived_data()
            for keeper in keepers:
                keeper.lock(using)
            yield write
            for keeper in keepers:
                keeper.refresh(write.records, using)
    finally:
        _open.reset(token)


def touched(*records) -> None:
    """Record that the current write changed these (a no-op outside `writing()`)."""
    write = _open.get()
    if write is not None:
        write.touched(*records)


def changing(*records) -> None:
    """Record, before saving or deleting them, that the current write changes these as
    stored now (a no-op outside `writing()`)."""
    write = _open.get()
    if write is not None:
        write.changing(*records)


# --- publishing ---------------------------------------------------------------------------


def _moving(obj, into):
    """`obj` and the records that move with it into state `into`."""
    records = [obj]
    if obj.pk is not None:
        # Publishing takes the drafts along; withdrawing takes what is public.
        wanted = (
            PublicationState.PUBLISHED
            if into == PublicationState.WITHDRAWN
            else PublicationState.DRAFT
        )
        records += [d for d in obj.publication_dependents() if d.publication_state == wanted]
    return records


def publish(obj, *, by, reason: str = "") -> list:
    """Publish a draft or withdrawn record, stamping published_at; returns every record
    published (a meeting takes its draft commitments with it, so its page shows what was
    agreed). Refuses, writing nothing, when any of them cites no source or `by` lacks the
    publish permission (by=None only from trusted code such as data loading)."""
    with writing() as write:
        check_publish_permission(type(obj), by)
        records = _moving(obj, PublicationState.PUBLISHED)
        for record in records[1:]:
            check_publish_permission(type(record), by)
        for record in records:
            if not cites_a_source(record):
                raise ValidationError(
                    {"sources": source_required_message(record)}
                    if record is obj
                    else f"{record._meta.verbose_name.capitalize()} “{record}” cites no "
                    "source; add one (or one to its meeting) before publishing."
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
            write.touched(record)
        return records


def withdraw(obj, *, by, reason: str) -> list:
    """Withdraw a published record from public view, saying why; a meeting takes its
    published commitments with it, so no public page cites a meeting that is gone."""
    with writing() as write:
        check_publish_permission(type(obj), by)
        if not (reason or "").strip():
            raise ValidationError({"withdrawal_reason": "Say why the record is withdrawn."})
        records = _moving(obj, PublicationState.WITHDRAWN)
        for record in records[1:]:
            check_publish_permission(type(record), by)
        for record in records:
            if record.publication_state == PublicationState.WITHDRAWN:
                continue
            record.publication_state = PublicationState.WITHDRAWN
            record.withdrawal_reason = reason.strip()
            record._change_reason = f"Withdrawn: {reason.strip()}"
            if by is not None:
                record._history_user = by
            record.save()
            write.touched(record)
        return records


def move_publication(obj, new_state, *, by, reason: str = "", withdrawal_reason: str = ""):
    """Move `obj` to `new_state` by the only routes there are (publish or withdraw);
    a no-op when it is there already. Returns the records moved."""
    check_state_move(obj, new_state)
    current = obj.publication_state if obj.pk is not None else PublicationState.DRAFT
    if new_state == current:
        return []
    if new_state == PublicationState.PUBLISHED:
        return publish(obj, by=by, reason=reason)
    return withdraw(obj, by=by, reason=withdrawal_reason)
