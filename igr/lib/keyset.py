"""Keyset ("cursor") paging over any ordered QuerySet.

An OFFSET makes the database read and throw away every row before the page; a keyset
page starts at a position instead: "the rows after (date 2024-05-01, slug 'x')". Its
cost is the same on the first page and the ten-thousandth, given an index that serves
the ordering.

    keyset = Keyset(queryset)                  # the queryset's full ordering, made total
    rows = keyset.after(queryset, position)    # rows strictly after it, in order
    rows = keyset.before(queryset, position)   # rows strictly before it, nearest first
    position = keyset.position(row)            # a row (instance or dict) → its position
    token = keyset.encode(position, forward=True)
    position, forward, inclusive = keyset.decode(token)  # InvalidCursor if altered

    page = read_page(queryset, 25, token_or_None)  # ids, next/previous cursors
    rows = page.rows(queryset)                     # the rows, one query by pk

The ordering is resolved as Django's compiler does it (SQLCompiler.find_ordering_name):
the query's order_by, else the model's Meta.ordering, and a term naming a relation
("meeting") expands to that model's own Meta.ordering ("-meeting__date",
"meeting__slug"), with "-" flipping it. The primary key is appended unless a unique,
non-null column of the model itself already makes the order total. Nullable columns get
their NULL placement made explicit, where the database puts NULLs by default (last in
ascending order on PostgreSQL, first on SQLite), so the rows' order does not change.
"""

import datetime
import decimal
import hashlib
import uuid
from dataclasses import dataclass, replace

from django.contrib.postgres.search import SearchRank
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections
from django.db.models import F, FloatField, OrderBy, Q, Value
from django.db.models.constants import LOOKUP_SEP
from django.db.models.fields.tuple_lookups import (
    Tuple,
    TupleGreaterThanOrEqual,
    TupleLessThanOrEqual,
)
from django.db.models.functions import Cast

SALT = "igr.keyset.cursor"


class _Real(FloatField):
    """PostgreSQL's single-precision `real`, for Cast."""

    def db_type(self, connection):
        return "real" if connection.vendor == "postgresql" else super().db_type(connection)


class InvalidCursor(ValueError):
    """A cursor that was altered, is not one of ours, or belongs to another ordering."""


class UnsupportedOrdering(ValueError):
    """An ordering keyset paging cannot follow (a random order, an expression term)."""


@dataclass(frozen=True)
class Column:
    """One term of a total ordering: a lookup path from the queryset's model."""

    path: str
    descending: bool
    nullable: bool
    nulls_first: bool  # where its NULLs go, in this (possibly descending) direction
    field: object = None  # the model field, for decoding values; None for annotations
    real: bool = False  # a single-precision value (a search rank): compared as one

    def order_by(self):
        expression = F(self.path)
        if not self.nullable:
            return expression.desc() if self.descending else expression.asc()
        placement = {"nulls_first": True} if self.nulls_first else {"nulls_last": True}
        return expression.desc(**placement) if self.descending else expression.asc(**placement)

    def reversed(self):
        return Column(
            self.path,
            not self.descending,
            self.nullable,
            not self.nulls_first,
            self.field,
            self.real,
        )

    def beyond(self, value):
        """Rows whose value comes strictly later than `value` in this direction."""
        if value is None:
            # NULLs last: nothing comes after them; NULLs first: every value does.
            return None if not self.nulls_first else Q(**{f"{self.path}__isnull": False})
        condition = Q(**{f"{self.path}__{'lt' if self.descending else 'gt'}": value})
        if self.nullable and not self.nulls_first:
            condition |= Q(**{f"{self.path}__isnull": True})
        return condition

    def equal(self, value):
        if value is None:
            return Q(**{f"{self.path}__isnull": True})
        return Q(**{self.path: value})

    def leading_bound(self, value):
        """`value` or later: implied by the full condition, but a plain range on the first
        column is what lets PostgreSQL start its index scan at the position rather than
        at the start of the index and filter every row before it."""
        if value is None:
            return Q(**{f"{self.path}__isnull": True}) if not self.nulls_first else None
        condition = Q(**{f"{self.path}__{'lte' if self.descending else 'gte'}": value})
        if self.nullable and not self.nulls_first:
            condition |= Q(**{f"{self.path}__isnull": True})
        return condition


