"""Routes for the authorities records, registered on the v1 router in igr/api_urls.py."""

from authorities.api import views

ROUTES = [
    ("authorities", views.AuthorityViewSet, "api-authority"),
    ("councils", views.CouncilViewSet, "api-council"),
    ("parties", views.PartyViewSet, "api-party"),
    ("people", views.PersonViewSet, "api-person"),
    ("offices", views.OfficeViewSet, "api-office"),
]
