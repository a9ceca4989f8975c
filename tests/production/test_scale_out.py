"""Scale-out: the read-replica router and the shared Redis cache."""

import shutil
import socket
import uuid

import pytest
from django.core.cache import caches
from django.db import connections, transaction
from django.test import RequestFactory

from igr.db_router import PrimaryPinMiddleware, PrimaryReplicaRouter, pinned_to_primary
from tests.production.conftest import manage, production_env

router = PrimaryReplicaRouter()


# --- routing rules -------------------------------------------------------------------


def test_reads_go_to_the_replica_and_writes_to_the_primary():
    assert router.db_for_read(None) == "replica"
    assert router.db_for_write(None) == "default"


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_on_the_primary_stay_on_the_primary():
    # A service locks a row (select_for_update) then writes; a standby refuses the lock,
    # and a lagging replica would give it a stale row.
    with transaction.atomic():
        assert connections["default"].in_atomic_block
        assert router.db_for_read(None) == "default"
    assert router.db_for_read(None) == "replica"


def test_pinned_reads_go_to_the_primary_until_the_block_ends():
    with pinned_to_primary():
        assert router.db_for_read(None) == "default"
    assert router.db_for_read(None) == "replica"


def test_only_the_primary_is_migrated():
    assert router.allow_migrate("default", "forums") is True
    assert router.allow_migrate("replica", "forums") is False


@pytest.mark.parametrize(
    ("method", "path", "headers", "cookies", "pinned"),
    [
        ("GET", "/meetings/", {}, {}, False),
        ("GET", "/api/v1/meetings/", {}, {}, False),
        ("POST", "/api/v1/meetings/", {}, {}, True),
        ("PATCH", "/api/v1/meetings/x/", {}, {}, True),
        ("GET", "/admin/forums/meeting/", {}, {}, True),
        ("GET", "/api/v1/meetings/", {"HTTP_AUTHORIZATION": "Token abc"}, {}, True),
        ("GET", "/meetings/", {}, {"sessionid": "abc"}, True),
    ],
)
def test_the_middleware_pins_writes_staff_and_signed_in_requests(
    method, path, headers, cookies, pinned
):
    seen = []

    def view(request):
        seen.append(router.db_for_read(None))
        return None

    request = RequestFactory().generic(method, path, **headers)
    request.COOKIES.update(cookies)
    PrimaryPinMiddleware(view)(request)
    assert seen == ["default" if pinned else "replica"]
    assert router.db_for_read(None) == "replica"  # and the pin ends with the request


# --- the router wired by settings, against two real databases ---------------------------


def test_with_a_replica_configured_reads_come_from_it_and_writes_go_to_the_primary(tmp_path):
    """Two SQLite files stand in for a primary and a replica that has not caught up yet:
    a party written through the app lands in the primary, a plain read does not see it
    (it reads the replica), a read inside a transaction does."""
    primary, replica = tmp_path / "primary.sqlite3", tmp_path / "replica.sqlite3"
    env = production_env(DATABASE_URL=f"sqlite:///{primary}")
    assert manage("migrate", "--noinput", env=env).returncode == 0
    shutil.copy(primary, replica)

    script = (
        "from django.db import transaction\n"
        "from authorities.models import Party\n"
        "Party.objects.create(name='Lag Party', short_name='Lag', colour='#000000')\n"
        "print('replica', Party.objects.filter(name='Lag Party').count())\n"
        "with transaction.atomic():\n"
        "    print('primary', Party.objects.filter(name='Lag Party').count())\n"
        "print('written-to', Party.objects.db_manager('default').filter(name='Lag Party')"
        ".count(), Party.objects.using('replica').filter(name='Lag Party').count())\n"
    )
    result = manage(
        "shell",
        "--verbosity=0",
        "-c",
        script,
        env={**env, "DATABASE_REPLICA_URL": f"sqlite:///{replica}"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:3] == ["replica 0", "primary 1", "written-to 1 0"]


def test_without_a_replica_there_is_one_database_and_no_router():
    result = manage(
        "shell",
        "--verbosity=0",
        "-c",
        "from django.conf import settings as s; print(sorted(s.DATABASES), "
        "getattr(s, 'DATABASE_ROUTERS', []))",
    )
    assert result.stdout.strip() == "['default'] []"


# --- Redis as the shared cache ----------------------------------------------------------


def test_redis_url_selects_django_redis_cache_and_locmem_without_it():
    code = (
        "from django.conf import settings as s; "
        "print(s.CACHES['default']['BACKEND'], s.CACHES['default'].get('LOCATION', '-'))"
    )
    with_redis = manage(
        "shell", "--verbosity=0", "-c", code, env=production_env(REDIS_URL="redis://cache:6379/0")
    )
    assert with_redis.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://cache:6379/0",
    ]
    without = manage("shell", "--verbosity=0", "-c", code)
    assert without.stdout.split() == ["django.core.cache.backends.locmem.LocMemCache", "-"]


def _redis_up():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_up(), reason="no Redis server on 127.0.0.1:6379")
@pytest.mark.django_db
def test_two_app_servers_share_one_throttle_through_redis(settings, client, monkeypatch):
    """Two app servers are two processes with separate memory; with Redis they share the
    anonymous throttle, so a client cannot double its allowance by being load-balanced.
    The second 'server' here is a fresh connection to the same Redis."""
    import redis
    from rest_framework.throttling import AnonRateThrottle

    prefix = f"igr-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": prefix,
        }
    }
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    try:
        statuses = [client.get("/api/v1/parties/").status_code for _ in range(3)]
        caches["default"].close()
        monkeypatch.setattr(AnonRateThrottle, "cache", caches.create_connection("default"))
        statuses.append(client.get("/api/v1/parties/").status_code)
        assert statuses == [200, 200, 200, 429]
        # The counter lives in Redis, not in this process.
        assert redis.Redis.from_url("redis://127.0.0.1:6379/15").keys(f"{prefix}:*")
    finally:
        server = redis.Redis.from_url("redis://127.0.0.1:6379/15")
        for key in server.scan_iter(f"{prefix}:*"):
            server.delete(key)
