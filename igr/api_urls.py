"""Root of the REST API: /api/v1/ routes, the OpenAPI schema and its docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from authorities.api.urls import ROUTES as AUTHORITY_ROUTES
from forums.api.urls import ROUTES as FORUM_ROUTES
from forums.api.views import LocalRedocView
from igr.api.base import api_not_found

router = DefaultRouter()
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
