"""The dataset releases page (/data/) and the downloads it links to.

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

from igr.lib import releases

app_name = "releases"

CONTENT_TYPES = {".csv": "text/csv", ".json": "application/json", ".md": "text/markdown"}


class ReleaseListView(TemplateView):
    template_name = "releases/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["releases"] = releases.list_releases(Path(settings.RELEASES_DIR))
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
    return response


urlpatterns = [
    path("", ReleaseListView.as_view(), name="list"),
    path("<str:release>/<str:name>", download, name="file"),
]
