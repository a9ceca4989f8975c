"""Public pages for authorities and people. Every queryset starts from `.published()`."""

from collections import Counter

from django.apps import apps
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.text import slugify
from django.views.generic import DetailView, TemplateView

from authorities.filters import AuthorityFilter, PersonFilter
from authorities.models import Authority, Council, Office, Person
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
    keyset_field = "slug"
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


def _office_line(office):
    party = f" ({office.party.short_name or office.party.name})" if office.party_id else ""
    return f"{office.title}, {office.authority.name}{party}"


def _offices(person, *, current):
    today = timezone.localdate()
    return [
        office
        for office in person.public_offices
        if (office.ended_on is None or office.ended_on >= today) == current
        and (office.started_on <= today or not current)
    ]


class PersonListView(FilteredListView):
    """Everyone in the public record, office-holders and attendees, with their offices."""

    template_name = "authorities/person_list.html"
    filterset_class = PersonFilter
    filter_fields = ("q", "current", "post", "authority", "party", "forum")
    csv_name = "people"
    keyset_field = "slug"
    csv_columns = (
        ("slug", lambda p: p.slug),
        ("name", lambda p: p.name),
        ("wikidata_id", lambda p: p.wikidata_id),
        ("current_offices", lambda p: "; ".join(map(_office_line, _offices(p, current=True)))),
        ("past_offices", lambda p: "; ".join(map(_office_line, _offices(p, current=False)))),
    )

    def get_base_queryset(self):
        # Each person's published offices in one query per page (or CSV chunk).
        return Person.objects.published().prefetch_related(
            Prefetch(
                "offices",
                queryset=Office.objects.published()
                .select_related("authority", "party")
                .order_by("-started_on", "id"),
                to_attr="public_offices",
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = [
            {
                "person": person,
                "current": _offices(person, current=True),
                "past": _offices(person, current=False),
            }
            for person in context["object_list"]
        ]
        return context


def _public_councils():
    """Every council of a published authority, A–Z within each authority."""
    return (
        Council.objects.filter(authority__in=Authority.objects.published())
        .select_related("authority")
        .order_by("authority__name", "name")
    )


def council_slug(council) -> str:
    # Councils have no slug of their own: the name read as a slug is unique in the record
    # (a council in two authorities is one name, and the page shows both).
    return slugify(council.name)


class MyAreaView(TemplateView):
    """Start from a council: its combined authority, the mayor, the forums the authority
    sits on and their next and latest meetings. /my-area/?council=<slug> redirects to the
    shareable /my-area/<slug>/."""

    template_name = "authorities/my_area.html"

    def get(self, request, *args, **kwargs):
        councils = list(_public_councils())
        chosen = request.GET.get("council", "").strip()
        slug = kwargs.get("slug")
        error = None
        if slug is None and chosen:
            if any(council_slug(c) == chosen for c in councils):
                return redirect("authorities:my-area-council", slug=chosen)
            error = "Select your council from the list."
        matched = [c for c in councils if council_slug(c) == slug] if slug else []
        if slug and not matched:
            raise Http404("No council has that name in the record.")
        context = self.get_context_data(
            councils=councils, chosen=slug or chosen, error=error, **self._area(matched)
        )
        return self.render_to_response(context, status=400 if error else 200)

    def _area(self, matched):
        if not matched:
            return {"areas": []}
        ForumMembership, Meeting = map(_forums_model, ("ForumMembership", "Meeting"))
        today = timezone.localdate()
        meetings = Meeting.objects.published().filter(forum=OuterRef("forum"))
        upcoming = meetings.upcoming(today)
        # As forum health's "last met": a possible meeting, or one on an unconfirmed day,
        # is never the latest held.
        latest = meetings.held().confirmed().filter(date__lte=today).order_by("-date", "slug")
        areas = []
        for council in matched:
            authority = council.authority
            memberships = (
                ForumMembership.objects.published()
                .on(today)
                .filter(authority=authority)
                .select_related("forum")
                .order_by("forum__name")
                .annotate(
                    next_slug=Subquery(upcoming.values("slug")[:1]),
                    next_date=Subquery(upcoming.values("date")[:1]),
                    latest_slug=Subquery(latest.values("slug")[:1]),
                    latest_date=Subquery(latest.values("date")[:1]),
                )
            )
            mayor = (
                Office.objects.published()
                .current(on=today)
                .mayors()
                .filter(authority=authority)
                .select_related("person", "party")
                .first()
            )
            areas.append(
                {
                    "council": council,
                    "authority": authority,
                    "mayor": mayor,
                    "memberships": list(memberships),
                }
            )
        return {"areas": areas}
