"""Plumbing every API viewset shares: pagination, errors, CSV, conditional GET, permissions.

Lives with the forums app because both apps' APIs import it and forums already depends
on authorities; nothing in here knows about a particular model.
"""

import hashlib
import json
import re
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DataError, IntegrityError, router
from django.http import Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers, set_response_etag
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework_csv.renderers import CSVRenderer
from simple_history.utils import update_change_reason

from igr import policy, visibility
from igr.api import shaped
from igr.api.permissions import ReadOnlyOrStaffModelPermissions
from igr.api.renderers import RawFormBrowsableAPIRenderer
from igr.api.values import plan_for
from igr.lib.dbstate import database_state
from igr.records import PublicationState

# --- errors -------------------------------------------------------------------------


def _flatten_errors(detail, prefix=None):
    """Yield (field, message, code) from DRF's nested error detail; dotted paths for nesting."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            key = None if key in (api_settings.NON_FIELD_ERRORS_KEY, "__all__") else str(key)
            path = ".".join(p for p in (prefix, key) if p) or None
            yield from _flatten_errors(value, path)
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            # A list of messages belongs to the field itself; a list of dicts is per item.
            path = f"{prefix}.{index}" if prefix and isinstance(value, dict) else prefix
            yield from _flatten_errors(value, path)
    else:
        yield prefix, str(detail), getattr(detail, "code", None)


def exception_handler(exc, context):
    """Every 4xx answers in one shape:

    {"status": 400, "detail": "<first message>",
     "errors": [{"field": "date_after", "message": "Enter a valid date.", "code": "invalid"}]}

    `field` names the query parameter or body field at fault (dotted for nested items) and
    is null when the error concerns the request as a whole.
    """
    if isinstance(exc, DjangoValidationError):
        # Raised by model validation (full_clean) and by services such as
        # record_status_change; their message dicts are keyed by field already.
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, IntegrityError):
        # Validation runs first, so this is a race with another writer: report a conflict.
        exc = exceptions.APIException(
            "The change conflicts with another record saved at the same time; try again."
        )
        exc.status_code = 409
        exc.default_code = "conflict"
    elif isinstance(exc, DataError):
        exc = exceptions.ValidationError("A value is out of range for the database.")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    if isinstance(exc, Http404):
        detail = exceptions.ErrorDetail("Not found.", code="not_found")
    errors = [
        {"field": field, "message": message, "code": code}
        for field, message, code in _flatten_errors(detail)
    ]
    response.data = {
        "status": response.status_code,
        "detail": errors[0]["message"] if errors else "",
        "errors": errors,
    }
    return response


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True, help_text="The query parameter or body field at fault, if any."
    )
    message = serializers.CharField()
    code = serializers.CharField(allow_null=True)


class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx response."""

    status = serializers.IntegerField()
    detail = serializers.CharField(help_text="The first error's message.")
    errors = ErrorItemSerializer(many=True)


# --- CSV ------------------------------------------------------------------------------


