"""Atom feeds: meetings, recent changes (commitment status changes) and one
commitment's status changes; and the iCalendar of an authority's forums' meetings.
Feeds are public: what they show follows igr.visibility."""

from django.contrib.syndication.views import Feed
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from authorities.models import Authority
from forums.models import Commitment, CommitmentStatusChange, ForumMembership, Meeting
from forums.views import _calendar
from igr import visibility

FEED_LENGTH = 50


class MeetingsFeed(Feed):
    feed_type = Atom1Feed
    title = "IGR Tracker: forum meetings"
    subtitle = "Meetings of England's intergovernmental forums, latest first."
    link = reverse_lazy("forums:meeting-list")

    def items(self):
        meetings = visibility.visible(Meeting).select_related("forum")
        return meetings.order_by("-date")[:FEED_LENGTH]

    def item_title(self, item):
        # A published meeting of a forum still in draft does not name the forum.
        forum = item.forum.name if visibility.shows(type(item.forum), item.forum) else "Meeting"
        return f"{forum}, {item.date:%-d %B %Y} ({item.get_status_display().lower()})"

    def item_description(self, item):
        return item.summary or item.status_reason or ""

    def item_updateddate(self, item):
        return item.updated_at

    def item_pubdate(self, item):
        return item.published_at or item.created_at


def _change_title(change):
    title = (
        f"{change.commitment.title}: {change.get_old_status_display()} → "
        f"{change.get_new_status_display()}"
    )
    return f"Voided: {title}" if change.is_voided else title


def _change_description(change):
    if change.is_voided:
        return f"Voided: {change.voided_by.reason} (the change said: {change.note})"
    return change.note


class ChangesFeed(Feed):
    feed_type = Atom1Feed
    title = "IGR Tracker: recent changes"
    subtitle = "Changes in the status of commitments made at England's intergovernmental forums."
    link = reverse_lazy("changes")

    def items(self):
        return (
            visibility.visible(CommitmentStatusChange)
            .select_related("commitment", "voided_by")
            .order_by("-effective_on", "-id")[:FEED_LENGTH]
        )

    def item_title(self, item):
        return _change_title(item)

    def item_description(self, item):
        return _change_description(item)

    def item_link(self, item):
        return f"{item.commitment.get_absolute_url()}#change-{item.pk}"

    def item_updateddate(self, item):
        return item.updated_at

    def item_pubdate(self, item):
        return item.created_at


class CommitmentFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, pk):
        return get_object_or_404(visibility.visible(Commitment), pk=pk)

    def title(self, obj):
        return f"IGR Tracker: {obj.title}"

    def subtitle(self, obj):
        return "Every change in the status of this commitment, latest first."

    def link(self, obj):
        return obj.get_absolute_url()

    def feed_url(self, obj):
        return reverse("forums:commitment-feed", kwargs={"pk": obj.pk})

    def items(self, obj):
        return obj.status_changes.select_related("commitment", "voided_by").order_by(
            "-effective_on", "-id"
        )

    def item_title(self, item):
        return _change_title(item)

    def item_description(self, item):
        return _change_description(item)

    def item_link(self, item):
        return f"{item.commitment.get_absolute_url()}#change-{item.pk}"

    def item_updateddate(self, item):
        return item.updated_at

    def item_pubdate(self, item):
        return item.created_at


def authority_meetings_ics(request, slug):
    """The meetings of every forum the authority belonged to on the meeting's date,
    upcoming and past: the calendar "my area" offers for a council's authority."""
    authority = get_object_or_404(Authority.objects.published(), slug=slug)
    member = ForumMembership.objects.published().filter(
        Q(started_on__isnull=True) | Q(started_on__lte=OuterRef("date")),
        Q(ended_on__isnull=True) | Q(ended_on__gte=OuterRef("date")),
        forum=OuterRef("forum"),
        authority=authority,
    )
    meetings = (
        Meeting.objects.published().filter(Exists(member)).select_related("forum").order_by("date")
    )
    return _calendar(request, meetings, f"IGR Tracker: meetings of {authority.name}'s forums")
