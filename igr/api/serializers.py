"""Serializer building blocks every API shares: flat records whose relations appear as
slugs (or ids where a model has none), so a JSON row and a CSV row carry the same columns."""

import copy
import re

from django.urls import NoReverseMatch, reverse
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS

from igr import fulltext, visibility
from igr.api.base import CleanModelSerializer
from igr.filters import valid_slugs_hint
from igr.lib.params import UNKNOWN_PARAMETER, unknown_parameter_message

PUBLICATION_FIELDS = ["publication_state", "published_at", "withdrawal_reason"]
TIMESTAMPS = ["created_at", "updated_at"]
READ_ONLY = ["published_at", *TIMESTAMPS]


#: Lookup values that reverse() and build_absolute_uri() leave exactly as they are.
_PLAIN_LOOKUP = re.compile(r"^[-A-Za-z0-9_]+$")
_MARKER = "LOOKUPMARKER0"


class CanonicalLink(serializers.HyperlinkedIdentityField):
    """A record's own API address, without the `?format=csv` that DRF's reverse() would
    carry over from the request, so a record has one URL in every file.

    reverse() and build_absolute_uri() run once per serializer (a request) with a marker
    for the slug or id; each row then fills in its own value. A value they would quote or
    change (anything beyond letters, digits, - and _) still goes through reverse(). The
    URL is the same string either way (tests/api pin it); reverse() per row was a tenth
    of a list request."""

    def get_url(self, obj, view_name, request, format):
        value = getattr(obj, self.lookup_field)
        text = str(value)
        template = self._template(view_name, request) if _PLAIN_LOOKUP.match(text) else None
        if template is not None:
            return template[0] + text + template[1]
        url = reverse(view_name, kwargs={self.lookup_url_kwarg: value})
        return request.build_absolute_uri(url) if request is not None else url

    def _template(self, view_name, request):
        cached = getattr(self, "_cached_template", None)
        if cached is not None and cached[0] is request and cached[1] == view_name:
            return cached[2]
        template = None
        try:
            url = reverse(view_name, kwargs={self.lookup_url_kwarg: _MARKER})
        except NoReverseMatch:
            url = ""
        if url.count(_MARKER) == 1:
            url = request.build_absolute_uri(url) if request is not None else url
            if url.count(_MARKER) == 1:
                template = tuple(url.split(_MARKER))
        self._cached_template = (request, view_name, template)
        return template


class FieldsOnce:
    """A ModelSerializer works its fields out from the model on every instance (model
    introspection, field mapping, uniqueness validators): a tenth of a detail request.
    The fields depend only on the class, so they are built once per class and each
    serializer gets fresh copies (DRF's own way of copying declared fields)."""

    def get_fields(self):
        cls = type(self)
        prototype = cls.__dict__.get("_prototype_fields")
        if prototype is None:
            prototype = super().get_fields()
            cls._prototype_fields = prototype
        return copy.deepcopy(prototype)


class RecordSerializer(FieldsOnce, CleanModelSerializer):
    def to_representation(self, instance):
        # A row found by the list's full-text `q` carries its rank and snippet.
        return {**super().to_representation(instance), **fulltext.annotations(instance)}


def self_link(name, lookup_field="pk"):
    return CanonicalLink(
        view_name=f"api-{name}-detail",
        lookup_field=lookup_field,
        help_text="This record in the API.",
    )


class PublicRelation:
    """A relation shown to the public only where igr.visibility lets it see the record
    pointed at: null in its place otherwise. Staff see every record."""

    def related_model(self):
        field = self.parent if isinstance(self.parent, serializers.ManyRelatedField) else self
        return field.parent.Meta.model._meta.get_field(field.source_attrs[0]).related_model

    def shows_everything(self):
        return visibility.sees_drafts(self.context.get("request"))

    def shows(self, value):
        memo = self.context.setdefault("_visibility_memo", {})
        return visibility.shows(self.related_model(), value, memo)

    def get_attribute(self, instance):
        value = super().get_attribute(instance)
        if value is None or self.shows_everything() or self.shows(value):
            return value
        return None