def _default_nulls_first(alias, descending):
    # features.nulls_order_largest: PostgreSQL sorts NULL above every value (last when
    # ascending); SQLite and MySQL below (first when ascending).
    largest = connections[alias].features.nulls_order_largest
    return largest if descending else not largest


class Keyset:
    """The total ordering of `queryset` as concrete columns (see the module docstring)."""

    def __init__(self, queryset):
        self.model = queryset.model
        self.alias = queryset.db
        query = queryset.query
        if query.order_by:
            terms = list(query.order_by)
        elif query.default_ordering and self.model._meta.ordering:
            terms = list(self.model._meta.ordering)
        else:
            terms = []
        if query.extra_order_by or query.combinator or query.distinct:
            raise UnsupportedOrdering("Keyset paging needs a plain ordered query.")
        self.annotations = query.annotations
        columns = []
        for term in terms:
            columns.extend(self._resolve(term, self.model, "", False, set()))
        self.columns = self._total(columns)
        # "^"/"$": NULLs first/last, for nullable columns only.
        self.key = ",".join(
            f"{'-' if c.descending else ''}{c.path}"
            + (("^" if c.nulls_first else "$") if c.nullable else "")
            for c in self.columns
        )

    # -- resolution --------------------------------------------------------------------

    def _resolve(self, term, model, prefix, flip, seen):
        if isinstance(term, OrderBy):
            if not isinstance(term.expression, F):
                raise UnsupportedOrdering(f"Cannot page by keyset over {term!r}.")
            name = term.expression.name
            descending = term.descending != flip
            explicit = (term.nulls_first, term.nulls_last)
        elif isinstance(term, F):
            name, descending, explicit = term.name, flip, (None, None)
        elif isinstance(term, str):
            if term == "?" or "." in term:
                raise UnsupportedOrdering(f"Cannot page by keyset over {term!r}.")
            descending = term.startswith("-") != flip
            name = term.lstrip("-+")
            explicit = (None, None)
        else:
            raise UnsupportedOrdering(f"Cannot page by keyset over {term!r}.")
        if not prefix and name in self.annotations:
            column = self._column(name, descending, True, None, explicit)
            if isinstance(self.annotations[name], SearchRank):
                # ts_rank is a `real`; its value comes back as the shortest decimal for
                # it, which as a double is not the same number: compare as a real.
                column = replace(column, real=True)
            return [column]
        current, nullable, field = model, False, None
        pieces = name.split(LOOKUP_SEP)
        for index, piece in enumerate(pieces):
            if piece == "pk":
                field = current._meta.pk
            else:
                try:
                    field = current._meta.get_field(piece)
                except FieldDoesNotExist:
                    raise UnsupportedOrdering(f"Cannot page by keyset over {term!r}.") from None
            if field.is_relation and not (field.many_to_one or field.one_to_one):
                raise UnsupportedOrdering(f"Cannot page by keyset over {term!r}.")
            if field.is_relation and not field.concrete:
                raise UnsupportedOrdering(f"Cannot page by keyset over {term!r}.")
            nullable = nullable or field.null
            if field.is_relation and index < len(pieces) - 1:
                current = field.related_model
        path = prefix + name
        related = field.related_model if field.is_relation else None
        if (
            related is not None
            and related._meta.ordering
            and pieces[-1] not in (field.attname, "pk")
            and not isinstance(term, OrderBy)
        ):
            # As Django: ordering by a relation orders by the related model's ordering.
            if (related, path) in seen:
                raise UnsupportedOrdering(f"Infinite loop ordering by {path!r}.")
            seen = seen | {(related, path)}
            columns = []
            for inner in related._meta.ordering:
                resolved = self._resolve(inner, related, path + LOOKUP_SEP, descending, seen)
                if nullable:
                    # Through a nullable relation every column of the related row may be NULL.
                    resolved = [
                        Column(
                            c.path,
                            c.descending,
                            True,
                            _default_nulls_first(self.alias, c.descending),
                            c.field,
                        )
                        for c in resolved
                    ]
                columns.extend(resolved)
            return columns
        return [self._column(path, descending, nullable, field, explicit)]

    def _column(self, path, descending, nullable, field, explicit):
        nulls_first, nulls_last = explicit
        if nulls_first:
            first = True
        elif nulls_last:
            first = False
        else:
            first = _default_nulls_first(self.alias, descending)
        return Column(path, descending, nullable or bool(nulls_first or nulls_last), first, field)

    def _total(self, columns):
        """Drop repeated columns and end at the first unique one; else append the pk."""
        total, seen = [], set()
        pk = self.model._meta.pk
        for column in columns:
            if column.path in seen:
                continue
            seen.add(column.path)
            total.append(column)
            own = LOOKUP_SEP not in column.path or column.path.endswith(LOOKUP_SEP + "pk")
            field = column.field
            if (
                own
                and field is not None
                and not column.nullable
                and (field.unique or field is pk)
                and field.model is self.model
            ):
                return total
        # In the direction of the last term, so `-status` is (status DESC, id DESC): one
        # index on (status, id) read backwards serves it from a row comparison.
        descending = bool(total) and total[-1].descending
        return [*total, Column("pk", descending, False, False, pk)]

    # -- reading and filtering ---------------------------------------------------------

    @property
    def paths(self):
        return [column.path for column in self.columns]

    def order_by(self, forward=True):
        """The ordering as explicit expressions (reversed when not `forward`)."""
        columns = self.columns if forward else [c.reversed() for c in self.columns]
        return [column.order_by() for column in columns]

    def ordered(self, queryset, forward=True):
        return queryset.order_by(*self.order_by(forward))

    def position(self, row):
        """The values of the ordering's columns for `row`: a dict keyed by path (as from
        `.values(*keyset.paths)`) or a model instance, whose related rows are read."""
        if isinstance(row, dict):
            return tuple(row[path] for path in self.paths)
        values = []
        for path in self.paths:
            value = row
            for piece in path.split(LOOKUP_SEP):
                value = None if value is None else getattr(value, piece)
            values.append(value)
        return tuple(values)

    def _directed(self, forward):
        return self.columns if forward else [c.reversed() for c in self.columns]

    def condition(self, position, forward=True, inclusive=False):
        """The rows strictly after `position` (or before it, when not `forward`) in the
        ordering, as one Q; `inclusive` includes the row at the position itself."""
        columns = self._directed(forward)
        position = self._check(position)
        chain = _chain(columns, position, inclusive)
        if chain is None:
            return Q(pk__in=[])  # nothing comes after the last possible position
        bound = _leading_bound(columns, position)
        return chain if bound is None else bound & chain

    def segments(self, queryset, position, forward=True, inclusive=False):
        """The rows after (or before) `position` as querysets, each in the ordering (or
        reversed), whose rows read one after the other are condition()'s rows in order.

        Usually one. When the first column is nullable, its NULLs and its values are
        separate segments: PostgreSQL cannot start an index scan at "due_on >= d OR
        due_on IS NULL", but can at "due_on >= d" and at "due_on IS NULL"."""
        ordered = self.ordered(queryset, forward)
        if position is None:
            return [ordered]
        position = self._check(position)
        columns = self._directed(forward)
        first, value = columns[0], position[0]
        if not first.nullable:
            return [ordered.filter(self.condition(position, forward, inclusive))]
        rest = _chain(columns[1:], position[1:], inclusive)
        nulls = Q(**{f"{first.path}__isnull": True})
        values = Q(**{f"{first.path}__isnull": False})
        if value is None:
            parts = [] if rest is None else [nulls & rest]
            if first.nulls_first:
                parts.append(values)
        else:
            strictly = Q(**{f"{first.path}__{'lt' if first.descending else 'gt'}": value})
            same = Q(**{first.path: value})
            chain = strictly if rest is None else strictly | (same & rest)
            bound = Q(**{f"{first.path}__{'lte' if first.descending else 'gte'}": value})
            parts = [bound & chain]
            if not first.nulls_first:
                parts.append(nulls)
        return [ordered.filter(part) for part in parts]

    def read_rows(self, queryset, position, forward, inclusive, fields, limit):
        """The `fields` of the first `limit` rows after (or before) `position`, read
        segment by segment (see segments)."""
        found = []
        for segment in self.segments(queryset.prefetch_related(None), position, forward, inclusive):
            found += segment.values_list(*fields)[: limit - len(found)]
            if len(found) >= limit:
                break
        return found

    def _check(self, position):
        if len(position) != len(self.columns):
            raise InvalidCursor("The cursor does not fit this list's ordering.")
        return tuple(
            Cast(Value(value, FloatField()), _Real())
            if column.real and value is not None
            else value
            for column, value in zip(self.columns, position, strict=True)
        )

    def after(self, queryset, position, inclusive=False):
        """`queryset`'s rows after `position`, in the ordering (explicit NULL placement)."""
        queryset = self.ordered(queryset)
        if position is None:
            return queryset
        return queryset.filter(self.condition(position, True, inclusive))

    def before(self, queryset, position, inclusive=False):
        """`queryset`'s rows before `position`, nearest first (the ordering reversed)."""
        queryset = self.ordered(queryset, forward=False)
        if position is None:
            return queryset
        return queryset.filter(self.condition(position, False, inclusive))

    # -- cursors -----------------------------------------------------------------------

    @property
    def fingerprint(self):
        """Names the ordering (model and columns) inside its cursors."""
        text = f"{self.model._meta.label}|{self.key}"
        return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()

    def encode(self, position, forward=True, inclusive=False):
        """An opaque token for `position`, signed with SECRET_KEY (django.core.signing)."""
        payload = {
            "o": self.fingerprint,
            "d": ("n" if forward else "p") + ("i" if inclusive else ""),
            "v": [_dump(value) for value in position],
        }
        return signing.dumps(payload, salt=SALT, compress=True)

    def decode(self, token):
        """(position, forward, inclusive) from a token encode() gave for this ordering."""
        try:
            payload = signing.loads(token, salt=SALT)
        except signing.BadSignature:
            raise InvalidCursor("The cursor is not valid: it was altered or cut short.") from None
        if not isinstance(payload, dict) or not isinstance(payload.get("v"), list):
            raise InvalidCursor("The cursor is not valid.")
        if payload.get("o") != self.fingerprint:
            raise InvalidCursor(
                "The cursor belongs to another ordering of this list; start again from "
                "the first page with the ordering you want."
            )
        direction = payload.get("d")
        if direction not in ("n", "p", "ni", "pi") or len(payload["v"]) != len(self.columns):
            raise InvalidCursor("The cursor is not valid.")
        try:
            pairs = zip(payload["v"], self.columns, strict=True)
            position = tuple(_load(value, column) for value, column in pairs)
        except (TypeError, ValueError, decimal.InvalidOperation):
            raise InvalidCursor("The cursor is not valid.") from None
        return position, direction[0] == "n", direction.endswith("i")


