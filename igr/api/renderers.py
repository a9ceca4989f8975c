"""The browsable API's renderer. Its own module because DRF imports the default renderers
from settings while igr.api.base is still loading."""

from rest_framework.renderers import BrowsableAPIRenderer


class RawFormBrowsableAPIRenderer(BrowsableAPIRenderer):
    """The browsable API without its HTML forms: staff still get the raw JSON form.

    DRF's HTML form draws a <select> for every relation, up to 1,000 records each, with a
    query per option's label: at 300,000 commitments the commitments list in a browser was
    13.8 MB and about 9,000 queries (restates, supersedes, meeting). The raw form builds
    the same serializer without its choices."""

    def get_rendered_html_form(self, data, view, method, request):
        return None
