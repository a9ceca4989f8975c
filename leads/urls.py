from django.urls import path
from django.views.generic import TemplateView

from leads.views import ReportView

urlpatterns = [
    path("report-a-mistake/", ReportView.as_view(), name="report"),
    path(
        "report-a-mistake/sent/",
        TemplateView.as_view(template_name="leads/report_thanks.html"),
        name="report-thanks",
    ),
]
