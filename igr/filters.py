"""BaseFilterSet, which every list in the project extends, and the slug filter.

Strict by design, for the API and the pages alike (they share these FilterSets):
- a parameter the list does not take (`?is_overdue=true`, `?date=` where the filter is
  `date_after`/`date_before`) is an error naming it and listing the ones it does take;
- a value that does not parse (an unknown slug, a malformed date or number, a boolean
  that is not true/false, an unknown ordering field, an over-long search) is an error
  naming the parameter;
- an empty value (`?forum=`) means "no filter", for every filter.
The API answers 400 naming the parameter and the pages show the message; nothing falls
through to the database, and nothing is silently ignored.
"""

import copy
import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse
from django_filters.filters import FilterMethod
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from igr import fulltext, visibility
from igr.lib.params import UNKNOWN_PARAMETER, unknown_parameter_message
from igr.lib.prepared import prepared_get

TRUE_WORDS = {"true", "1", "yes", "on"}
FALSE_WORDS = {"false", "0", "no", "off"}


class StrictBooleanField(forms.NullBooleanField):
    """true/false (also 1/0, yes/no); empty means no filter; anything else is an error.

    django-filter's NullBooleanField reads any other word as "no filter", so
    `?overdue=maybe` answered the whole list as if it were filtered."""

    widget = forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")])

    def to_python(self, value):
        if value in (None, "") or isinstance(value, bool):
            return value if isinstance(value, bool) else None
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise forms.ValidationError(
            "“%(value)s” is not true or false.", code="invalid", params={"value": value}
        )


class StrictFilterForm(forms.Form):
    """A filter form that refuses query parameters it has no field for."""

    #: Parameters the caller (pagination, rendering) takes besides the filters; named in
    #: the message, never reported as unknown. Set by BaseFilterSet.get_form_class.
    other_parameters: tuple[str, ...] = ()
    #: Every filter's field, where the form holds only those of the parameters given
    #: (BaseFilterSet.only_given_fields); None: the form's own fields are all of them.
    all_fields: dict | None = None

    def allowed_parameters(self) -> list[str]:
        return parameter_names(self.all_fields if self.all_fields is not None else self.fields)

    def full_clean(self):
        super().full_clean()
        if not self.is_bound:
            return
        known = {*self.allowed_parameters(), *self.other_parameters}
        for name in self.data:
            if name in known:
                continue
            error = forms.ValidationError(
                unknown_parameter_message(name, known), code=UNKNOWN_PARAMETER
            )
            self._errors[name] = self.error_class([error])
            self.cleaned_data.pop(name, None)


class _SharedFields(dict):
    """A lean filter form's fields (BaseFilterSet._given_fields_form), which each of its
    forms holds as they are instead of deep copies. Such a form is only ever cleaned,
    never shown, and cleaning changes no field: Django's deep copy (the choices of the
    ordering filter, a queryset per slug filter) was a fifth of filtering a list."""

    def __deepcopy__(self, memo):
        return dict(self)


def parameter_names(fields) -> list[str]:
    """The query parameters a form's fields read: a range field's `date_after` and
    `date_before` (its widget's suffixes), otherwise the field's own name."""
    names = []
    for name, field in fields.items():
        suffixes = getattr(field.widget, "suffixes", None)
        names.extend(f"{name}_{s}" for s in suffixes) if suffixes else names.append(name)
    return names


def _bound_copy(filter_, parent, model):
    """`filter_` (a FilterSet class's own) for one FilterSet instance: what django-filter's
    deep copy of every filter gives, for the attributes that differ between instances.

    The deep copy walked each filter's whole state (choices, querysets, the label's
    lazy strings): about 650 copies for the commitments list, 0.7 ms of a request
    (docs/benchmarks.md). A filter's state is its constructor's arguments, which no
    instance changes in place, except `extra` (the choices django-filter puts there
    when it builds a field) and what is set per instance: the parent, the model, the
    field built for this parent's request (dropped, so a field built for another
    client's choices is never reused), and a `method`'s proxy, which names its filter."""
    copied = copy.copy(filter_)
    copied.__dict__.pop("_field", None)
    copied.extra = dict(filter_.extra)
    if isinstance(filter_.__dict__.get("filter"), FilterMethod):
        copied.filter = FilterMethod(copied)
    copied.model = model
    copied.parent = parent
    return copied


#: The records each model is public through (its FilterSet's sync_parents), by model.
SYNC_PARENTS: dict = {}


def _has_timestamp(model) -> bool:
    return any(f.name == "updated_at" for f in model._meta.concrete_fields)


def _single_valued(model, path) -> bool:
    for name in path.split("__"):
        field = model._meta.get_field(name)
        if not field.many_to_one:
            return False
        model = field.related_model
    return True


