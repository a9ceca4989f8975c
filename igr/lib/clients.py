"""The client address the public forms' rate limits count (RATELIMIT_IP_META_KEY): the
alert subscriptions and "Report a mistake".

As django-axes does for sign-in: behind TRUSTED_PROXY_COUNT proxies the client is the
entry that many from the right of X-Forwarded-For (the proxies append what they saw);
with no proxy that header is the client's own invention and only the socket counts."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= count:
            candidate = forwarded[-count]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    return remote or "0.0.0.0"
