"""BaseFilterSet, which every list in the project extends, and the slug filter.

Invalid values (an unknown slug, a malformed date, an unknown ordering field, an over-long
search) make the filter form invalid: the API answers 400 naming the parameter and the
pages show the message; nothing falls through to the database.
"""

import django_filters
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from igr import fulltext, visibility


class BaseFilterSet(django_filters.FilterSet):
    modified_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label="Modified since",
        help_text="Only records changed at or after this ISO 8601 date-time (for syncing).",
    )
    q = django_filters.CharFilter(
        method="filter_text",
        max_length=200,
        label="Search",
        help_text=(
            "Words to look for. Where the list has a full-text index (PostgreSQL), in "
            'web-search syntax ("a phrase", or, -word), best matches first, each row '
            "with its `search_rank` and a plain-text `search_snippet`; otherwise "
            "case-insensitive, every word must match."
        ),
    )
    #: The fields the free-text `q` parameter searches; each FilterSet names its own.
    search_fields: tuple[str, ...] = ()
    #: ((column, weight), ...): the list's full-text vector, as its GIN index holds it
    #: (igr.fulltext); on PostgreSQL `q` searches it instead of `search_fields`.
    search_vector: tuple[tuple[str, str], ...] = ()

    def filter_text(self, queryset, name, value):
        if self.search_vector and fulltext.is_full_text():
            matches = fulltext.matching(
                queryset,
                self.search_vector,
                value,
                snippet_from=fulltext.joined(self.search_vector),
            )
            # Best matches first (an explicit ?ordering= is applied after this), when there
            # are few enough to rank: ranking recomputes every match's vector, so past
            # RANK_CAP the list keeps its own order and each row still has its rank.
            if not fulltext.more_than_rank_cap(matches):
                order = queryset.query.order_by or queryset.model._meta.ordering
                return matches.order_by("-search_rank", *order)
            return matches
        # At most ten words, so a long query cannot build a huge WHERE clause.
        for word in value.split()[:10]:
            condition = Q()
            for field in self.search_fields:
                condition |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(condition)
        return queryset


# The schema says "string" for every slug filter: drf-spectacular cannot infer a type for
# those that filter through a method, and warns under `manage.py check --deploy`.
@extend_schema_field(OpenApiTypes.STR)
class SlugFilter(django_filters.ModelChoiceFilter):
    pass


def slug_filter(queryset, label, field_name=None, **kwargs):
    """A filter taking a readable slug, e.g. ?forum=mayoral-council; unknown slugs are errors.

    Its choices are what the request's client may see (igr.visibility): to the public a
    draft's slug is an unknown slug, refused in the same words, so no answer tells which
    drafts exist. A FilterSet built without a request offers the public choices."""
    if field_name is not None:
        kwargs["field_name"] = field_name

    def choices(request):
        return visibility.for_request(queryset.all(), request)

    return SlugFilter(queryset=choices, to_field_name="slug", label=label, **kwargs)
