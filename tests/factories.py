"""factory_boy factories for every model. Defaults make a valid, published record."""

import datetime

import factory
from django.utils import timezone

from authorities.models import Authority, AuthorityKind, Council, Office, Party, Person
from forums.models import (
    AgendaItem,
    Attendance,
    Commitment,
    Document,
    DocumentKind,
    Forum,
    ForumMembership,
    KnownGap,
    KnownGapKind,
    Meeting,
    MeetingStatus,
    Recommendation,
    Report,
    Source,
    SourceKind,
)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    url = factory.Sequence(lambda n: f"https://www.gov.uk/government/news/item-{n}")
    title = factory.Sequence(lambda n: f"Official statement {n}")
    publisher = "GOV.UK"
    kind = SourceKind.OFFICIAL
    published_on = datetime.date(2025, 1, 1)


class PublishedMixin(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    publication_state = "published"
    published_at = factory.LazyFunction(timezone.now)


class AuthorityFactory(PublishedMixin):
    class Meta:
        model = Authority

    name = factory.Sequence(lambda n: f"Test Combined Authority {n}")
    short_name = factory.Sequence(lambda n: f"TCA{n}")
    slug = factory.Sequence(lambda n: f"test-combined-authority-{n}")
    kind = AuthorityKind.MCA


class CouncilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Council

    authority = factory.SubFactory(AuthorityFactory)
    name = factory.Sequence(lambda n: f"Borough {n}")


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    name = factory.Sequence(lambda n: f"Party {n}")
    short_name = factory.Sequence(lambda n: f"P{n}")
    slug = factory.Sequence(lambda n: f"party-{n}")
    colour = "#d4351c"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")
    slug = factory.Sequence(lambda n: f"person-{n}")


class OfficeFactory(PublishedMixin):
    class Meta:
        model = Office

    person = factory.SubFactory(PersonFactory)
    authority = factory.SubFactory(AuthorityFactory)
    title = "Mayor"
    party = factory.SubFactory(PartyFactory)
    started_on = datetime.date(2021, 5, 10)


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    title = factory.Sequence(lambda n: f"Report {n}")
    slug = factory.Sequence(lambda n: f"report-{n}")
    publisher = "Heseltine Institute"
    authors = "A. Author"
    published_on = datetime.date(2025, 6, 19)


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    report = factory.SubFactory(ReportFactory)
    number = factory.Sequence(lambda n: n + 1)
    slug = factory.Sequence(lambda n: f"recommendation-{n}")
    title = factory.Sequence(lambda n: f"Recommendation {n}")
    summary = "Do the thing."


class ForumFactory(PublishedMixin):
    class Meta:
        model = Forum

    name = factory.Sequence(lambda n: f"Forum {n}")
    slug = factory.Sequence(lambda n: f"forum-{n}")
    founded_on = datetime.date(2024, 10, 1)


class ForumMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ForumMembership

    forum = factory.SubFactory(ForumFactory)
    authority = factory.SubFactory(AuthorityFactory)


class KnownGapFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KnownGap

    kind = KnownGapKind.NO_LATER_MEETING
    forum = factory.SubFactory(ForumFactory)
    text = factory.Sequence(lambda n: f"No meeting found after the spring ({n}).")


class MeetingFactory(PublishedMixin):
    class Meta:
        model = Meeting

    forum = factory.SubFactory(ForumFactory)
    # Wraps every 600 meetings: a long test run must never date a held meeting in the
    # future (the database refuses it); the slug's sequence number keeps slugs unique.
    date = factory.Sequence(lambda n: datetime.date(2024, 1, 1) + datetime.timedelta(days=n % 600))
    slug = factory.LazyAttributeSequence(lambda o, n: f"{o.forum.slug}-{o.date:%Y-%m-%d}-{n}")
    status = MeetingStatus.HELD


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    person = factory.SubFactory(PersonFactory)
    authority = factory.SubFactory(AuthorityFactory)


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Agenda item {n}")


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    meeting = factory.SubFactory(MeetingFactory)
    kind = DocumentKind.COMMUNIQUE
    title = factory.Sequence(lambda n: f"Communiqué {n}")


class CommitmentFactory(PublishedMixin):
    class Meta:
        model = Commitment

    meeting = factory.SubFactory(MeetingFactory)
    title = factory.Sequence(lambda n: f"Commitment {n}")
    text = "The parties agreed to meet again."
    made_on = datetime.date(2024, 10, 11)