def changed_since(model, since, parents=()):
    """The condition for `modified_since` (see BaseFilterSet.filter_modified_since)."""
    paths = list(parents)
    condition = Q(updated_at__gte=since)
    for field in model._meta.get_fields():
        if not (field.concrete and (field.many_to_one or field.many_to_many)):
            continue
        target = field.related_model
        if _has_timestamp(target):
            paths.append(field.name)
        paths += [f"{field.name}__{p}" for p in SYNC_PARENTS.get(target, ())]
        history = getattr(target, "history", None)
        if (
            history is not None
            and history.filter(history_type="-", history_date__gte=since).exists()
        ):
            # A deleted record's id left the rows that listed it, unseen: resend those
            # (SET_NULL leaves a null; a many-to-many list may have held it).
            condition |= Q(
                **{f"{field.name}__isnull": True} if field.many_to_one else {"pk__isnull": False}
            )
    through_lists = []
    for path in paths:
        changed = Q(**{f"{path}__updated_at__gte": since})
        if _single_valued(model, path):
            condition |= changed
        else:
            # Through a list of rows (a person's offices): the ids, so no row comes twice.
            through_lists.append(model._default_manager.filter(changed).order_by().values("pk"))
    if not through_lists:
        return condition
    # One `pk IN (… UNION …)`, each part read through its own updated_at index. OR-ing a
    # subquery per list beside the row's own columns left PostgreSQL no plan but a
    # sequential scan of the whole table (tests/perf/test_explain.py).
    rows = model._default_manager.filter(condition).order_by().values("pk")
    return Q(pk__in=rows.union(*through_lists))


#: Form classes by (FilterSet class, client sees drafts, other parameters).
_FORM_CLASSES: dict = {}


class BaseFilterSet(django_filters.FilterSet):
    modified_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        method="filter_modified_since",
        label="Modified since",
        help_text="Only records changed at or after this ISO 8601 date-time (for syncing; "
        "a time without an offset is read as Europe/London). A record also counts as "
        "changed when a record it is shown under (its meeting, authority…) changed, so "
        "rows that appear with a newly published parent are included.",
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
    #: Relations whose change also counts as a change of the row for `modified_since`:
    #: the records a row is public through (a meeting's attendance through the meeting).
    sync_parents: tuple[str, ...] = ()
    #: Parameters the caller takes besides the filters (set by the API's filter backend).
    other_parameters: tuple[str, ...] = ()
    #: Whether the form holds only the fields of the parameters given (the API's, whose
    #: form is never shown; see get_form_class). A page renders every field.
    only_given_fields = False

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        """django-filter's FilterSet.__init__, with each filter copied for this instance
        by _bound_copy rather than deep-copied."""
        if hasattr(data, "setlist"):
            # Empty values are not given: `?status=` is no filter, for a multiple choice
            # as for the rest. The name stays, so an unknown one is still reported.
            data = data.copy()
            for name in list(data):
                data.setlist(name, [v for v in data.getlist(name) if v != ""])
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        model = queryset.model
        self.filters = {
            name: _bound_copy(filter_, self, model) for name, filter_ in self.base_filters.items()
        }
        for filter_ in self.filters.values():
            if isinstance(filter_, django_filters.BooleanFilter):
                filter_.field_class = StrictBooleanField

    def get_form_class(self):
        """The FilterSet's form class, built once per FilterSet, kind of client (the
        slug filters' choices are what the client may see) and caller's parameters.

        django-filter builds it anew for every request: a new field per filter (each
        slug filter's choices a new queryset) and a new class, about 3 ms of a filtered
        API list (docs/benchmarks.md). Every value that goes into it is the same for the
        same key; each form made from it still deep-copies its fields (Django's forms),
        and the choices stay lazy querysets, read afresh whenever they are used."""
        key = (
            type(self),
            visibility.sees_drafts(getattr(self, "request", None)),
            tuple(self.other_parameters),
        )
        form_class = _FORM_CLASSES.get(key)
        if form_class is None:
            form_class = super().get_form_class()
            if not issubclass(form_class, StrictFilterForm):
                form_class = type(form_class.__name__, (StrictFilterForm, form_class), {})
            form_class.other_parameters = tuple(self.other_parameters)
            _FORM_CLASSES[key] = form_class
        if self.only_given_fields and self.is_bound:
            return self._given_fields_form(key, form_class)
        return form_class

    def _given_fields_form(self, key, form_class):
        """`form_class` with only the fields of the parameters given (with
        `only_given_fields`). A filter left out is one whose parameter is absent, which
        filters nothing: its field would clean to an empty value, and every filter
        returns the queryset as it is for an empty value. Django's form deep-copies
        each of its fields for every request, and the commitments list has thirteen;
        an analyst's request gives two or three. Unknown parameters are still
        reported, against every filter's name (StrictFilterForm.all_fields)."""
        given = tuple(
            name
            for name, field in form_class.base_fields.items()
            if any(p in self.data for p in parameter_names({name: field}))
        )
        if len(given) == len(form_class.base_fields):
            return form_class
        lean_key = (*key, given)
        lean = _FORM_CLASSES.get(lean_key)
        if lean is None:
            lean = type(form_class.__name__, (form_class,), {})
            lean.all_fields = form_class.base_fields
            lean.base_fields = _SharedFields({name: form_class.base_fields[name] for name in given})
            _FORM_CLASSES[lean_key] = lean
        return lean

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        model = getattr(getattr(cls, "_meta", None), "model", None)
        if model is not None:
            SYNC_PARENTS[model] = tuple(cls.sync_parents)

    def filter_modified_since(self, queryset, name, value):
        """Rows whose JSON may differ from what a client read before `value`: changed
        themselves, or a record they are shown under or point at changed (publishing a
        meeting shows its attendance and names its chair), or a record they point at was
        deleted (the ids of a deleted source drop out of every `sources` list)."""
        # In UTC: an offset beyond ±15:59 is valid ISO 8601 but out of PostgreSQL's range.
        since = value.astimezone(datetime.UTC)
        return queryset.filter(changed_since(queryset.model, since, self.sync_parents))

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


