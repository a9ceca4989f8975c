from django.urls import path

from authorities import views

app_name = "authorities"

urlpatterns = [
    path("authorities/", views.AuthorityListView.as_view(), name="authority-list"),
    path("authorities/<slug:slug>/", views.AuthorityDetailView.as_view(), name="authority-detail"),
    path("my-area/", views.MyAreaView.as_view(), name="my-area"),
    path("my-area/<slug:slug>/", views.MyAreaView.as_view(), name="my-area-council"),
    path("people/", views.PersonListView.as_view(), name="person-list"),
    path("people/<slug:slug>/", views.PersonDetailView.as_view(), name="person-detail"),
]
