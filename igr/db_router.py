"""Reads from a PostgreSQL read replica, writes to the primary.

Enabled only when DATABASE_REPLICA_URL is set (igr/settings.py). A replica lags the
primary by a moment, so a read goes to the primary whenever it must see the latest data:
inside a transaction on the primary (a service that locks, then writes) and for the whole
of a request that writes or belongs to staff (PrimaryPinMiddleware), so an editor always
sees the change just saved. Anonymous pages, feeds and API reads — nearly all the traffic
— go to the replica.
"""

import contextlib
import contextvars

from django.db import connections

PRIMARY = "default"
REPLICA = "replica"

_pinned = contextvars.ContextVar("igr_pinned_to_primary", default=False)


@contextlib.contextmanager
def pinned_to_primary():
    """Every read inside the block goes to the primary."""
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if _pinned.get() or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data, so objects read from either may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica follows the primary through PostgreSQL replication, never migrations.
        return db == PRIMARY


class PrimaryPinMiddleware:
    """Pin a request's reads to the primary when it writes (any method but GET, HEAD and
    OPTIONS), comes from staff tooling (the admin) or carries credentials (API tokens,
    a signed-in session), so nobody reads back stale data after saving."""

    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        pin = (
            request.method not in self.SAFE_METHODS
            or request.path.startswith("/admin/")
            or "Authorization" in request.headers
            or settings.SESSION_COOKIE_NAME in request.COOKIES
        )
        if not pin:
            return self.get_response(request)
        with pinned_to_primary():
            return self.get_response(request)
