"""API reads built from `.values()` rows instead of model instances and DRF's field loop.

A GET of a list or a record returns exactly the JSON the viewset's serializer gives (the
same keys in the same order, each value from the same DRF field's to_representation;
tests/api/test_values_read.py compares the two byte for byte on every viewset), but
skips the work in between: building a model instance per row and per related row,
Django's prefetch machinery (a related manager and a queryset per row and relation) and
DRF's per-field get_attribute, which was most of a list request on the benchmark dataset
(docs/benchmarks.md).

The plan is worked out once per serializer class from its fields:

- a plain model field reads its column and goes through the field's to_representation;
- a slug relation (SlugRelatedField) reads `<relation>__<slug_field>` in the same query,
  a primary-key relation (PrimaryKeyRelatedField) reads the foreign key's column;
- the record's own link (CanonicalLink) reads its lookup column;
- a many-to-many list reads the related model's default queryset, in its default
  order, as the related manager (and the prefetch it replaces) would: on PostgreSQL as
  an ARRAY() subquery in the same query, elsewhere in one query per relation for the
  whole page;
- a read-only field whose source is a model property (Commitment.is_overdue) runs that
  property on the row's columns when the serializer names them in
  `Meta.values_properties` ({field: columns the property reads}).

Any other field (a SerializerMethodField, a nested serializer, a property not declared)
makes the plan None, and that viewset reads through DRF as before.

For a client who does not see drafts, every relation follows igr.visibility as the
serializer's fields do: a foreign key's slug or id is selected only where the record it
points at is public (null otherwise), and a many-to-many list reads only public rows.
The plan fails closed: a relation whose rule it cannot put in the query makes it None.
"""

import copy
import datetime
import functools
from types import SimpleNamespace

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models
from django.db.models import Case, F, OuterRef, Value, When
from django.utils.functional import cached_property
from rest_framework import ISO_8601, relations, serializers
from rest_framework.settings import api_settings

from igr import fulltext, visibility
from igr.lib.prepared import load_timestamps_in_c, prepared_cursor


class _Unsupported(Exception):
    pass


