from django.contrib import admin
from django.urls import include, path

from igr import views

admin.site.site_header = "IGR Tracker administration"
admin.site.site_title = "IGR Tracker admin"
admin.site.index_title = "Keep the record"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("healthz", views.health, name="health"),
    path("admin/", admin.site.urls),
    path("api/", include("igr.api_urls")),
    path("data/", include("igr.releases")),
    path("", include("forums.urls")),
    path("", include("authorities.urls")),
]
