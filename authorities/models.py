"""Authorities that sit at forums, their councils, and the people who hold office there."""

import datetime

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from igr.records import PublicationState, PublishableModel, PublishableQuerySet, TimeStampedModel

GSS_CODE_VALIDATOR = RegexValidator(
    r"^[EWSNK]\d{8}$", "A GSS code is a letter (E, W, S, N or K) followed by eight digits."
)
COLOUR_VALIDATOR = RegexValidator(r"^#[0-9A-Fa-f]{6}$", "Give the colour as #RRGGBB.")
WIKIDATA_VALIDATOR = RegexValidator(r"^Q[1-9]\d*$", "A Wikidata id looks like Q12345.")


class AuthorityKind(models.TextChoices):
    MCA = "mca", "Mayoral combined authority"
    MCCA = "mcca", "Mayoral combined county authority"
    CA = "ca", "Combined authority (no mayor)"
    GLA = "gla", "Greater London Authority"
    UK_GOVERNMENT = "uk_government", "UK Government"
    DEVOLVED_GOVERNMENT = "devolved_government", "Devolved government"
    LOCAL_GOVERNMENT = "local_government", "Local-government body"
    OTHER = "other", "Other"


MAYORAL_KINDS = (AuthorityKind.MCA, AuthorityKind.MCCA, AuthorityKind.GLA)


class DevolutionTier(models.TextChoices):
    FOUNDATION = "foundation", "Foundation strategic authority"
    MAYORAL = "mayoral", "Mayoral strategic authority"
    ESTABLISHED_MAYORAL = "established_mayoral", "Established mayoral strategic authority"


