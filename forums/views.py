"""Public pages for forums, meetings, commitments and recommendations."""

from django.views.generic import DetailView

from forums.models import Commitment, Forum, Meeting, Recommendation


class ForumDetailView(DetailView):
    template_name = "forums/forum_detail.html"
    context_object_name = "forum"

    def get_queryset(self):
        return Forum.objects.published()


class MeetingDetailView(DetailView):
    template_name = "forums/meeting_detail.html"
    context_object_name = "meeting"

    def get_queryset(self):
        return Meeting.objects.published().select_related("forum", "host_authority", "chair")


class CommitmentDetailView(DetailView):
    template_name = "forums/commitment_detail.html"
    context_object_name = "commitment"

    def get_queryset(self):
        return Commitment.objects.published().select_related(
            "meeting__forum", "forum", "lead_authority"
        )


class RecommendationDetailView(DetailView):
    template_name = "forums/recommendation_detail.html"
    context_object_name = "recommendation"

    def get_queryset(self):
        return Recommendation.objects.select_related("report")