#: An unknown slug's message lists the valid ones when there are at most this many;
#: past it, it names the API list where they are.
MAX_LISTED_SLUGS = 30


def valid_slugs_hint(queryset) -> str:
    """Where to find the slugs a filter takes: "Valid values: a, b, c." when they are few,
    otherwise the API list of those records; "" when there is neither. `queryset` is the
    field's choices, which are what the client may see (slug_filter), so a draft is never
    named to the public."""
    slugs = sorted(queryset.order_by().values_list("slug", flat=True)[: MAX_LISTED_SLUGS + 1])
    if not slugs:
        return "There are no valid values yet."
    if len(slugs) <= MAX_LISTED_SLUGS:
        return f"Valid values: {', '.join(slugs)}."
    try:
        where = reverse(f"api-{queryset.model._meta.model_name}-list")
    except NoReverseMatch:
        return ""
    return f"The valid values are the slugs listed at {where}."


class SlugChoiceField(django_filters.fields.ModelChoiceField):
    """A slug filter's field: an unknown slug's error says which slugs are valid (or
    where to find them), as issue 17 asked every refused value to.

    The record is looked up as ModelChoiceField does (`queryset.get(slug=…)`), through a
    statement prepared once per connection when the filter says which rows its choices
    are (`choices_key`, SlugFilter.field): building and compiling that query was a
    millisecond of an API list filtered by a slug."""

    choices_key = None

    def to_python(self, value):
        try:
            return self._looked_up(value)
        except forms.ValidationError as error:
            if error.code != "invalid_choice":
                raise
            hint = valid_slugs_hint(self.queryset)
            message = " ".join(filter(None, [*error.messages, hint]))
            raise forms.ValidationError(message, code="invalid_choice") from None

    def _looked_up(self, value):
        if self.choices_key is None or not isinstance(value, str) or not value:
            return super().to_python(value)
        # ModelChoiceField.to_python, with the lookup prepared.
        self.validate_no_null_characters(value)
        try:
            return prepared_get(self.queryset, self.choices_key, self.to_field_name, value)
        except (ValueError, TypeError, self.queryset.model.DoesNotExist):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            ) from None


# The schema says "string" for every slug filter: drf-spectacular cannot infer a type for
# those that filter through a method, and warns under `manage.py check --deploy`.
@extend_schema_field(OpenApiTypes.STR)
class SlugFilter(django_filters.ModelChoiceFilter):
    field_class = SlugChoiceField

    @property
    def field(self):
        field = super().field
        key = getattr(self.queryset, "choices_key", None)
        if key is not None and field.to_field_name == "slug":
            # The rows the choices are for this request: the filter's own queryset, and
            # whether the client sees drafts (slug_filter's `choices`).
            field.choices_key = (key, visibility.sees_drafts(self.get_request()))
        return field


def slug_filter(queryset, label, field_name=None, **kwargs):
    """A filter taking a readable slug, e.g. ?forum=mayoral-council; unknown slugs are errors.

    Its choices are what the request's client may see (igr.visibility): to the public a
    draft's slug is an unknown slug, refused in the same words, so no answer tells which
    drafts exist. A FilterSet built without a request offers the public choices."""
    if field_name is not None:
        kwargs["field_name"] = field_name

    def choices(request):
        return visibility.for_request(queryset.all(), request)

    # The choices' rows depend on `queryset` and the client alone: a key for the
    # prepared lookup (SlugChoiceField), the same for every FilterSet built from this.
    choices.choices_key = ("slug_filter", id(queryset), queryset.model._meta.label)
    return SlugFilter(queryset=choices, to_field_name="slug", label=label, **kwargs)
