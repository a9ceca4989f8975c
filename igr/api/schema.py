"""OpenAPI generation: every operation documents the error shape of its 4xx answers."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

from igr.api.base import ErrorSerializer

ERRORS = {
    "400": "Invalid query parameter or body field; `errors` names each.",
    "401": "Missing or invalid token (writes only).",
    "403": "Not allowed: writes need a staff token with the model permission.",
    "404": "No such record, or a page past the last.",
    "405": "Method not allowed.",
    "409": "Conflicting simultaneous write.",
    "429": "Too many requests; see Retry-After.",
}
READ_ERRORS = ("400", "404", "405", "429")


CSV_NOTE = (
    "\n\nWith `format=csv` the current page comes as CSV: one row per record, one column "
    "per field of the JSON below in the same order, lists joined with `; `. Follow the "
    "`Link` header for the next page; `X-Total-Count` gives the total."
)


class AutoSchema(SpectacularAutoSchema):
    def get_description(self):
        description = super().get_description()
        if self._is_list_view() and any(
            getattr(r, "format", None) == "csv" for r in self.view.get_renderers()
        ):
            description += CSV_NOTE
        return description

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = READ_ERRORS if self.method in ("GET", "HEAD") else tuple(ERRORS)
        for code in codes:
            if code in responses:
                continue
            response = self._get_response_for_code(
                ErrorSerializer, code, media_types=["application/json"], direction=direction
            )
            response["description"] = ERRORS[code]
            responses[code] = response
        return responses
