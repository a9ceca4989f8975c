"""The alert pages: subscribe (rate-limited), confirm (double opt-in), manage (from a
signed link) and one-click unsubscribe (RFC 8058)."""

import smtplib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView
from django_ratelimit.core import is_ratelimited

from alerts import changes, sending, tokens
from alerts.forms import FrequencyForm, SubscribeForm
from alerts.models import Frequency, Subscription, Topic

RATE_LIMITED = "You have asked for too many alerts in the last hour. Try again in an hour."


def _target(request):
    """(topic, record, query) named by the query string (?forum=<slug>, ?commitment=<n>,
    ?q=<words>…), or None when it names nothing; 404 for an unknown or draft record."""
    for topic in changes.TOPIC_MODELS:
        if topic in request.GET:
            record = changes.find_record(topic, request.GET[topic])
            if record is None:
                raise Http404(f"No such {topic}.")
            return topic, record, ""
    if "q" in request.GET:
        query = " ".join(request.GET["q"].split())
        if not query or len(query) > 200:
            raise Http404("Give a search of 1 to 200 characters.")
        return Topic.SEARCH, None, query
    return None


def _target_context(target):
    if target is None:
        return {"target": None}
    topic, record, query = target
    param = "q" if topic == Topic.SEARCH else topic
    value = (
        query
        if topic == Topic.SEARCH
        else (record.pk if topic == Topic.COMMITMENT else record.slug)
    )
    return {
        "target": target,
        "topic": topic,
        "record": record,
        "query": query,
        "follows": (
            f"the search “{query}”"
            if topic == Topic.SEARCH
            else f"{Topic(topic).label.lower()} {record}"
        ),
        "target_query": urlencode({param: value}),
    }


class SubscribeView(TemplateView):
    template_name = "alerts/subscribe.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(_target_context(_target(self.request)))
        context.setdefault("form", SubscribeForm())
        context["confirm_days"] = settings.ALERTS_CONFIRM_MAX_AGE // 86400
        return context

    def _refuse(self, form, message, status):
        form.is_valid()  # add_error needs the form cleaned first
        form.add_error(None, message)
        return self.render_to_response(self.get_context_data(form=form), status=status)

    def post(self, request, *args, **kwargs):
        target = _target(request)
        if target is None:
            raise Http404("Choose a record or a search to follow.")
        form = SubscribeForm(request.POST)
        rate = settings.ALERTS_SUBSCRIBE_RATE
        if is_ratelimited(
            request, group="alerts-subscribe-ip", key="ip", rate=rate, increment=True
        ):
            return self._refuse(form, RATE_LIMITED, 429)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        email = form.cleaned_data["email"]
        if is_ratelimited(
            request,
            group="alerts-subscribe-email",
            key=lambda _group, _request: email,
            rate=rate,
            increment=True,
        ):
            return self._refuse(form, RATE_LIMITED, 429)
        topic, record, query = target
        subscription = _pending_subscription(
            email, topic, record, query, form.cleaned_data["frequency"]
        )
        try:
            sending.confirmation_message(subscription, record).send()
        except (smtplib.SMTPException, OSError):
            return self._refuse(
                form, "We could not send the email just now. Try again in a few minutes.", 503
            )
        return HttpResponseRedirect(reverse("alerts:check-email"))


def _pending_subscription(email, topic, record, query, frequency):
    """The address's subscription to this record or search: the existing one (its link is
    sent again; a confirmed one keeps its frequency, changed on the manage page), or a new,
    unconfirmed one."""
    lookup = {"email": email, "topic": topic}
    lookup.update({"query": query} if topic == Topic.SEARCH else {"object_id": record.pk})
    try:
        with transaction.atomic():
            subscription, created = Subscription.objects.get_or_create(
                **lookup, defaults={"frequency": frequency}
            )
    except IntegrityError:  # the same address subscribing twice at once
        return Subscription.objects.get(**lookup)
    if not created and not subscription.is_confirmed and subscription.frequency != frequency:
        subscription.frequency = frequency
        subscription.save(update_fields=["frequency"])
    return subscription


class CheckEmailView(TemplateView):
    template_name = "alerts/check_email.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["confirm_days"] = settings.ALERTS_CONFIRM_MAX_AGE // 86400
        return context


def _bad_link(request, what="link"):
    return render(request, "alerts/bad_link.html", {"what": what}, status=404)