class FlatCSVRenderer(CSVRenderer):
    """CSV of a list's current page: one row per record, one column per field, in the
    serializer's order. Lists (sources, recommendations) are joined with "; " rather than
    spread over numbered columns, so every file of a model has the same columns.

    A view whose JSON is not a list of flat records (an aggregate) says how it reads as
    one table with `csv_table(data) -> (header, rows)`. Every CSV answer names the data's
    licence in a `Link: <…>; rel="license"` header (settings.DATA_LICENCE)."""

    def render(self, data, media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        response = renderer_context.get("response")
        ok = response is None or response.status_code < 400
        request = renderer_context.get("request")
        reading = request is None or request.method in ("GET", "HEAD")
        # An OPTIONS answer (the view's metadata) is not the table the view describes.
        table = getattr(renderer_context.get("view"), "csv_table", None) if reading else None
        if ok and table is not None:
            header, data = table(data)
            renderer_context = {**renderer_context, "header": header}
        elif isinstance(data, dict) and "results" in data:
            data = data["results"]
        if ok and response is not None:
            response["Link"] = ", ".join(filter(None, [response.get("Link"), licence_link()]))
        return super().render(data, media_type, renderer_context)

    def flatten_list(self, values):
        if all(not isinstance(v, dict | list) for v in values):
            return {"": "; ".join("" if v is None else str(v) for v in values)}
        return super().flatten_list(values)


def licence_link() -> str:
    """The data's licence as an HTTP Link header value (RFC 8288, rel="license")."""
    return f'<{settings.DATA_LICENCE["url"]}>; rel="license"'


def flat_rows(rows, columns):
    """`rows` (dicts, as the JSON has them) as flat CSV rows over `columns`: a dotted
    column reads inside a nested dict ("commitments_by_status.delivered"), a list of
    plain values is joined with "; ", and a list of records is kept as JSON text."""
    table = []
    for row in rows:
        flat = {}
        for column in columns:
            value = row
            for part in column.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if isinstance(value, list):
                if all(not isinstance(v, dict | list) for v in value):
                    value = "; ".join("" if v is None else str(v) for v in value)
                else:
                    value = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
            flat[column] = value
        table.append(flat)
    return table


def csv_columns(serializer, expand=None) -> list[str]:
    """The CSV columns of `serializer`'s JSON, in its order: a nested record's fields as
    dotted columns, and a dict field as one column per key named in `expand`."""
    expand = expand or {}
    columns = []
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        if name in expand:
            columns.extend(f"{name}.{key}" for key in expand[name])
        elif isinstance(field, serializers.Serializer):
            columns.extend(f"{name}.{column}" for column in csv_columns(field))
        else:
            columns.append(name)
    return columns


def csv_table_of(serializer, expand=None):
    """A view's csv_table (see FlatCSVRenderer) for JSON that is one record or a list of
    records shaped by `serializer`."""
    columns = csv_columns(serializer, expand)

    def table(data):
        rows = data["results"] if isinstance(data, dict) and "results" in data else data
        return columns, flat_rows(rows if isinstance(rows, list) else [rows], columns)

    return table


def csv_header(serializer):
    return [name for name, field in serializer.fields.items() if not field.write_only]


# --- viewsets -------------------------------------------------------------------------


LOOKUP_PATTERNS = {"slug": re.compile(r"^[-a-zA-Z0-9_]{1,120}$"), "pk": re.compile(r"^\d{1,18}$")}


class RecordViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Published records, newest changes visible through `modified_since`. Staff with a
    token also see drafts and may create and update records (there is no DELETE)."""

    # No DELETE: deleting is an admin decision, and the public record withdraws rather
    # than deletes. Subclasses define get_queryset() starting from `.published()` unless
    # the user is staff (see `sees_drafts`) and state its select_related/prefetch_related.
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    renderer_classes = [JSONRenderer, RawFormBrowsableAPIRenderer, FlatCSVRenderer]
    permission_classes = [ReadOnlyOrStaffModelPermissions]

    @property
    def sees_drafts(self) -> bool:
        return visibility.sees_drafts(self.request)

    def _check_lookup(self):
        lookup = self.lookup_url_kwarg or self.lookup_field
        pattern = LOOKUP_PATTERNS.get(self.lookup_field)
        # Reject malformed slugs and ids here: a NUL byte or a 30-digit id would
        # otherwise reach the database driver, which raises instead of matching nothing.
        if pattern is not None and not pattern.match(str(self.kwargs.get(lookup, ""))):
            raise exceptions.NotFound()
        return self.kwargs[lookup]

    def get_object(self):
        self._check_lookup()
        obj = super().get_object()
        self.last_modified = getattr(obj, "updated_at", None)
        return obj

    #: Whether this request's rows are read by a values plan (igr.api.values), which
    #: selects its own columns and lists: get_queryset need not add select_related or
    #: prefetches (building them was a fortieth of an API list request).
    reads_values = False

    def values_plan(self):
        """How a GET reads rows without model instances (igr.api.values), or None
        where the serializer has a field that needs one (that viewset reads via DRF)."""
        if self.request.method not in ("GET", "HEAD"):
            return None
        serializer_class = self.get_serializer_class()
        return plan_for(serializer_class, serializer_class.Meta.model)

    def get_renderer_context(self):
        context = super().get_renderer_context()
        # Only CSV needs the header; building a serializer for it on every JSON response
        # cost a fifth of a detail request.
        if getattr(self, "action", None) in ("list", "retrieve") and isinstance(
            getattr(self.request, "accepted_renderer", None), FlatCSVRenderer
        ):
            context["header"] = csv_header(self.get_serializer())
        return context

    # -- publishing ------------------------------------------------------------------

    def _save(self, serializer):
        """Save under the write policy (igr.policy), exactly as the admin does.

        An Editor changes drafts only; changing a published record, or a row of one,
        needs a Publisher and a `change_reason`, kept in its history. Publication moves
        only by publishing (refused, writing nothing, when the record cites no source; a
        meeting takes its draft commitments with it) or withdrawing (which needs
        `withdrawal_reason`); never back to draft. The edit and the change of state are
        one transaction: a refused change leaves the record as it was."""
        data = serializer.validated_data
        reason = (data.pop(policy.REASON_FIELD, "") or "").strip()
        withdrawal_reason = data.pop("withdrawal_reason", "")
        state = data.pop("publication_state", None)
        if state == PublicationState.WITHDRAWN and not reason:
            reason = (withdrawal_reason or "").strip()
        existing = serializer.instance
        model = serializer.Meta.model
        user = self.request.user
        try:
            with policy.writing(using=router.db_for_write(model)):
                governing = []
                if existing is not None:
                    model._default_manager.select_for_update().filter(pk=existing.pk).exists()
                    governing.append(existing)
                # The record as it will be: a row moved to (or created under) a published
                # parent needs the same rights as a change to that parent.
                parents = {n: data[n] for n in policy.GOVERNING_PARENTS if n in data}
                if existing is None or any(getattr(existing, n) != v for n, v in parents.items()):
                    probe = model(**parents)
                    probe.pk = existing.pk if existing is not None else None
                    governing.append(probe)
                for record in governing:
                    if not policy.may_change(user, record):
                        # The record as a whole is out of reach, not one field of it.
                        raise exceptions.PermissionDenied(policy.refusal(record))
                # As the records stand before this write (publishing makes one published).
                needing_reason = [r for r in governing if policy.needs_reason(r)]
                if state is not None:
                    policy.check_state_move(existing or model(), state)
                if existing is not None and reason:
                    existing._change_reason = reason
                policy.changing(existing)
                instance = serializer.save()
                if existing is None and reason:
                    update_change_reason(instance, reason)
                policy.touched(instance)
                if state is not None:
                    policy.move_publication(
                        instance,
                        state,
                        by=user,
                        reason=reason,
                        withdrawal_reason=withdrawal_reason,
                    )
                # Last, so a request with bad values hears about those first; the
                # transaction rolls the save back.
                for record in needing_reason:
                    policy.check_reason(record, reason)
        except DjangoValidationError as exc:
            if existing is not None:
                # The transaction rolled back; keep no unsaved changes on the instance.
                existing.refresh_from_db()
            raise serializers.ValidationError(as_serializer_error(exc)) from None
        except DjangoPermissionDenied as exc:
            if existing is not None:
                existing.refresh_from_db()
            # Only publishing and withdrawing raise it here (the publish permission).
            raise exceptions.PermissionDenied({"publication_state": [str(exc)]}) from None

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer)

    # -- conditional GET -------------------------------------------------------------

    def list(self, request, *args, **kwargs):
        unchanged = self._known_unchanged(request)
        if unchanged is not None:
            return unchanged
        plan = self.values_plan()
        if plan is None or self.paginator is None:
            return super().list(request, *args, **kwargs)
        self.reads_values = True
        rows = shaped.read_page(self, request, plan)
        if rows is not None:
            return self.get_paginated_response(rows)
        queryset = self.filter_queryset(self.get_queryset())
        rows = self.paginator.paginate_values(
            queryset, request, plan, self.get_serializer_context()
        )
        return self.get_paginated_response(rows)

    def retrieve(self, request, *args, **kwargs):
        unchanged = self._known_unchanged(request)
        if unchanged is not None:
            return unchanged
        plan = self.values_plan()
        if plan is None:
            return super().retrieve(request, *args, **kwargs)
        self.reads_values = True
        value = self._check_lookup()
        # As get_object: the filtered queryset, then the record (a 404 when it is not
        # there or not visible to this user).
        queryset = self.filter_queryset(self.get_queryset()).filter(**{self.lookup_field: value})
        # By its id, then the plan's prepared statement (igr.api.values): building and
        # planning the whole statement for one record took two thirds of a detail GET.
        found = plan.represent(queryset, self.get_serializer_context(), by_ids=True)
        if not found:
            raise Http404
        data, self.last_modified = found[0]
        return Response(data)

    def _known_unchanged(self, request):
        """A placeholder response when the client's ETag is one this process saw answer
        this very request while the database was in its present state (see
        remembered_etag), else None and the request runs in full."""
        if "HTTP_IF_NONE_MATCH" not in request.META:
            return None
        self.etag_key = etag_key(request, self.get_queryset().db)
        remembered = cache.get(self.etag_key) if self.etag_key else None
        if remembered is None:
            return None
        etag, timestamp = remembered
        if not isinstance(
            get_conditional_response(request, etag=etag, last_modified=timestamp),
            HttpResponseNotModified,
        ):
            return None
        self.not_modified = (etag, timestamp)
        return HttpResponse()

    def finalize_response(self, request, response, *args, **kwargs):
        errors_as_json(request, response)
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ["Authorization", "Cookie"])
        not_modified = getattr(self, "not_modified", None)
        if not_modified is not None:
            # The 304 a full answer would give, from the same headers.
            etag, timestamp = not_modified
            response["ETag"] = etag
            if timestamp is not None:
                response["Last-Modified"] = http_date(timestamp)
            return get_conditional_response(
                request, etag=etag, last_modified=timestamp, response=response
            )
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            return conditional(
                request,
                response,
                getattr(self, "last_modified", None),
                remember_as=getattr(self, "etag_key", None),
            )
        return response


#: Part of every remembered ETag's key: a new process (a deploy) never trusts entries
#: an older one left in a shared cache.
_PROCESS = secrets.token_hex(8)


def etag_key(request, alias):
    """Where the ETag of this exact request (user, address, host, format, date) in the
    database's present state is remembered; None unless the client sent If-None-Match
    on PostgreSQL (only then is the extra query worth it)."""
    if request.method not in ("GET", "HEAD") or "HTTP_IF_NONE_MATCH" not in request.META:
        return None
    state = database_state(alias)
    if state is None:
        return None
    user = request.user
    parts = [
        _PROCESS,
        alias,
        state,
        timezone.localdate().isoformat(),
        str(user.pk) if user and user.is_authenticated else "-",
        getattr(request, "accepted_media_type", "") or "",
        request.build_absolute_uri(),
    ]
    digest = hashlib.blake2b("|".join(parts).encode(), digest_size=16).hexdigest()
    return f"etag:{digest}"


def conditional(request, response, last_modified=None, remember_as=None):
    """Set an ETag (a hash of the body) and, for single records, Last-Modified; answer
    304 when the client's copy is current, so syncing clients skip unchanged pages.

    With `remember_as` (etag_key's answer for a conditional request on PostgreSQL), the
    ETag is remembered for the database state the request began in, so the client's
    next conditional request in that same state is answered 304 without building the
    body again. The ETag stays the body's hash: any write changes the state, and the
    next request is then answered in full."""
    response.render()
    set_response_etag(response)
    timestamp = None
    if last_modified is not None:
        timestamp = int(last_modified.timestamp())
        response["Last-Modified"] = http_date(timestamp)
    if remember_as:
        timeout = getattr(settings, "AGGREGATE_CACHE_SECONDS", 300) or 300
        cache.set(remember_as, (response["ETag"], timestamp), timeout)
    return get_conditional_response(
        request, etag=response["ETag"], last_modified=timestamp, response=response
    )


def errors_as_json(request, response):
    """Errors stay JSON (the documented error shape) even when CSV was asked for."""
    if response.status_code >= 400 and isinstance(
        getattr(request, "accepted_renderer", None), FlatCSVRenderer
    ):
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type


class ConditionalAPIViewMixin:
    """ETag and 304 for the read-only aggregate views; errors in JSON."""

    def finalize_response(self, request, response, *args, **kwargs):
        errors_as_json(request, response)
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ["Authorization", "Cookie"])
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            return conditional(request, response)
        return response


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """Unknown URLs under /api/ answer in the JSON error shape, not the HTML 404 page.

    CSRF-exempt because it changes nothing: otherwise a PUT with a session cookie to an
    unknown path got Django's HTML 403 page (found by Schemathesis)."""
    return JsonResponse(
        {
            "status": 404,
            "detail": "Not found.",
            "errors": [{"field": None, "message": "Not found.", "code": "not_found"}],
        },
        status=404,
    )


# --- serializers ----------------------------------------------------------------------


class CleanModelSerializer(serializers.ModelSerializer):
    """Writes run the model's full_clean(), exactly as the admin's forms do, so the API
    accepts what the admin accepts: field validators, clean() rules (a held meeting is
    not in the future, offices do not overlap) and every database constraint's message.
    Without it a violated CheckConstraint would surface as an IntegrityError."""

    change_reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Why this change is made: required to change a published record (or a "
        "row of one, such as a published meeting's attendance), and kept in its history.",
    )

    def get_field_names(self, declared_fields, info):
        # Declared here, so every record serializer takes it without listing it.
        return [*super().get_field_names(declared_fields, info), policy.REASON_FIELD]

    def get_extra_kwargs(self):
        # The reason for a withdrawal is asked for, never shown: a withdrawn record is not
        # public, and a published one has none. Taken only with publication_state.
        extra = super().get_extra_kwargs()
        if "withdrawal_reason" in getattr(self.Meta, "fields", ()):
            extra["withdrawal_reason"] = {
                **extra.get("withdrawal_reason", {}),
                "write_only": True,
                "help_text": "Why the record is withdrawn: required when publication_state "
                "is set to withdrawn, ignored otherwise.",
            }
        return extra

    def _pop_many(self, validated_data):
        many = {
            field.name
            for field in self.Meta.model._meta.get_fields()
            if field.many_to_many and not field.auto_created
        }
        return {name: validated_data.pop(name) for name in list(validated_data) if name in many}

    def _full_clean(self, instance):
        try:
            instance.full_clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(as_serializer_error(exc)) from None

    def create(self, validated_data):
        many = self._pop_many(validated_data)
        instance = self.Meta.model(**validated_data)
        self._full_clean(instance)
        instance.save()
        for name, values in many.items():
            getattr(instance, name).set(values)
        return instance

    def update(self, instance, validated_data):
        many = self._pop_many(validated_data)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        self._full_clean(instance)
        instance.save()
        for name, values in many.items():
            getattr(instance, name).set(values)
        return instance
