"""FilterSets for authorities and people, shared by the public list pages and the API."""

import django_filters
from django.apps import apps
from django.db.models import Exists, OuterRef
from django.utils import timezone

from authorities.models import (
    Authority,
    AuthorityKind,
    Council,
    DevolutionTier,
    Office,
    Party,
    Person,
)
from igr.filters import BaseFilterSet, slug_filter


class AuthorityFilter(BaseFilterSet):
    kind = django_filters.ChoiceFilter(choices=AuthorityKind.choices)
    devolution_tier = django_filters.ChoiceFilter(choices=DevolutionTier.choices)
    mayoral = django_filters.BooleanFilter(method="filter_mayoral", label="Mayoral authorities")
    forum = slug_filter(
        apps.get_model("forums", "Forum").objects.all(), "Member of forum", method="filter_forum"
    )
    existing = django_filters.BooleanFilter(method="filter_existing", label="Not abolished")
    ordering = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("established_on", "established_on"),
            ("population", "population"),
        )
    )
    search_fields = ("name", "short_name", "gss_code")
    # Kept in step with the GIN index of migration "search_indexes".
    search_vector = (("name", "A"), ("short_name", "A"), ("gss_code", "A"))

    class Meta:
        model = Authority
        fields = ["kind", "devolution_tier"]

    def filter_mayoral(self, queryset, name, value):
        mayoral = queryset.mayoral()
        return mayoral if value else queryset.exclude(pk__in=mayoral.values("pk"))

    def filter_existing(self, queryset, name, value):
        existing = queryset.existing()
        return existing if value else queryset.exclude(pk__in=existing.values("pk"))

    def filter_forum(self, queryset, name, forum):
        return queryset.filter(Exists(forum.memberships.filter(authority=OuterRef("pk"))))


class CouncilFilter(BaseFilterSet):
    authority = slug_filter(Authority.objects.all(), "Authority")
    ordering = django_filters.OrderingFilter(fields=(("name", "name"),))
    sync_parents = ("authority",)
    search_fields = ("name", "gss_code")

    class Meta:
        model = Council
        fields = ["authority"]


class PartyFilter(BaseFilterSet):
    ordering = django_filters.OrderingFilter(fields=(("name", "name"),))
    search_fields = ("name", "short_name")

    class Meta:
        model = Party
        fields = []


class PersonFilter(BaseFilterSet):
    current = django_filters.BooleanFilter(
        method="filter_current",
        label="Holds an office today",
        help_text=(
            "Yes: holds a recorded office today. No: holds none today (past "
            "office-holders, and attendees who held none)."
        ),
    )
    post = django_filters.CharFilter(
        method="filter_post",
        max_length=200,
        label="Post held",
        help_text='Any recorded office with this title, e.g. "Mayor".',
    )
    authority = slug_filter(Authority.objects.all(), "Held office at", method="filter_authority")
    party = slug_filter(Party.objects.all(), "Party (any office held)", method="filter_party")
    forum = slug_filter(
        apps.get_model("forums", "Forum").objects.all(),
        "Attended a meeting of",
        method="filter_forum",
    )
    ordering = django_filters.OrderingFilter(fields=(("name", "name"),))
    sync_parents = ("offices", "offices__authority", "attendances__meeting")
    search_fields = ("name",)
    # Kept in step with the GIN index of migration "search_indexes".
    search_vector = (("name", "A"),)

    class Meta:
        model = Person
        fields = []

    def filter_authority(self, queryset, name, authority):
        return queryset.filter(
            Exists(Office.objects.filter(person=OuterRef("pk"), authority=authority))
        )

    def filter_party(self, queryset, name, party):
        return queryset.filter(Exists(Office.objects.filter(person=OuterRef("pk"), party=party)))

    def filter_current(self, queryset, name, value):
        current = Exists(Office.objects.published().current().filter(person=OuterRef("pk")))
        return queryset.filter(current if value else ~current)

    def filter_post(self, queryset, name, value):
        return queryset.filter(
            Exists(Office.objects.filter(person=OuterRef("pk"), title__iexact=value.strip()))
        )

    def filter_forum(self, queryset, name, forum):
        Attendance = apps.get_model("forums", "Attendance")
        return queryset.filter(
            Exists(
                Attendance.objects.published().filter(person=OuterRef("pk"), meeting__forum=forum)
            )
        )


class OfficeFilter(BaseFilterSet):
    authority = slug_filter(Authority.objects.all(), "Authority")
    person = slug_filter(Person.objects.all(), "Person")
    party = slug_filter(Party.objects.all(), "Party")
    title = django_filters.CharFilter(lookup_expr="iexact", max_length=200, label="Post")
    started = django_filters.DateFromToRangeFilter(field_name="started_on", label="Started")
    held_on = django_filters.DateFilter(method="filter_held_on", label="Held on date")
    current = django_filters.BooleanFilter(method="filter_current", label="Held today")
    ordering = django_filters.OrderingFilter(
        fields=(("started_on", "started_on"), ("ended_on", "ended_on"), ("title", "title"))
    )
    sync_parents = ("authority",)
    search_fields = ("title", "person__name", "authority__name")

    class Meta:
        model = Office
        fields = ["authority", "person", "party"]

    def filter_held_on(self, queryset, name, value):
        return queryset.on(value)

    def filter_current(self, queryset, name, value):
        current = queryset.on(timezone.localdate())
        return current if value else queryset.exclude(pk__in=current.values("pk"))
