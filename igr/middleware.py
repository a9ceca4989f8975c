"""Site-wide middleware: the structured request log and the per-path CSP additions."""

import logging
import re
import time
import uuid

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.utils.functional import empty

from igr.log import redact_query

request_logger = logging.getLogger("igr.request")

# A request id a proxy sent is reused only when it is short and plain, so a client cannot
# inject text into the logs through it.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestLogMiddleware:
    """One log record per request: method, path, redacted query, status, duration, user id
    and a request id (X-Request-ID, echoed on the response). Never headers, cookies, bodies
    or user names, so no password, token or session key can reach the log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        sent_id = request.headers.get("X-Request-ID", "")
        request_id = sent_id if _REQUEST_ID.match(sent_id) else uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        request_logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.path,
                "query": redact_query(request.GET),
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
                "user_id": _user_id(request),
                "remote_addr": request.META.get("REMOTE_ADDR"),
            },
        )
        return response


def _user_id(request):
    # Only when authentication already ran: evaluating request.user here would query the
    # database, which may be the very thing that just failed.
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, plus settings.CSP_PATH_UPDATES: the directives added for a
    URL prefix (the admin, the API docs), exactly as an @csp_update decorator on those
    views would add them. A view's own @csp_update still wins."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only or parts.update is not None:
            return parts
        for prefix, update in settings.CSP_PATH_UPDATES.items():
            if request.path_info.startswith(prefix):
                parts.update = update
                break
        return parts
