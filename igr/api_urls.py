"""Root of the REST API: /api/v1/ routes, the OpenAPI schema and its docs."""

from django.conf import settings
from django.urls import include, path, re_path, reverse
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import routers
from rest_framework.routers import DefaultRouter

from authorities.api.urls import ROUTES as AUTHORITY_ROUTES
from forums.api.urls import ROUTES as FORUM_ROUTES
from forums.api.views import LocalRedocView
from igr.api.base import api_not_found

#: Besides the record lists, the root names the aggregates and the sync and release lists.
MORE_ROOT_ENTRIES = {
    "scorecards": "api-scorecards",
    "forum-health": "api-forum-health-list",
    "attendance-matrix": "api-attendance-matrix",
    "cross-party": "api-cross-party",
    "deletions": "api-deletions",
    "releases": "api-releases",
}


class APIRoot(routers.APIRootView):
    """Every list and aggregate of the API, the schema and its docs, and the licence the
    data is published under (settings.DATA_LICENCE)."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.data["schema"] = request.build_absolute_uri(reverse("api-schema"))
        response.data["docs"] = request.build_absolute_uri(reverse("api-docs"))
        response.data["data_dictionary"] = request.build_absolute_uri(
            reverse("releases:dictionary")
        )
        response.data["licence"] = {
            k: settings.DATA_LICENCE[k] for k in ("name", "url", "attribution")
        }
        return response


class Router(DefaultRouter):
    APIRootView = APIRoot

    def get_api_root_view(self, api_urls=None):
        view = super().get_api_root_view(api_urls)
        view.view_initkwargs["api_root_dict"].update(MORE_ROOT_ENTRIES)
        return view


router = Router()
# Formats are chosen with ?format=csv; suffix routes (/meetings.csv) would double every path.
router.include_format_suffixes = False
for prefix, viewset, basename in AUTHORITY_ROUTES + FORUM_ROUTES:
    router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("v1/", include("forums.api.urls")),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", LocalRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    re_path(r"", api_not_found),
]