class ValuesPlan:
    """How to build one serializer's representation from `.values()` rows."""

    def __init__(self, serializer_class, model):
        self.model = model
        self.columns = ["pk"]  # the page's ids, for the many-to-many queries
        self.many = []  # (field name, related model, reverse query name, column)
        self.guards = {}  # column: the condition under which the public may see it
        self.steps = []  # (field name, kind, column(s), field) in output order
        prototype = serializer_class()
        declared_properties = getattr(serializer_class.Meta, "values_properties", {})
        for name, field in prototype.fields.items():
            if field.write_only:
                continue
            self.steps.append(self._step(name, field, declared_properties))
        if any(f.name == "updated_at" for f in model._meta.concrete_fields):
            self._column("updated_at")  # Last-Modified of a single record
        self.prototype = prototype
        self._templates = {}  # (database alias, variant): see _template
        # Each column is selected under its own alias (c0, c1, ...): a selected column
        # named like an ordering term ("commitment") would make Django order by that
        # column's raw value instead of by the related model's ordering, as the model
        # query does (CommitmentStatusChange orders by its commitment's date).
        self.keys = {column: f"c{i}" for i, column in enumerate(self.columns)}
        self.selects = {
            False: {self.keys[column]: F(column) for column in self.columns},
            True: {self.keys[column]: self._public(column) for column in self.columns},
        }
        self.array_selects = {public: self._array_selects(public) for public in (False, True)}
        self.steps = [self._keyed(step) for step in self.steps]

    def _public(self, column):
        guard = self.guards.get(column)
        if guard is None:
            return F(column)
        return Case(When(guard, then=F(column)), default=Value(None))

    @staticmethod
    def _related_rows(related, public):
        """The rows a many-to-many list reads: the related manager's (its default manager
        and order), narrowed to the public ones for a client who does not see drafts."""
        rows = related._default_manager.all()
        return visibility.public(rows) if public else rows

    def _array_selects(self, public):
        """On PostgreSQL each many-to-many list comes in the same query, as an ARRAY() of
        the related manager's rows in their default order: three round trips fewer for
        a page of commitments (other authorities, recommendations, sources)."""
        arrays = {
            f"m_{name}": ArraySubquery(
                self._related_rows(related, public)
                .filter(**{query_name: OuterRef("pk")})
                .values(column)
            )
            for name, related, query_name, column in self.many
        }
        return {**self.selects[public], **arrays}

    def _keyed(self, step):
        name, kind, column, field = step
        if kind == "property":
            fget, columns = column
            return (name, kind, (fget, tuple((c, self.keys[c]) for c in columns)), field)
        if kind == "link":
            return (name, kind, (column, self.keys[column]), field)
        return (name, kind, None if column is None else self.keys[column], field)

    def _column(self, column):
        if column not in self.columns:
            self.columns.append(column)
        return column

    def _guarded(self, column, model_field):
        """`column`, read from the record `model_field` points at, shown to the public
        only where igr.visibility says; a rule it cannot express fails the plan."""
        try:
            guard = visibility.related_condition(model_field.related_model, model_field.name)
        except Exception as exc:  # fail closed: the DRF path applies the rule instead
            raise _Unsupported(column) from exc
        if guard is not None:
            self.guards[column] = guard
        return self._column(column)

    def _model_field(self, name):
        try:
            return self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return None

    def _step(self, name, field, declared_properties):
        if isinstance(field, relations.HyperlinkedIdentityField) and field.source == "*":
            return (name, "link", self._column(field.lookup_field), field)
        if field.source == "*" or len(field.source_attrs) != 1:
            raise _Unsupported(name)
        source = field.source_attrs[0]
        model_field = self._model_field(source)
        if isinstance(field, relations.ManyRelatedField):
            child = field.child_relation
            if not isinstance(model_field, models.ManyToManyField):
                raise _Unsupported(name)
            if isinstance(child, serializers.SlugRelatedField):
                column = child.slug_field
            elif isinstance(child, serializers.PrimaryKeyRelatedField) and child.pk_field is None:
                column = "pk"
            else:
                raise _Unsupported(name)
            self.many.append(
                (name, model_field.related_model, model_field.related_query_name(), column)
            )
            return (name, "many", None, field)
        if isinstance(field, relations.RelatedField):
            if not isinstance(model_field, models.ForeignKey):
                raise _Unsupported(name)
            if isinstance(field, serializers.SlugRelatedField):
                column = f"{source}__{field.slug_field}"
                return (name, "raw", self._guarded(column, model_field), field)
            if isinstance(field, serializers.PrimaryKeyRelatedField) and field.pk_field is None:
                if model_field.target_field != model_field.related_model._meta.pk:
                    raise _Unsupported(name)
                return (name, "raw", self._guarded(source, model_field), field)
            raise _Unsupported(name)
        if isinstance(field, serializers.Serializer | serializers.ListSerializer):
            raise _Unsupported(name)
        if isinstance(field, serializers.SerializerMethodField | serializers.HiddenField):
            raise _Unsupported(name)
        if model_field is not None and model_field.concrete and not model_field.is_relation:
            kind = "raw" if _represents_as_itself(field, model_field) else "field"
            return (name, kind, self._column(source), field)
        if name in declared_properties and isinstance(getattr(self.model, source, None), property):
            columns = tuple(self._column(c) for c in declared_properties[name])
            return (name, "property", (getattr(self.model, source).fget, columns), field)
        raise _Unsupported(name)

    def rows(self, queryset, context, ids=None):
        """The representation of every row of `queryset` (in its order), as DRF's
        serializer(many=True).data would give it. On PostgreSQL two queries (the ids,
        then the rows: _rows_by_ids); elsewhere one, and one more per many-to-many field
        when there are rows."""
        return [data for data, _ in self.represent(queryset, context, by_ids=True, ids=ids)]

    def represent(self, queryset, context, by_ids=False, ids=None):
        """(representation, updated_at) of every row of `queryset`, in its order; with
        `by_ids` (a page of a list), on PostgreSQL, the ids first (_rows_by_ids), or
        `ids` where the caller has read them already (a keyset page)."""
        queryset = queryset.prefetch_related(None)
        public = not visibility.sees_drafts(context.get("request"))
        in_arrays = self.many and connections[queryset.db].vendor == "postgresql"
        selects = self.array_selects[public] if in_arrays else self.selects[public]
        searched = "search_rank" in queryset.query.annotations
        if searched:
            # A full-text search's rank and snippet (igr.fulltext), as the serializer adds.
            selects = {**selects, "_search_rank": F("search_rank")}
            selects["_search_snippet"] = F("search_snippet")
        if searched or not by_ids or not self._reads_by_ids(queryset):
            rows = list(queryset.values(**selects))
        else:
            rows = self._rows_by_ids(queryset, (public, bool(in_arrays)), ids)
        if not rows:
            return []
        many = {}
        pk = self.keys["pk"]
        if in_arrays:
            many = {name: {row[pk]: row[f"m_{name}"] for row in rows} for name, *_ in self.many}
        elif self.many:
            ids = [row[pk] for row in rows]
            for name, related, query_name, column in self.many:
                lists = {pk: [] for pk in ids}
                # The related manager's rows (its default manager and order), as
                # `record.<relation>.all()` and the prefetch it replaces read them.
                pairs = (
                    self._related_rows(related, public)
                    .filter(**{f"{query_name}__in": ids})
                    .annotate(_values_owner=F(query_name))
                    .values_list("_values_owner", column)
                )
                for owner, value in pairs:
                    lists[owner].append(value)
                many[name] = lists
        fields = self._bound_fields(context)
        updated = self.keys.get("updated_at")
        represented = [
            (self._represent(row, row[pk], fields, many), row[updated] if updated else None)
            for row in rows
        ]
        if searched:
            for (out, _), row in zip(represented, rows, strict=True):
                out.update(
                    fulltext.annotations(
                        SimpleNamespace(
                            search_rank=row["_search_rank"], search_snippet=row["_search_snippet"]
                        )
                    )
                )
        return represented

    def reads_by_ids(self, queryset):
        """Whether represent(queryset, …, ids=…) reads the rows by those ids alone, so a
        caller may pass the list's queryset rather than build the page's: on
        PostgreSQL, for a query _rows_by_ids can read and no full-text rank."""
        return "search_rank" not in queryset.query.annotations and self._reads_by_ids(queryset)

    @staticmethod
    def _reads_by_ids(queryset):
        """Whether _rows_by_ids can read `queryset`: on PostgreSQL, where its rows are
        those of its ids (not a DISTINCT, grouped or combined query, whose
        values_list("pk") would select other columns or other rows)."""
        query = queryset.query
        return (
            connections[queryset.db].vendor == "postgresql"
            and not query.distinct
            and not query.combinator
            and query.group_by is None
        )

    def _rows_by_ids(self, queryset, variant, ids=None):
        """The same rows as `queryset.values(**selects)`, in the same order, read in two
        queries: the ids (the request's own filters, ordering and page), then the
        plan's SELECT for those ids, a statement the same for every request and so
        prepared once per connection (see _template).

        Planning the plan's SELECT in one with the page (twenty columns, each public
        relation guarded by a CASE, many-to-many lists as ARRAY subqueries, five
        joins) took PostgreSQL 3.4 ms of a 5.7 ms query, and compiling it in Django
        as long again (docs/benchmarks.md); the ids query is small on both counts."""
        # The caller's ids (a keyset page's, or a numbered page's own slice, which reads
        # only the ordering's index) or else the queryset's.
        ids = list(queryset.values_list("pk", flat=True) if ids is None else ids)
        if not ids:
            return []
        sql, params, names, converters = self._template(queryset.db, variant)
        connection = connections[queryset.db]
        with prepared_cursor(connection) as cursor:
            load_timestamps_in_c(cursor, connection)
            cursor.execute(sql, (*params, ids))
            rows = cursor.fetchall()
        if converters:
            rows = [list(row) for row in rows]
            for row in rows:
                for index, functions, expression in converters:
                    for function in functions:
                        row[index] = function(row[index], expression, connection)
        pk = names.index(self.keys["pk"])
        position = {id_: index for index, id_ in enumerate(ids)}
        rows.sort(key=lambda row: position[row[pk]])
        return [dict(zip(names, row, strict=True)) for row in rows]

    def _template(self, alias, variant):
        """The plan's SELECT … FROM … WHERE <pk> = ANY(%s) for one variant (public or
        not, many-to-many lists in arrays or not), with its parameters, column names
        and Django's value converters: compiled once per process."""
        key = (alias, variant)
        template = self._templates.get(key)
        if template is None:
            public, in_arrays = variant
            selects = self.array_selects[public] if in_arrays else self.selects[public]
            query = self.model._base_manager.using(alias).order_by().values(**selects).query
            compiler = query.get_compiler(alias)
            sql, params = compiler.as_sql()
            ops = connections[alias].ops
            sql += (
                f" WHERE {ops.quote_name(self.model._meta.db_table)}."
                f"{ops.quote_name(self.model._meta.pk.column)} = ANY(%s)"
            )
            names = [alias_ for _, _, alias_ in compiler.select]
            converters = [
                (index, functions, expression)
                for index, (functions, expression) in compiler.get_converters(
                    [expression for expression, _, _ in compiler.select]
                ).items()
            ]
            template = self._templates[key] = (sql, tuple(params), names, converters)
        return template

    def _bound_fields(self, context):
        """{field name: the function giving a value's representation} for this request:
        the prototype's fields' to_representation, with fresh copies of the links bound
        to this request's context (their host and scheme). The other fields'
        to_representation reads no context, so they are shared: building a whole
        serializer per request (FieldsOnce's deep copy of every field) was a noticeable
        part of a list request. Dates and date-times in ISO 8601 (the API's format) are
        written directly, as _iso_date and _iso_datetime say."""
        fields = {name: field.to_representation for name, field in self.prototype.fields.items()}
        links = [name for name, kind, _, _ in self.steps if kind == "link"]
        if links:
            parent = serializers.Serializer(context=context)
            for name in links:
                field = copy.deepcopy(self.prototype.fields[name])
                field.bind(name, parent)
                fields[name] = field.to_representation
        for name in self.datetimes:
            field = self.prototype.fields[name]
            if _format_of(field, api_settings.DATETIME_FORMAT) == ISO_8601:
                fields[name] = _iso_datetime(field, field.default_timezone())
        for name in self.dates:
            if _format_of(self.prototype.fields[name], api_settings.DATE_FORMAT) == ISO_8601:
                fields[name] = _iso_date(self.prototype.fields[name])
        return fields

    @cached_property
    def datetimes(self):
        """The date-time fields without a time zone of their own: the request's, as DRF
        looks it up for every value (3 per row)."""
        return [
            name
            for name, field in self.prototype.fields.items()
            if type(field) is serializers.DateTimeField and not hasattr(field, "timezone")
        ]

    @cached_property
    def dates(self):
        return [
            name
            for name, field in self.prototype.fields.items()
            if type(field) is serializers.DateField
        ]

    def _represent(self, row, pk, fields, many):
        out = {}
        for name, kind, key, _ in self.steps:
            if kind == "raw":
                out[name] = row[key]
            elif kind == "field":
                value = row[key]
                out[name] = None if value is None else fields[name](value)
            elif kind == "link":
                attribute, key = key
                value = row[key]
                out[name] = (
                    None if value is None else fields[name](SimpleNamespace(**{attribute: value}))
                )
            elif kind == "property":
                fget, columns = key
                value = fget(SimpleNamespace(**{c: row[k] for c, k in columns}))
                out[name] = None if value is None else fields[name](value)
            else:  # many: slugs and ids are their own representation
                out[name] = many[name][pk]
        return out


