import os

from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.generic import TemplateView

from forums.feeds import ChangesFeed
from igr import views
from igr.sitemaps import SITEMAPS

admin.site.site_header = "IGR Tracker administration"
admin.site.site_title = "IGR Tracker admin"
admin.site.index_title = "Keep the record"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("healthz", views.health, name="health"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("changes/", views.ChangeListView.as_view(), name="changes"),
    path("changes/feed/", ChangesFeed(), name="changes-feed"),
    path("attendance/", views.AttendanceView.as_view(), name="attendance"),
    path("coverage/", views.CoverageView.as_view(), name="coverage"),
    path("about/", TemplateView.as_view(template_name="pages/about.html"), name="about"),
    path("methodology/", views.MethodologyView.as_view(), name="methodology"),
    path(
        "accessibility/",
        TemplateView.as_view(template_name="pages/accessibility.html"),
        name="accessibility",
    ),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("admin/", admin.site.urls),
    path("api/", include("igr.api_urls")),
    path("data/", include("igr.releases")),
    path("alerts/", include("alerts.urls")),
    path("", include("leads.urls")),
    path("", include("forums.urls")),
    path("", include("authorities.urls")),
]

# The benchmark's floor views (bench/floors.py), only in the benchmark's own server.
if os.environ.get("IGR_BENCH_FLOORS") == "1":
    urlpatterns.insert(0, path("bench/floor/", include("bench.floors")))

# A database outage answers 503 (page or JSON) rather than 500; see igr/faults.py.
handler500 = "igr.faults.server_error"
