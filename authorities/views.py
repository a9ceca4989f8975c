"""Public pages for authorities and people. Every queryset starts from `.published()`."""

from collections import Counter

from django.apps import apps
from django.db.models import Prefetch
from django.utils import timezone
from django.views.generic import DetailView

from authorities.filters import AuthorityFilter
from authorities.models import Authority, Office, Person
from igr.listing import FilteredListView


def _attendance_record(meetings) -> dict:
    """Held meetings at which an authority or person was expected (annotated by the
    meetings' expected_of()), newest first, and how many of them by attendance status:
    present, sent apologies, absent (where attendance is recorded) and unknown."""
    meetings = list(meetings.select_related("forum").order_by("-date", "slug"))
    counts = Counter(m.attendance_status for m in meetings)
    return {
        "meetings": meetings,
        "expected": len(meetings),
        **{
            status: counts[status]
            for status in ("present", "apologies", "represented", "absent", "unknown")
        },
    }


def _forums_model(name):
    # The pages show what forums record about an authority or person; authorities never
    # imports forums (docs/architecture.md), so the models are looked up by name.
    return apps.get_model("forums", name)


class AuthorityListView(FilteredListView):
    template_name = "authorities/authority_list.html"
    filterset_class = AuthorityFilter
    filter_fields = ("q", "kind", "devolution_tier", "forum")
    csv_name = "authorities"
    csv_columns = (
        ("slug", lambda a: a.slug),
        ("name", lambda a: a.name),
        ("short_name", lambda a: a.short_name),
        ("kind", lambda a: a.kind),
        ("gss_code", lambda a: a.gss_code),
        ("established_on", lambda a: a.established_on),
        ("abolished_on", lambda a: a.abolished_on),
        ("devolution_tier", lambda a: a.devolution_tier),
        ("population", lambda a: a.population),
        ("population_year", lambda a: a.population_year),
        ("website", lambda a: a.website),
    )

    def get_base_queryset(self):
        return Authority.objects.published().select_related(None)


class AuthorityDetailView(DetailView):
    template_name = "authorities/authority_detail.html"
    context_object_name = "authority"

    def get_queryset(self):
        return Authority.objects.published().prefetch_related("sources", "councils")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        authority = self.object
        Attendance, Commitment, ForumMembership, Meeting = map(
            _forums_model, ("Attendance", "Commitment", "ForumMembership", "Meeting")
        )
        offices = Office.objects.published().filter(authority=authority)
        attended = Meeting.objects.published().filter(
            pk__in=Attendance.objects.filter(authority=authority).values("meeting")
        )
        context.update(
            current_offices=offices.current()
            .select_related("person", "party")
            .order_by("title", "-started_on"),
            current_mayor=offices.current().mayors().select_related("person", "party").first(),
            past_offices=offices.filter(ended_on__lt=timezone.localdate())
            .select_related("person", "party")
            .order_by("-ended_on"),
            memberships=ForumMembership.objects.published()
            .filter(authority=authority)
            .select_related("forum")
            .order_by("forum__name"),
            meetings_attended=attended.select_related("forum").order_by("-date"),
            attendance_record=_attendance_record(
                Meeting.objects.published().expected_of(authority=authority)
            ),
            commitments_led=Commitment.objects.published()
            .filter(lead_authority=authority)
            .select_related("meeting__forum", "forum")
            .order_by("-made_on", "id"),
        )
        return context


class PersonDetailView(DetailView):
    template_name = "authorities/person_detail.html"
    context_object_name = "person"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        Meeting = _forums_model("Meeting")
        context["attendance_record"] = _attendance_record(
            Meeting.objects.published().expected_of(person=self.object)
        )
        return context

    def get_queryset(self):
        Attendance = _forums_model("Attendance")
        return Person.objects.published().prefetch_related(
            Prefetch(
                "offices",
                queryset=Office.objects.published()
                .select_related("authority", "party")
                .order_by("-started_on"),
                to_attr="public_offices",
            ),
            Prefetch(
                "attendances",
                queryset=Attendance.objects.published()
                .select_related("meeting__forum", "authority", "substitute_for")
                .order_by("-meeting__date"),
                to_attr="public_attendances",
            ),
        )
