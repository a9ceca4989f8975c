from django.urls import path

from forums import views

app_name = "forums"

urlpatterns = [
    path("forums/<slug:slug>/", views.ForumDetailView.as_view(), name="forum-detail"),
    path("meetings/<slug:slug>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path("commitments/<int:pk>/", views.CommitmentDetailView.as_view(), name="commitment-detail"),
    path(
        "recommendations/<slug:slug>/",
        views.RecommendationDetailView.as_view(),
        name="recommendation-detail",
    ),
]
