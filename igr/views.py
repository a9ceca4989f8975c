"""Site-wide views: home and health."""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.generic import TemplateView

from forums.models import Commitment, Forum, Meeting


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meetings = Meeting.objects.published().select_related("forum")
        context.update(
            forum_count=Forum.objects.published().count(),
            meeting_count=meetings.held().count(),
            commitment_count=Commitment.objects.published().count(),
            upcoming_meetings=meetings.upcoming()[:5],
            recent_meetings=meetings.held().order_by("-date")[:5],
        )
        return context


def health(request):
    """Answers 503 when the database cannot be reached, so a load balancer drops this node."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