class ConfirmView(View):
    """GET shows a button; the POST confirms. Mail scanners that open every link in an
    email would otherwise confirm addresses nobody confirmed."""

    def get(self, request, token):
        subscription = self._subscription(token)
        if subscription is None:
            return _bad_link(request)
        record = changes.followed_record(subscription)
        return render(
            request,
            "alerts/confirm.html",
            {"subscription": subscription, "follows": changes.describe(subscription, record)},
        )

    def post(self, request, token):
        subscription = self._subscription(token)
        if subscription is None:
            return _bad_link(request)
        Subscription.objects.filter(pk=subscription.pk, confirmed_at__isnull=True).update(
            confirmed_at=timezone.now()
        )
        manage = reverse("alerts:manage", kwargs={"token": tokens.manage_token(subscription.email)})
        return HttpResponseRedirect(f"{manage}?done=confirmed")

    def _subscription(self, token):
        try:
            pk = tokens.read_confirm_token(token)
        except tokens.BadToken:
            return None
        return Subscription.objects.filter(pk=pk).first()


class ManageView(View):
    """Every alert of one address, from the signed link in each email: change how often,
    or stop one or all."""

    def get(self, request, token):
        try:
            email = tokens.read_manage_token(token)
        except tokens.BadToken:
            return _bad_link(request)
        subscriptions = list(Subscription.objects.for_email(email).order_by("created_at", "id"))
        records = changes.followed_records(subscriptions)
        rows = []
        for subscription in subscriptions:
            record = records[subscription.pk]
            rows.append(
                {
                    "subscription": subscription,
                    "follows": changes.describe(subscription, record),
                    "url": record.get_absolute_url() if record is not None else None,
                }
            )
        return render(
            request,
            "alerts/manage.html",
            {
                "email": email,
                "rows": rows,
                "frequencies": Frequency.choices,
                "done": request.GET.get("done"),
            },
        )

    def post(self, request, token):
        try:
            email = tokens.read_manage_token(token)
        except tokens.BadToken:
            return _bad_link(request)
        mine = Subscription.objects.for_email(email)
        action = request.POST.get("action")
        done = None
        if action == "stop-all":
            mine.delete()
            done = "stopped-all"
        elif action in {"stop", "frequency"}:
            subscription = mine.filter(pk=_int(request.POST.get("subscription"))).first()
            if subscription is None:
                raise Http404("No such alert for this address.")
            if action == "stop":
                subscription.delete()
                done = "stopped"
            else:
                form = FrequencyForm(request.POST)
                if form.is_valid():
                    subscription.frequency = form.cleaned_data["frequency"]
                    subscription.save(update_fields=["frequency"])
                    done = "frequency"
        here = reverse("alerts:manage", kwargs={"token": token})
        return HttpResponseRedirect(f"{here}?done={done}" if done else here)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@method_decorator(csrf_exempt, name="dispatch")
class UnsubscribeView(View):
    """The List-Unsubscribe URL. A POST (a mail client's one-click POST of
    `List-Unsubscribe=One-Click`, or this page's button) stops the alerts the email was
    about, without a CSRF token or a sign-in: the signed token is the authority, and it can
    only stop alerts, never start one. A GET only asks, so link scanners stop nothing."""

    def get(self, request, token):
        found = self._subscriptions(token)
        if found is None:
            return _bad_link(request, "unsubscribe link")
        email, subscriptions = found
        records = changes.followed_records(subscriptions)
        return render(
            request,
            "alerts/unsubscribe.html",
            {
                "follows": [changes.describe(s, records[s.pk]) for s in subscriptions],
                "manage_url": reverse(
                    "alerts:manage", kwargs={"token": tokens.manage_token(email)}
                ),
            },
        )

    def post(self, request, token):
        found = self._subscriptions(token)
        if found is None:
            return _bad_link(request, "unsubscribe link")
        email, subscriptions = found
        Subscription.objects.filter(pk__in=[s.pk for s in subscriptions]).delete()
        return render(
            request,
            "alerts/unsubscribed.html",
            {
                "manage_url": reverse(
                    "alerts:manage", kwargs={"token": tokens.manage_token(email)}
                ),
            },
        )

    def _subscriptions(self, token):
        try:
            email, ids = tokens.read_unsubscribe_token(token)
        except tokens.BadToken:
            return None
        return email, list(Subscription.objects.for_email(email).filter(pk__in=ids))
