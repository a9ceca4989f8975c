"""Routes for the forums records and aggregates; igr/api_urls.py mounts them at /api/v1/."""

from django.urls import path

from forums.api import views

ROUTES = [
    ("forums", views.ForumViewSet, "api-forum"),
    ("meetings", views.MeetingViewSet, "api-meeting"),
    ("attendance", views.AttendanceViewSet, "api-attendance"),
    ("agenda-items", views.AgendaItemViewSet, "api-agendaitem"),
    ("documents", views.DocumentViewSet, "api-document"),
    ("commitments", views.CommitmentViewSet, "api-commitment"),
    (
        "commitment-status-changes",
        views.CommitmentStatusChangeViewSet,
        "api-commitmentstatuschange",
    ),
    ("recommendations", views.RecommendationViewSet, "api-recommendation"),
    ("sources", views.SourceViewSet, "api-source"),
]

urlpatterns = [
    path("scorecards/", views.ScorecardSummaryView.as_view(), name="api-scorecards"),
    path("forum-health/", views.ForumHealthListView.as_view(), name="api-forum-health-list"),
    path("attendance-matrix/", views.AttendanceMatrixView.as_view(), name="api-attendance-matrix"),
    path("cross-party/", views.CrossPartyView.as_view(), name="api-cross-party"),
    path("releases/", views.ReleaseListView.as_view(), name="api-releases"),
    path("deletions/", views.TombstoneListView.as_view(), name="api-deletions"),
]
