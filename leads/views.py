"""The public "Report a mistake or suggest a source" form: filed as a lead for staff.

No third-party CAPTCHA: a honeypot field catches simple bots and a per-address limit
(django-ratelimit, settings.CORRECTIONS_RATE) stops floods."""

import uuid

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.views import View
from django_ratelimit.core import is_ratelimited

from forums.models import Commitment, Forum, Meeting
from leads.forms import ReportForm
from leads.models import Kind, Origin
from leads.services import file_lead

RATE_GROUP = "leads.report"


def forum_of_page(path: str):
    """The forum a reported page is about (a forum's, a meeting's or a commitment's own
    page), so the inbox can file the report under it; None for any other page."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name == "forums:forum-detail":
        return Forum.objects.filter(slug=match.kwargs["slug"]).first()
    if match.view_name == "forums:meeting-detail":
        meeting = Meeting.objects.filter(slug=match.kwargs["slug"]).select_related("forum")
        return next((m.forum for m in meeting[:1]), None)
    if match.view_name == "forums:commitment-detail":
        commitment = Commitment.objects.filter(pk=match.kwargs["pk"]).first()
        return commitment.responsible_forum if commitment is not None else None
    return None


class ReportView(View):
    template_name = "leads/report.html"

    def get(self, request):
        form = ReportForm(initial={"page": request.GET.get("page", "")})
        return self._render(request, form)

    def post(self, request):
        form = ReportForm(request.POST)
        if is_ratelimited(
            request,
            group=RATE_GROUP,
            key="ip",  # igr.lib.clients.client_ip, as the alert forms count
            rate=settings.CORRECTIONS_RATE,
            method="POST",
            increment=True,
        ):
            return self._render(request, form, status=429, refused="rate")
        if form.is_bot:
            return self._render(request, form, status=400, refused="bot")
        if not form.is_valid():
            return self._render(request, form, status=400)
        data = form.cleaned_data
        page = data["page"]
        file_lead(
            key=f"public:{uuid.uuid4()}",
            origin=Origin.PUBLIC,
            kind=Kind.CORRECTION,
            url=request.build_absolute_uri(page) if page else "",
            title=f"Report: {data['problem'][:120]}",
            text=data["problem"],
            reporter_email=data["email"],
            guessed_forum=forum_of_page(page) if page else None,
            guesses={"page": page, "suggested_source": data["source_url"]},
        )
        return redirect("report-thanks")

    def _render(self, request, form, *, status=200, refused=None):
        return render(
            request,
            self.template_name,
            {"form": form, "refused": refused, "rate": settings.CORRECTIONS_RATE},
            status=status,
        )
