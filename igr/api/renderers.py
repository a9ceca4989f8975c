"""The browsable API's renderer and the content negotiation. Their own module because
DRF imports the defaults from settings while igr.api.base is still loading."""

from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer


class RawFormBrowsableAPIRenderer(BrowsableAPIRenderer):
    """The browsable API without its HTML forms: staff still get the raw JSON form.

    DRF's HTML form draws a <select> for every relation, up to 1,000 records each, with a
    query per option's label: at 300,000 commitments the commitments list in a browser was
    13.8 MB and about 9,000 queries (restates, supersedes, meeting). The raw form builds
    the same serializer without its choices."""

    def get_rendered_html_form(self, data, view, method, request):
        return None


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, with a clear refusal of a format the address does not answer in.

    DRF answered an unknown `?format=` with 404 "Not found.", as if the address did not
    exist: now it is a 400 naming `format` and the formats there are; an Accept header
    nothing matches stays a 406, naming the media types there are."""

    def select_renderer(self, request, renderers, format_suffix=None):
        wanted = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        formats = [renderer.format for renderer in renderers]
        if wanted and wanted not in formats:
            message = f"“{wanted[:20]}” is not a format here; use one of: {', '.join(formats)}."
            raise exceptions.ValidationError(
                {"format": [exceptions.ErrorDetail(message, code="unsupported_format")]}
            )
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except exceptions.NotAcceptable:
            types = ", ".join(renderer.media_type for renderer in renderers)
            raise exceptions.NotAcceptable(
                f"Nothing here matches the Accept header; the media types are: {types}."
            ) from None