def _format_of(field, default):
    output_format = getattr(field, "format", default)
    return output_format.lower() if isinstance(output_format, str) else output_format


def _iso_datetime(field, zone):
    """DRF's DateTimeField.to_representation for an ISO 8601 output in `zone` (the one
    DRF would look up): an aware date-time from the database is moved to the zone and
    written out, "+00:00" as "Z". Anything else (a naive value, a string, a date-time
    the zone cannot hold) goes through the field itself, for its own answer or error."""

    def represent(value):
        if type(value) is datetime.datetime and zone is not None and value.utcoffset() is not None:
            try:
                text = value.astimezone(zone).isoformat()
            except OverflowError:
                return field.to_representation(value)
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return field.to_representation(value)

    return represent


def _iso_date(field):
    """DRF's DateField.to_representation for an ISO 8601 output: the date's isoformat()."""

    def represent(value):
        if type(value) is datetime.date:
            return value.isoformat()
        return field.to_representation(value)

    return represent


#: Model fields whose column value DRF's field of exactly this class represents as the
#: value itself: str(a str), int(an int), a bool as that bool.
_SAME_VALUE = {
    serializers.CharField: (models.CharField, models.TextField, models.SlugField),
    serializers.IntegerField: (models.IntegerField,),
    serializers.BooleanField: (models.BooleanField,),
}


def _represents_as_itself(field, model_field) -> bool:
    """Whether `field.to_representation(value)` is `value` for every value of
    `model_field`'s column, so a row's value goes into the JSON as it is (a fifth of
    representing a page of commitments was these calls). A ChoiceField qualifies when
    its choices are strings that stand for themselves; URL, email, date and decimal
    fields format their values and never qualify."""
    if type(field) is serializers.ChoiceField:
        return isinstance(model_field, models.CharField) and all(
            isinstance(value, str) and key == value
            for key, value in field.choice_strings_to_values.items()
        )
    kinds = _SAME_VALUE.get(type(field))
    return kinds is not None and isinstance(model_field, kinds)


@functools.cache
def plan_for(serializer_class, model):
    """The serializer's ValuesPlan, or None when a field needs a model instance."""
    try:
        return ValuesPlan(serializer_class, model)
    except _Unsupported:
        return None
