"""Root of the REST API: /api/v1/ routes, the OpenAPI schema and its docs."""

urlpatterns = []
