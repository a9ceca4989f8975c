"""OpenAPI generation that says what the API does:

- every operation documents the error shape of its 4xx answers;
- reads are open to anyone (their security lists `{}` beside the token and the session),
  writes need a staff token or session;
- every field and parameter has a description (igr.api.fields), and every query
  parameter says that an empty value means no filter; a slug filter says an unknown
  slug is a 400, a boolean filter what it takes;
- `format` says what it takes and that anything else is a 400.
"""

import django_filters
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

from igr.api.base import ErrorSerializer
from igr.api.fields import describe
from igr.lib.params import EMPTY_MEANS_ANY, NOT_BOOLEAN, UNKNOWN_SLUG

ERRORS = {
    "400": "Invalid query parameter or body field, an unknown query parameter or an "
    "unsupported `format`; `errors` names each.",
    "401": "Missing or invalid token (writes only).",
    "403": "Not allowed: writes need a staff token with the model permission.",
    "404": "No such record, or a page past the last.",
    "405": "Method not allowed.",
    "406": "Nothing here matches the Accept header; `detail` names the media types.",
    "409": "Conflicting simultaneous write.",
    "429": "Too many requests; see Retry-After.",
}
READ_ERRORS = ("400", "404", "405", "406", "429")

CSV_NOTE = (
    "\n\nWith `format=csv` the current page comes as CSV: one row per record, one column "
    "per field of the JSON below in the same order, lists joined with `; `. Follow the "
    "`Link` header for the next page; `X-Total-Count` gives the total. The `Link` header "
    'also names the data\'s licence (`rel="license"`).'
)
CSV_TABLE_NOTE = (
    "\n\nWith `format=csv` the answer comes as one flat CSV table with a fixed header "
    '(see the README); the `Link` header names the data\'s licence (`rel="license"`).'
)
FORMAT = (
    "`json` (the default), `csv` or `api` (the browsable HTML). Any other value is a 400 "
    "naming the formats; an Accept header nothing matches is a 406."
)
READS = ("GET", "HEAD")
#: What a row found by a list's full-text `q` carries besides its fields (igr.fulltext,
#: added by RecordSerializer and igr.api.values alike): declared on the list's record
#: component, never required, as every other answer leaves them out.
SEARCH_PROPERTIES = {
    "search_rank": {
        "type": "number",
        "format": "double",
        "readOnly": True,
        "description": "How well the row matches `q` (higher is better; 0 when only a "
        "related record's words matched). Present only in a list answer to `q` where "
        "the list searches its full-text index (PostgreSQL); absent otherwise.",
    },
    "search_snippet": {
        "type": "string",
        "readOnly": True,
        "description": "Plain text around the words of `q` that matched, from the row's "
        "searched text (fragments joined with ` … `; may be empty). Present only "
        "alongside `search_rank`.",
    },
}
SEARCH_CSV_NOTE = (
    " `search_rank` and `search_snippet` come in the JSON only: a list's CSV columns are "
    "the same for every query."
)
RANGE = {"_after": "on or after this date (YYYY-MM-DD)", "_before": "on or before this date"}
PATH = {
    "id": "The record's numeric id. An unknown (or not public) id is a 404.",
    "slug": "The record's slug. An unknown (or not public) slug is a 404.",
}


class AutoSchema(SpectacularAutoSchema):
    def get_description(self):
        description = super().get_description()
        formats = {getattr(r, "format", None) for r in self.view.get_renderers()}
        if "csv" in formats and self.method in READS:
            paginated = self._is_list_view() and getattr(self.view, "csv_table", None) is None
            description += CSV_NOTE if paginated else CSV_TABLE_NOTE
            if paginated and self._searches_full_text():
                description += SEARCH_CSV_NOTE
        return description

    def _searches_full_text(self) -> bool:
        """Whether this is a list whose `q` searches a full-text index (igr.filters)."""
        filterset_class = getattr(self.view, "filterset_class", None)
        return (
            self.method in READS
            and getattr(self.view, "action", None) == "list"
            and bool(getattr(filterset_class, "search_vector", ()))
        )

    def get_auth(self):
        auth = super().get_auth()
        if self.method in READS and {} not in auth:
            # Anyone may read (published records); staff credentials show drafts too.
            auth = [*auth, {}]
        return auth

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        if getattr(field, "field_name", None):  # not a type hint's unbound field
            meta.setdefault("description", describe(field))
        return meta

    def _get_parameters(self):
        parameters = super()._get_parameters()
        filterset_class = getattr(self.view, "filterset_class", None)
        filters = filterset_class.base_filters if filterset_class else {}
        for parameter in parameters:
            name = parameter["name"]
            if parameter.get("in") == "path":
                parameter["description"] = PATH.get(name, parameter.get("description", ""))
                continue
            if parameter.get("in") != "query":
                continue
            if name not in ("page", "page_size"):
                # Empty means "not given" (no filter, the default format): a client may
                # send `?forum=` and the schema admits it.
                parameter["allowEmptyValue"] = True
            if name == "format":
                parameter["description"] = FORMAT
                continue
            filter_ = filters.get(name) or filters.get(name.rsplit("_", 1)[0])
            text, _, choices = (parameter.get("description") or "").partition("\n\n*")
            if not text and filter_ is not None:
                text = str(filter_.label or name.replace("_", " ").capitalize())
            for suffix, words in RANGE.items():
                if name not in filters and name.endswith(suffix):  # a range's two ends
                    text = f"{text.rstrip('.')}: {words}"
            parts = [text.rstrip(".") + "." if text else ""]
            if isinstance(filter_, django_filters.ModelChoiceFilter) or name in ("forum",):
                parts.append(UNKNOWN_SLUG)
            if isinstance(filter_, django_filters.BooleanFilter):
                parts.append(NOT_BOOLEAN)
            if name == "ordering":
                parts.append("An empty value means the default order.")
            elif name not in ("page", "page_size", "cursor"):
                parts.append(EMPTY_MEANS_ANY)
            parameter["description"] = " ".join(p for p in parts if p) + (
                f"\n\n*{choices}" if choices else ""
            )
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction == "response" and self._searches_full_text():
            # The list's rows may carry the search's rank and snippet: declared (optional)
            # on the record component the list's `results` refer to.
            component = self.resolve_serializer(self.get_response_serializers(), direction)
            properties = (component.schema or {}).get("properties")
            if properties is not None:
                for name, spec in SEARCH_PROPERTIES.items():
                    properties.setdefault(name, dict(spec))
        codes = READ_ERRORS if self.method in READS else tuple(ERRORS)
        for code in codes:
            if code in responses:
                continue
            response = self._get_response_for_code(
                ErrorSerializer, code, media_types=["application/json"], direction=direction
            )
            response["description"] = ERRORS[code]
            responses[code] = response
        return responses
