"""factory_boy factories for every model. Defaults make a valid, published record.

Each factory is a write path like the admin's and the API's: it creates its record (and
any SubFactory parents and post-generation tags) in one igr.policy.writing() transaction
and touches what it made, so the stored figures are current after every factory call."""

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
from igr import policy


class RecordFactory(factory.django.DjangoModelFactory):
    """Creates inside policy.writing() and touches the record created."""

    class Meta:
        abstract = True

    @classmethod
    def _generate(cls, strategy, params):
        if strategy != factory.enums.CREATE_STRATEGY:
            return super()._generate(strategy, params)
        with policy.writing(using=cls._meta.database) as write:
            instance = super()._generate(strategy, params)
            write.touched(instance)
            return instance


def _tags(instance, create, extracted, **kwargs):
    """`recommendations=[...]` tags the record once it exists."""
    if create and extracted:
        instance.recommendations.add(*extracted)


class SourceFactory(RecordFactory):
    class Meta:
        model = Source

    url = factory.Sequence(lambda n: f"https://www.gov.uk/government/news/item-{n}")
    title = factory.Sequence(lambda n: f"Official statement {n}")
    publisher = "GOV.UK"
    kind = SourceKind.OFFICIAL
    published_on = datetime.date(2025, 1, 1)


class PublishedMixin(RecordFactory):
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


class CouncilFactory(RecordFactory):
    class Meta:
        model = Council

    authority = factory.SubFactory(AuthorityFactory)
    name = factory.Sequence(lambda n: f"Borough {n}")


class PartyFactory(RecordFactory):
    class Meta:
        model = Party

    name = factory.Sequence(lambda n: f"Party {n}")
    short_name = factory.Sequence(lambda n: f"P{n}")
    slug = factory.Sequence(lambda n: f"party-{n}")
    colour = "#d4351c"


class PersonFactory(RecordFactory):
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


class ReportFactory(RecordFactory):
    class Meta:
        model = Report

    title = factory.Sequence(lambda n: f"Report {n}")
    slug = factory.Sequence(lambda n: f"report-{n}")
    publisher = "Heseltine Institute"
    authors = "A. Author"
    published_on = datetime.date(2025, 6, 19)


class RecommendationFactory(RecordFactory):
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


class ForumMembershipFactory(RecordFactory):
    class Meta:
        model = ForumMembership

    forum = factory.SubFactory(ForumFactory)
    authority = factory.SubFactory(AuthorityFactory)


class KnownGapFactory(RecordFactory):
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


class AttendanceFactory(RecordFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    person = factory.SubFactory(PersonFactory)
    authority = factory.SubFactory(AuthorityFactory)


class AgendaItemFactory(RecordFactory):
    class Meta:
        model = AgendaItem
        skip_postgeneration_save = True

    meeting = factory.SubFactory(MeetingFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Agenda item {n}")
    recommendations = factory.PostGeneration(_tags)


class DocumentFactory(RecordFactory):
    class Meta:
        model = Document

    meeting = factory.SubFactory(MeetingFactory)
    kind = DocumentKind.COMMUNIQUE
    title = factory.Sequence(lambda n: f"Communiqué {n}")


class CommitmentFactory(PublishedMixin):
    class Meta:
        model = Commitment
        skip_postgeneration_save = True

    meeting = factory.SubFactory(MeetingFactory)
    title = factory.Sequence(lambda n: f"Commitment {n}")
    text = "The parties agreed to meet again."
    made_on = datetime.date(2024, 10, 11)
    recommendations = factory.PostGeneration(_tags)
