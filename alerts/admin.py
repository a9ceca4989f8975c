from django.contrib import admin

from alerts.models import AlertRun
from igr.admin import RunLogAdmin


@admin.register(AlertRun)
class AlertRunAdmin(RunLogAdmin):
    """The runs of send_alerts, read-only: when alerts last went out, and what stopped a
    run. Subscribers' addresses are deliberately not shown in the admin."""

    list_display = (
        "started_at",
        "frequency",
        "finished_at",
        "emails_sent",
        "changes_sent",
        "failures",
        "error",
    )
    list_filter = ("frequency",)
    date_hierarchy = "started_at"
