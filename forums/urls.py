from django.urls import path

from forums import feeds, views

app_name = "forums"

urlpatterns = [
    path("forums/", views.ForumListView.as_view(), name="forum-list"),
    path("forums/<slug:slug>/", views.ForumDetailView.as_view(), name="forum-detail"),
    path(
        "forums/<slug:slug>/meetings.ics",
        views.forum_meetings_ics,
        name="forum-meetings-ics",
    ),
    path(
        "authorities/<slug:slug>/meetings.ics",
        feeds.authority_meetings_ics,
        name="authority-meetings-ics",
    ),
    path("meetings/", views.MeetingListView.as_view(), name="meeting-list"),
    path("meetings/feed/", feeds.MeetingsFeed(), name="meetings-feed"),
    path("meetings.ics", views.meetings_ics, name="meetings-ics"),
    path("meetings/<slug:slug>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path("commitments/", views.CommitmentListView.as_view(), name="commitment-list"),
    path("commitments/<int:pk>/", views.CommitmentDetailView.as_view(), name="commitment-detail"),
    path("commitments/<int:pk>/feed/", feeds.CommitmentFeed(), name="commitment-feed"),
    path("recommendations/", views.RecommendationListView.as_view(), name="recommendation-list"),
    path(
        "recommendations/<slug:slug>/",
        views.RecommendationDetailView.as_view(),
        name="recommendation-detail",
    ),
]
