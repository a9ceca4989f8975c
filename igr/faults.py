"""What a visitor gets when the server fails: a 503 (page or JSON) while the database is
unreachable, so clients and load balancers retry; never a stack trace."""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger(__name__)

# OperationalError covers a refused or dropped connection and a server shutting down;
# InterfaceError a connection already closed under us. Both pass once the database is back.
DATABASE_GONE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = "30"


def wants_json(request) -> bool:
    return request.path.startswith(("/api/", "/healthz")) or (
        "application/json" in request.headers.get("Accept", "")
        and "text/html" not in request.headers.get("Accept", "")
    )


def server_error(request, template_name="500.html"):
    """handler500: Django calls it inside the except block, so the exception is at hand."""
    exc = sys.exc_info()[1]
    unavailable = isinstance(exc, DATABASE_GONE)
    status = 503 if unavailable else 500
    if wants_json(request):
        # The API's error shape (igr.api.base.exception_handler).
        detail = (
            "The service cannot reach its database. Try again shortly."
            if unavailable
            else "The server failed to answer this request."
        )
        response = JsonResponse({"status": status, "detail": detail, "errors": []}, status=status)
    elif unavailable:
        # Rendered without the request: context processors would query the database.
        try:
            body = loader.select_template(["503.html", template_name]).render()
        except Exception:  # a broken template must not turn a 503 into a 500
            logger.exception("Error page template failed")
            body = "<h1>Sorry, the service is unavailable</h1><p>Try again later.</p>"
        response = HttpResponse(body, status=503)
    else:
        return django_server_error(request, template_name)
    if unavailable:
        response["Retry-After"] = RETRY_AFTER_SECONDS
    return response