class NamesValidSlugs:
    """A slug relation whose "does not exist" error says which slugs are valid, or where
    they are listed (igr.filters.valid_slugs_hint), as the slug filters' errors do: an
    analyst who mistyped a forum learns the right slug from the answer. Only slugs the
    client may see are named (igr.visibility), so no draft is ever named to the public."""

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            if error.get_codes() != ["does_not_exist"]:
                raise
            visible = visibility.for_request(self.get_queryset(), self.context.get("request"))
            message = " ".join(filter(None, [str(error.detail[0]), valid_slugs_hint(visible)]))
            raise serializers.ValidationError(message, code="does_not_exist") from None


class HintedSlugRelatedField(NamesValidSlugs, serializers.SlugRelatedField):
    pass


class PublicSlugRelatedField(NamesValidSlugs, PublicRelation, serializers.SlugRelatedField):
    pass


class PublicPrimaryKeyRelatedField(PublicRelation, serializers.PrimaryKeyRelatedField):
    pass


def slug_field(queryset, **kwargs):
    return PublicSlugRelatedField(slug_field="slug", queryset=queryset, **kwargs)


def id_field(queryset, **kwargs):
    return PublicPrimaryKeyRelatedField(queryset=queryset, **kwargs)


class PrefetchedManyField(serializers.ManyRelatedField):
    """A many-to-many list read straight from the rows prefetch_related loaded.

    DRF reads `instance.sources.all()`, which builds a related manager and a queryset
    per row and relation (150 of each for a page of 50 commitments) only to return the
    prefetched rows; this returns those rows, in the same order. Without a prefetch it
    does exactly what DRF does. The public sees only the rows igr.visibility lets it."""

    def get_attribute(self, instance):
        child = self.child_relation
        cache = getattr(instance, "_prefetched_objects_cache", None)
        if cache and len(self.source_attrs) == 1 and getattr(instance, "pk", None) is not None:
            rows = cache.get(self.source_attrs[0])
            if rows is not None:
                if child.shows_everything():
                    return rows
                return [row for row in rows if child.shows(row)]
        rows = super().get_attribute(instance)
        return rows if child.shows_everything() else visibility.public(rows)


class PrefetchedMany:
    """`many=True` gives a PrefetchedManyField (DRF's RelatedField.many_init otherwise)."""

    @classmethod
    def many_init(cls, *args, **kwargs):
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        for key in kwargs:
            if key in MANY_RELATION_KWARGS:
                list_kwargs[key] = kwargs[key]
        return PrefetchedManyField(**list_kwargs)


class SlugList(PrefetchedMany, PublicSlugRelatedField):
    pass


class IdList(PrefetchedMany, PublicPrimaryKeyRelatedField):
    pass


def slug_list(queryset, **kwargs):
    return SlugList(slug_field="slug", queryset=queryset, many=True, **kwargs)


def sources_field(model):
    """The ids of the sources a record of `model` cites (its `sources` relation)."""
    return IdList(
        many=True,
        required=False,
        queryset=model._meta.get_field("sources").related_model.objects.all(),
        help_text="Ids of the sources cited (see /api/v1/sources/).",
    )


# --- query strings of views without a FilterSet -----------------------------------------


class QueryParamsSerializer(serializers.Serializer):
    """The query string of a view without a FilterSet (the aggregates, the deletions and
    releases lists), as strict as igr.filters: a parameter it has no field for is a 400
    naming it and listing the ones it takes; an empty value means "not given"."""

    #: Taken by rendering or pagination, never reported as unknown.
    other_parameters: tuple[str, ...] = ("format",)

    def to_internal_value(self, data):
        known = {*self.fields, *self.other_parameters}
        errors = {
            name: [
                serializers.ErrorDetail(unknown_parameter_message(name, known), UNKNOWN_PARAMETER)
            ]
            for name in data
            if name not in known
        }
        given = {name: data.get(name) for name in self.fields if data.get(name) not in (None, "")}
        try:
            value = super().to_internal_value(given)
        except serializers.ValidationError as exc:
            errors = {**exc.detail, **errors}
            value = None
        if errors:
            raise serializers.ValidationError(errors)
        return value

    @classmethod
    def check(cls, request, **kwargs) -> dict:
        """The validated parameters of `request`, or a 400 naming each bad one."""
        params = cls(data=request.query_params, **kwargs)
        params.is_valid(raise_exception=True)
        return params.validated_data
