"""What changed in a followed record: the reads behind an alert.

The changes are the record's own public log: each commitment status change as /changes/
lists it (CommitmentStatusChange.objects.public_log(), voided ones included and marked),
each voiding of one, and each meeting, commitment and office published (their `published_at`,
stamped by igr.policy.publish). Which of them concern a followed record is decided by
the same FilterSets the list pages and the API use, built without a request so they
offer only public choices; nothing here writes a second version of those queries.
Drafts never appear: every read starts from what igr.visibility lets the public see.
"""

import dataclasses
import datetime

from django.db.models import Q

from alerts.models import ChangeKind, Topic
from authorities.filters import OfficeFilter
from authorities.models import Authority, Office, Person
from forums.filters import CommitmentFilter, CommitmentStatusChangeFilter, MeetingFilter
from forums.models import (
    Commitment,
    CommitmentStatusChange,
    Forum,
    Meeting,
    Recommendation,
    StatusChangeVoid,
)
from igr import visibility

#: The model each topic follows, and the URL parameter that names a record of it.
TOPIC_MODELS = {
    Topic.FORUM: Forum,
    Topic.AUTHORITY: Authority,
    Topic.PERSON: Person,
    Topic.COMMITMENT: Commitment,
    Topic.RECOMMENDATION: Recommendation,
}


def find_record(topic, key):
    """The public record a subscribe link names (a slug, or a commitment's number), or
    None: a draft is as unknown as a record that does not exist."""
    model = TOPIC_MODELS[topic]
    records = visibility.visible(model)
    if topic == Topic.COMMITMENT:
        if not str(key).isdigit() or int(key) > 2**62:
            return None
        return records.filter(pk=int(key)).first()
    return records.filter(slug=key).first()


def followed_record(subscription):
    """The record a subscription follows while the public may see it, else None."""
    if subscription.topic == Topic.SEARCH:
        return None
    model = TOPIC_MODELS[subscription.topic]
    return visibility.visible(model).filter(pk=subscription.object_id).first()


def followed_records(subscriptions) -> dict:
    """{subscription pk: its public record or None} in one query per topic (the manage
    page lists many)."""
    wanted = {}
    for subscription in subscriptions:
        if subscription.topic != Topic.SEARCH:
            wanted.setdefault(subscription.topic, set()).add(subscription.object_id)
    found = {
        topic: visibility.visible(TOPIC_MODELS[topic]).in_bulk(ids) for topic, ids in wanted.items()
    }
    return {
        s.pk: found.get(s.topic, {}).get(s.object_id) if s.topic != Topic.SEARCH else None
        for s in subscriptions
    }


def describe(subscription, record) -> str:
    if subscription.topic == Topic.SEARCH:
        return f"Search: “{subscription.query}”"
    name = str(record) if record is not None else "a record no longer public"
    return f"{subscription.get_topic_display()}: {name}"


@dataclasses.dataclass(frozen=True)
class Change:
    kind: str
    id: int
    at: datetime.datetime
    title: str
    text: str
    path: str
    date: datetime.date | None = None
    voided_reason: str | None = None
    voids: int | None = None  # for a voiding, the status change it voids

    @property
    def key(self):
        return (self.kind, self.id)


def _filtered(filterset_class, params, queryset):
    """`queryset` narrowed by a FilterSet; nothing at all when the parameters are not valid
    (django-filter would otherwise drop an invalid filter and return everything)."""
    filterset = filterset_class(params, queryset=queryset)
    return filterset.qs if filterset.is_valid() else queryset.none()


def _status_changes(subscription, record):
    changes = CommitmentStatusChange.objects.public_log()
    topic = subscription.topic
    if topic == Topic.SEARCH:
        return _filtered(CommitmentStatusChangeFilter, {"q": subscription.query}, changes)
    if record is None:
        return changes.none()
    if topic == Topic.COMMITMENT:
        return _filtered(CommitmentStatusChangeFilter, {"commitment": record.pk}, changes)
    if topic == Topic.FORUM:
        return _filtered(CommitmentStatusChangeFilter, {"forum": record.slug}, changes)
    return changes.filter(commitment__in=_commitments(subscription, record).values("pk"))


