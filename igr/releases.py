"""The dataset releases page (/data/), the downloads it links to, and the data
dictionary (/data/dictionary/).

Releases are written by `manage.py export_dataset` into settings.RELEASES_DIR; the
helpers in igr.lib.releases read them. Only files named in a release's SHA256SUMS are
served.
"""

import mimetypes
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.urls import path
from django.views.generic import TemplateView

from authorities.api.urls import ROUTES as AUTHORITY_ROUTES
from forums.api.urls import ROUTES as FORUM_ROUTES
from igr.api.fields import dictionary
from igr.lib import releases

app_name = "releases"

CONTENT_TYPES = {".csv": "text/csv", ".json": "application/json", ".md": "text/markdown"}


class ReleaseListView(TemplateView):
    template_name = "releases/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["releases"] = releases.list_releases(Path(settings.RELEASES_DIR))
        context["licence"] = settings.DATA_LICENCE
        return context


class DataDictionaryView(TemplateView):
    """Every column of every list, as the API's JSON and CSV and the releases have it,
    with its type and meaning: generated from the serializers, so it cannot drift."""

    template_name = "releases/dictionary.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lists"] = [
            {
                "name": prefix,
                "columns": dictionary(viewset.serializer_class(context={"request": None})),
            }
            for prefix, viewset, _ in AUTHORITY_ROUTES + FORUM_ROUTES
        ]
        context["licence"] = settings.DATA_LICENCE
        return context


def download(request, release, name):
    found = releases.find_file(Path(settings.RELEASES_DIR), release, name)
    if found is None:
        raise Http404("No such release file.")
    content_type = CONTENT_TYPES.get(found.suffix) or mimetypes.guess_type(name)[0]
    response = FileResponse(
        found.open("rb"), content_type=f"{content_type or 'text/plain'}; charset=utf-8"
    )
    # Inline, so a browser shows the checksums and changelog; CSVs download anyway.
    response["Content-Disposition"] = f'inline; filename="{release}-{name}"'
    response["Link"] = f'<{settings.DATA_LICENCE["url"]}>; rel="license"'
    return response


urlpatterns = [
    path("", ReleaseListView.as_view(), name="list"),
    path("dictionary/", DataDictionaryView.as_view(), name="dictionary"),
    path("<str:release>/<str:name>", download, name="file"),
]
