"""Two floor views for the benchmark (bench/run.py): what plain Django can do on the same
server, so each endpoint's throughput reads as a ratio of the best the stack manages.

Mounted only when IGR_BENCH_FLOORS=1 (igr/urls.py), which the benchmark sets for its own
gunicorn; production never serves them.
"""

from django.http import JsonResponse
from django.urls import path

from forums.models import Meeting

CONSTANT = {"status": "ok", "detail": "A constant body: Django's request and response alone."}

#: The meetings list's first page, as plain columns: the API's default order and page size.
MEETING_COLUMNS = [
    "slug",
    "forum__slug",
    "date",
    "start_time",
    "date_confirmed",
    "date_note",
    "location",
    "host_authority__slug",
    "chair__slug",
    "summary",
    "status",
    "status_reason",
    "notes",
    "publication_state",
    "published_at",
    "created_at",
    "updated_at",
]


def constant(request):
    return JsonResponse(CONSTANT)


def meetings_values(request):
    # The model's default order, as the API list uses it.
    rows = list(Meeting.objects.published().values(*MEETING_COLUMNS)[:50])
    return JsonResponse({"results": rows})


urlpatterns = [
    path("constant/", constant, name="bench-floor-constant"),
    path("meetings/", meetings_values, name="bench-floor-meetings"),
]