def _commitments(subscription, record):
    commitments = visibility.visible(Commitment)
    topic = subscription.topic
    if topic == Topic.SEARCH:
        return _filtered(CommitmentFilter, {"q": subscription.query}, commitments)
    if record is None or topic == Topic.COMMITMENT:
        return commitments.none()
    if topic == Topic.PERSON:
        # A person's commitments: those agreed at the meetings they attended.
        return commitments.filter(meeting__in=_meetings(subscription, record).values("pk"))
    return _filtered(CommitmentFilter, {topic: record.slug}, commitments)


def _meetings(subscription, record):
    meetings = visibility.visible(Meeting).select_related("forum")
    topic = subscription.topic
    if topic == Topic.SEARCH:
        return _filtered(MeetingFilter, {"q": subscription.query}, meetings)
    if record is None or topic == Topic.COMMITMENT:
        return meetings.none()
    return _filtered(MeetingFilter, {topic: record.slug}, meetings)


def _offices(subscription, record):
    offices = visibility.visible(Office).select_related("person", "authority")
    topic = subscription.topic
    if topic == Topic.SEARCH:
        return _filtered(OfficeFilter, {"q": subscription.query}, offices)
    if record is None or topic not in {Topic.PERSON, Topic.AUTHORITY}:
        return offices.none()
    return _filtered(OfficeFilter, {topic: record.slug}, offices)


def _status(change):
    return f"{change.get_old_status_display()} → {change.get_new_status_display()}"


def pending_changes(subscription, record, *, exclude=frozenset()) -> list[Change]:
    """The public changes concerning `subscription` that became public since it was
    confirmed and whose (kind, id) is not in `exclude` (those already delivered), oldest
    first. A status change recorded on a draft commitment counts from the commitment's
    publication, when the public first sees it."""
    since = subscription.confirmed_at
    found = []
    status_changes = _status_changes(subscription, record)
    for change in status_changes.filter(
        Q(created_at__gte=since) | Q(commitment__published_at__gte=since)
    ):
        void = getattr(change, "voided_by", None)
        found.append(
            Change(
                kind=ChangeKind.STATUS_CHANGE,
                id=change.pk,
                at=max(change.created_at, change.commitment.published_at or change.created_at),
                title=f"{change.commitment.title}: {_status(change)}",
                text=change.note,
                path=f"{change.commitment.get_absolute_url()}#change-{change.pk}",
                date=change.effective_on,
                voided_reason=void.reason if void else None,
            )
        )
    voids = StatusChangeVoid.objects.filter(
        change__in=status_changes.values("pk"), created_at__gte=since
    ).select_related("change__commitment")
    for void in voids:
        change = void.change
        found.append(
            Change(
                kind=ChangeKind.VOID,
                id=void.pk,
                at=void.created_at,
                title=f"Voided: {change.commitment.title}: {_status(change)}",
                text=void.reason,
                path=f"{change.commitment.get_absolute_url()}#change-{change.pk}",
                date=change.effective_on,
                voids=change.pk,
            )
        )
    for meeting in _meetings(subscription, record).filter(published_at__gte=since):
        forum = meeting.forum.name if visibility.shows(Forum, meeting.forum) else "Meeting"
        found.append(
            Change(
                kind=ChangeKind.MEETING,
                id=meeting.pk,
                at=meeting.published_at,
                title=f"{forum}, {meeting.date:%-d %B %Y} ({meeting.get_status_display().lower()})",
                text=meeting.summary or meeting.status_reason or "",
                path=meeting.get_absolute_url(),
                date=meeting.date,
            )
        )
    for commitment in _commitments(subscription, record).filter(published_at__gte=since):
        found.append(
            Change(
                kind=ChangeKind.COMMITMENT,
                id=commitment.pk,
                at=commitment.published_at,
                title=f"Commitment: {commitment.title}",
                text=commitment.text,
                path=commitment.get_absolute_url(),
                date=commitment.made_on,
            )
        )
    for office in _offices(subscription, record).filter(published_at__gte=since):
        held = f"from {office.started_on:%-d %B %Y}"
        if office.ended_on:
            held += f" to {office.ended_on:%-d %B %Y}"
        found.append(
            Change(
                kind=ChangeKind.OFFICE,
                id=office.pk,
                at=office.published_at,
                title=f"Office: {office.person.name}, {office.title}, {office.authority.name}",
                text=f"Held {held}.",
                path=office.person.get_absolute_url(),
                date=office.started_on,
            )
        )
    found = [change for change in found if change.key not in exclude]
    return sorted(found, key=lambda change: (change.at, change.kind, change.id))