def _leading_bound(columns, position):
    """A condition implied by the chain that an index can start its scan at: a row
    comparison `(c0, c1) >= (v0, v1)` over the leading columns that share a direction
    and hold no NULLs (PostgreSQL starts a btree scan exactly there, rather than at the
    first row of v0 when many rows share it: `ordering=status`), else c0's own range."""
    first = columns[0]
    same = 0
    for column in columns:
        if column.nullable or column.descending != first.descending:
            break
        same += 1
    if same < 2:
        return first.leading_bound(position[0])
    compare = TupleLessThanOrEqual if first.descending else TupleGreaterThanOrEqual
    lhs = Tuple(*(F(column.path) for column in columns[:same]))
    return compare(lhs, tuple(position[:same]))


def _chain(columns, position, inclusive):
    """(c0 beyond v0) OR (c0 = v0 AND c1 beyond v1) OR ...; None when nothing matches."""
    chain, equal = None, Q()
    for column, value in zip(columns, position, strict=True):
        beyond = column.beyond(value)
        if beyond is not None:
            term = equal & beyond
            chain = term if chain is None else chain | term
        equal &= column.equal(value)
    if inclusive:
        chain = equal if chain is None else chain | equal
    return chain


def _dump(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date | datetime.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    raise TypeError(f"Cannot put {type(value).__name__} in a cursor.")


def _load(value, column):
    if value is None or column.field is None:
        return value
    try:
        return column.field.to_python(value)
    except ValidationError as error:
        raise ValueError(str(error)) from None


def totally_ordered(queryset):
    """`queryset` in its own order made total (its Keyset's), or as it is where keyset
    paging cannot follow its order (DISTINCT, a random or computed order).

    Numbered pages read in this order: under an order with ties (`?ordering=date`, two
    meetings on one day) PostgreSQL may return the tied rows in a different order for
    each OFFSET, so page 2 could repeat a row of page 1 and skip another. Ties broken by
    the primary key, every page is a fixed slice, and Next by keyset from a numbered
    page continues from the same row page N+1 starts at."""
    try:
        return Keyset(queryset).ordered(queryset)
    except UnsupportedOrdering:
        return queryset


@dataclass
class Page:
    """One keyset page: its rows' primary keys in order, and the cursors either side."""

    keyset: Keyset
    pks: list
    next: str | None  # cursor of the page after this one; None on the last
    previous: str | None  # cursor of the page before; None on the first

    def rows(self, queryset):
        """The page's rows of `queryset` (with its select_related and prefetches), in
        order: one query by primary key, none for an empty page."""
        if not self.pks:
            return queryset.none()
        return self.keyset.ordered(queryset).filter(pk__in=self.pks)


def read_page(queryset, size, cursor=None, keyset=None, read=None):
    """The page of `size` rows of `queryset` that `cursor` points at (the first page when
    None), as a Page. InvalidCursor when the cursor is not one of this ordering's.

    The page's ids and positions are chosen by one query that selects only the
    ordering's columns, so an index holding them (and the pk) answers it without
    visiting the table (the "deferred join"); Page.rows then fetches the rows. A
    nullable first column can need a second query on the one page where its values
    give way to its NULLs (Keyset.segments). `read(position, forward, inclusive,
    fields, limit)`, where given, reads those rows instead (igr.api.shaped: the same
    queries, compiled once per shape)."""
    keyset = keyset or Keyset(queryset)
    if cursor is None:
        position, forward, inclusive = None, True, False
    else:
        position, forward, inclusive = keyset.decode(cursor)
    paths = keyset.paths
    fields = paths if "pk" in paths else [*paths, "pk"]
    if read is None:
        found = keyset.read_rows(queryset, position, forward, inclusive, fields, size + 1)
    else:
        found = read(position, forward, inclusive, fields, size + 1)
    more = len(found) > size
    found = found[:size]
    if not forward:
        found.reverse()
    pk = fields.index("pk")
    pks = [row[pk] for row in found]
    first = tuple(found[0][: len(paths)]) if found else None
    last = tuple(found[-1][: len(paths)]) if found else None
    has_next = more if forward else position is not None
    has_previous = position is not None if forward else more
    following = preceding = None
    if found:
        following = keyset.encode(last) if has_next else None
        preceding = keyset.encode(first, forward=False) if has_previous else None
    elif position is not None:
        # An empty page (its rows changed since): the way back includes the position.
        if forward:
            preceding = keyset.encode(position, forward=False, inclusive=True)
        else:
            following = keyset.encode(position, forward=True, inclusive=True)
    return Page(keyset, pks, following, preceding)
