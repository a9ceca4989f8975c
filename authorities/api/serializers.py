"""Flat serializers for authorities, councils, parties, people and offices."""

from authorities.models import Authority, Council, Office, Party, Person
from igr.api.base import CleanModelSerializer
from igr.api.serializers import (
    PUBLICATION_FIELDS,
    READ_ONLY,
    TIMESTAMPS,
    self_link,
    slug_field,
    sources_field,
)


class AuthoritySerializer(CleanModelSerializer):
    url = self_link("authority", "slug")
    sources = sources_field(Authority)

    class Meta:
        model = Authority
        fields = [
            "url",
            "slug",
            "name",
            "short_name",
            "kind",
            "gss_code",
            "established_on",
            "abolished_on",
            "website",
            "population",
            "population_year",
            "devolution_tier",
            "notes",
            "sources",
            *PUBLICATION_FIELDS,
            *TIMESTAMPS,
        ]
        read_only_fields = READ_ONLY


class CouncilSerializer(CleanModelSerializer):
    url = self_link("council")
    authority = slug_field(Authority.objects.all(), help_text="Slug of the combined authority.")

    class Meta:
        model = Council
        fields = [
            "url",
            "id",
            "authority",
            "name",
            "gss_code",
            "is_non_constituent",
            "notes",
            *TIMESTAMPS,
        ]
        read_only_fields = TIMESTAMPS
        validators = []


class PartySerializer(CleanModelSerializer):
    url = self_link("party", "slug")

    class Meta:
        model = Party
        fields = ["url", "slug", "name", "short_name", "colour", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


class PersonSerializer(CleanModelSerializer):
    url = self_link("person", "slug")

    class Meta:
        model = Person
        fields = ["url", "slug", "name", "wikidata_id", "notes", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


class OfficeSerializer(CleanModelSerializer):
    url = self_link("office")
    person = slug_field(Person.objects.all(), help_text="Slug of the office holder.")
    authority = slug_field(Authority.objects.all(), help_text="Slug of the authority.")
    party = slug_field(
        Party.objects.all(),
        allow_null=True,
        required=False,
        help_text="Slug of their party at the time.",
    )
    sources = sources_field(Office)

    class Meta:
        model = Office
        fields = [
            "url",
            "id",
            "person",
            "authority",
            "title",
            "party",
            "started_on",
            "ended_on",
            "dates_uncertain",
            "notes",
            "sources",
            *PUBLICATION_FIELDS,
            *TIMESTAMPS,
        ]
        read_only_fields = READ_ONLY