class AuthorityQuerySet(PublishableQuerySet):
    def mayoral(self):
        return self.filter(kind__in=MAYORAL_KINDS)

    def existing(self, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.filter(Q(abolished_on__isnull=True) | Q(abolished_on__gt=on))


class Authority(PublishableModel):
    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=60, blank=True)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=30, choices=AuthorityKind.choices, db_index=True)
    gss_code = models.CharField(
        "ONS GSS code",
        max_length=9,
        unique=True,
        null=True,
        blank=True,
        validators=[GSS_CODE_VALIDATOR],
    )
    established_on = models.DateField(null=True, blank=True)
    abolished_on = models.DateField(null=True, blank=True)
    website = models.URLField(blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(null=True, blank=True)
    devolution_tier = models.CharField(max_length=30, choices=DevolutionTier.choices, blank=True)
    notes = models.TextField(
        blank=True, help_text="Uncertain or conflicting facts, with the competing values."
    )
    sources = models.ManyToManyField("forums.Source", blank=True, related_name="authorities")

    objects = AuthorityQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        permissions = [("publish_authority", "Can publish or withdraw authority records")]
        ordering = ["name"]
        verbose_name_plural = "authorities"
        constraints = [
            models.CheckConstraint(
                condition=Q(abolished_on__isnull=True)
                | Q(established_on__isnull=True)
                | Q(abolished_on__gte=models.F("established_on")),
                name="authority_abolished_not_before_established",
                violation_error_message=(
                    "An authority cannot be abolished before it was established."
                ),
            ),
            models.CheckConstraint(
                condition=Q(population__isnull=True) | Q(population_year__isnull=False),
                name="authority_population_has_year",
                violation_error_message="Give the year of the population figure.",
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="authority_slug_not_empty"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("authorities:authority-detail", kwargs={"slug": self.slug})

    @property
    def is_mayoral(self) -> bool:
        return self.kind in MAYORAL_KINDS


class Council(TimeStampedModel):
    """A constituent local authority of a combined authority."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="councils")
    name = models.CharField(max_length=200)
    gss_code = models.CharField(
        "ONS GSS code",
        max_length=9,
        unique=True,
        null=True,
        blank=True,
        validators=[GSS_CODE_VALIDATOR],
    )
    is_non_constituent = models.BooleanField(
        default=False, help_text="Sits on the board without being a constituent member."
    )
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["authority__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "name"],
                name="council_unique_name_per_authority",
                violation_error_message="This authority already has a council with that name.",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.authority.short_name or self.authority.name})"


class Party(TimeStampedModel):
    name = models.CharField(max_length=100, unique=True)
    short_name = models.CharField(max_length=30, blank=True)
    slug = models.SlugField(max_length=100, unique=True)
    colour = models.CharField(max_length=7, blank=True, validators=[COLOUR_VALIDATOR])

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "parties"

    def __str__(self):
        return self.name


class PersonQuerySet(models.QuerySet):
    def published(self):
        """People appear publicly once they hold a published office or attended a
        published meeting; they have no publication state of their own."""
        Attendance = apps.get_model("forums", "Attendance")
        return self.filter(
            models.Exists(Office.objects.published().filter(person=models.OuterRef("pk")))
            | models.Exists(Attendance.objects.published().filter(person=models.OuterRef("pk")))
        )


class Person(TimeStampedModel):
    name = models.CharField(max_length=200, db_index=True)
    slug = models.SlugField(max_length=100, unique=True)
    wikidata_id = models.CharField(
        "Wikidata id",
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        validators=[WIKIDATA_VALIDATOR],
    )
    notes = models.TextField(blank=True)

    objects = PersonQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "people"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("authorities:person-detail", kwargs={"slug": self.slug})

    def forum_seats(self) -> list[dict]:
        """The forums this person sat on through their published offices: each office
        whose authority was a published forum's member while it was held, with the
        overlap of the two periods ({"forum", "office", "from", "to"}; None is open).
        Two queries, whatever the number of offices."""
        ForumMembership = apps.get_model("forums", "ForumMembership")
        offices = list(Office.objects.published().filter(person=self).select_related("authority"))
        memberships = (
            ForumMembership.objects.published()
            .filter(authority__in={office.authority_id for office in offices})
            .select_related("forum")
        )
        seats = []
        for membership in memberships:
            for office in offices:
                if office.authority_id != membership.authority_id:
                    continue
                start = max(filter(None, (office.started_on, membership.started_on)))
                ends = [d for d in (office.ended_on, membership.ended_on) if d is not None]
                end = min(ends) if ends else None
                if end is None or start <= end:
                    seats.append(
                        {"forum": membership.forum, "office": office, "from": start, "to": end}
                    )
        seats.sort(key=lambda seat: (seat["forum"].name, seat["from"]))
        return seats


class OfficeQuerySet(PublishableQuerySet):
    def published(self):
        return super().published().filter(authority__publication_state=PublicationState.PUBLISHED)

    def on(self, date: datetime.date):
        """Offices held on `date` (the start day and the end day both count)."""
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=date), started_on__lte=date)

    def current(self, on: datetime.date | None = None):
        return self.on(on or timezone.localdate())

    def of_post(self, title: str, authority: "Authority"):
        return self.filter(title__iexact=title, authority=authority)

    def mayors(self):
        return self.filter(title__iexact="Mayor")


class Office(PublishableModel):
    """A person holding a post at an authority over a period."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="offices")
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="offices")
    title = models.CharField(
        max_length=200, help_text='The post, e.g. "Mayor", "First Minister", "Prime Minister".'
    )
    party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offices",
        help_text="Party at the time the office was held.",
    )
    started_on = models.DateField(db_index=True)
    ended_on = models.DateField(null=True, blank=True, help_text="Leave empty while current.")
    dates_uncertain = models.BooleanField(
        default=False, help_text="The start or end date is not confirmed by a source."
    )
    notes = models.TextField(blank=True)
    sources = models.ManyToManyField("forums.Source", blank=True, related_name="offices")

    objects = OfficeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        permissions = [("publish_office", "Can publish or withdraw office records")]
        ordering = ["authority__name", "title", "-started_on", "id"]
        indexes = [models.Index(fields=["authority", "title", "started_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="office_ends_after_it_starts",
                violation_error_message="An office cannot end before it starts.",
            ),
        ]

    def __str__(self):
        return f"{self.person} — {self.title}, {self.authority}"

    def clean(self):
        super().clean()
        if not (self.started_on and self.authority_id and self.title):
            return
        overlapping = Office.objects.of_post(self.title, self.authority).exclude(pk=self.pk)
        end = self.ended_on or datetime.date.max
        # A handover on one day (one ends on the day the next starts) is not an overlap.
        overlapping = overlapping.filter(started_on__lt=end).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=self.started_on)
        )
        clash = overlapping.select_related("person").first()
        if clash is not None:
            raise ValidationError(
                f"{clash.person} held the post of {clash.title} at {self.authority} from "
                f"{clash.started_on:%-d %B %Y}"
                + (f" to {clash.ended_on:%-d %B %Y}" if clash.ended_on else " and still does")
                + "; two people cannot hold it on the same day."
            )
