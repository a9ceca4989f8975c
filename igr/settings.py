"""IGR Tracker settings, read from environment variables (see .env.example)."""

import datetime
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from igr.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string (for example the output of `python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))'`), or set DEBUG=true for local development."
        )
    # Local development only: DEBUG is on, so this key never reaches production.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "csp",
    "axes",
    "authorities",
    "forums",
    "alerts",
    "leads",
]

MIDDLEWARE = [
    # Outermost, so the request log sees the final status (including redirects and 503s).
    "igr.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "igr.middleware.ContentSecurityPolicyMiddleware",
    # Before anything reads the database: pins writes and staff to the primary when a
    # replica is configured; a no-op otherwise.
    "igr.db_router.PrimaryPinMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during login into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "igr.urls"
WSGI_APPLICATION = "igr.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["igr.templatetags"],
            "libraries": {"igr_admin_dates": "igr.admin_dates"},
        },
    },
]

# SQLite file in the project by default so `make run` needs no services; production
# sets DATABASE_URL=postgres://… (psycopg 3).
DATABASE_URL = env_str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
try:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DB_CONN_MAX_AGE", default=0, minimum=0),
            conn_health_checks=True,
        )
    }
except (ValueError, KeyError) as exc:
    raise ImproperlyConfigured(f"DATABASE_URL could not be parsed: {exc}") from None

# The API's list reads prepare their one fixed statement per connection (igr/api/values.py,
# docs/benchmarks.md). Off behind a connection pooler that does not track prepared
# statements (PgBouncer before 1.21 in transaction mode; docs/deployment.md).
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", default=True)
# Django turns psycopg's prepared statements off (prepare_threshold None); a threshold no
# statement reaches turns them on for the statements that ask (prepare=True) and for no
# other: Django's own cursors bind on the client and never prepare.
PREPARE_ONLY_WHEN_ASKED = 2**31 - 1

# Scale-out: a PostgreSQL read replica takes the anonymous reads (igr/db_router.py). In
# tests the alias mirrors the primary, so routed reads see the test data.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    try:
        DATABASES["replica"] = dj_database_url.parse(
            DATABASE_REPLICA_URL,
            conn_max_age=env_int("DB_CONN_MAX_AGE", default=0, minimum=0),
            conn_health_checks=True,
        )
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URL could not be parsed: {exc}") from None
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["igr.db_router.PrimaryReplicaRouter"]
if DB_PREPARED_STATEMENTS:
    for _database in DATABASES.values():
        if _database["ENGINE"] == "django.db.backends.postgresql":
            _database.setdefault("OPTIONS", {})["prepare_threshold"] = PREPARE_ONLY_WHEN_ASKED

# Derived data that igr.policy.writing() keeps current on every write: each keeper's lock
# is taken first in the transaction, its refresh runs before commit (docs/architecture.md).
DERIVED_DATA = ["forums.stats.figures.keeper"]

# Shared cache for every app server: DRF's throttle counters and cached aggregates must
# be the same whichever server answers, so production sets REDIS_URL. Without it each
# process keeps its own in-memory cache (fine for one process, as in development).
REDIS_URL = env_str("REDIS_URL", default="")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "igr",
            "TIMEOUT": 300,
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = env_bool("USE_TZ", default=True)

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [d for d in [BASE_DIR / "static"] if d.exists()]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

REST_FRAMEWORK = {
    # Reads are open (published records only); writes need a staff token holding the
    # same model permission the admin asks for. See forums/api/base.py.
    "DEFAULT_PERMISSION_CLASSES": ["igr.api.permissions.ReadOnlyOrStaffModelPermissions"],
    # Token first, so an anonymous write answers 401 with WWW-Authenticate: Token.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Ordering lives in each FilterSet, which rejects unknown fields; DRF's OrderingFilter
    # would silently ignore them.
    "DEFAULT_FILTER_BACKENDS": ["igr.api.filter_backend.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "igr.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "igr.api.renderers.RawFormBrowsableAPIRenderer",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "igr.api.renderers.ContentNegotiation",
    "EXCEPTION_HANDLER": "igr.api.base.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "igr.api.schema.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env_str("API_ANON_THROTTLE_RATE", default="120/minute")},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# The one licence of the published data: named in the API root and schema, on every CSV
# download (a `Link: <url>; rel="license"` header), in dataset releases and on /data/.
DATA_LICENCE = {
    "name": "Open Government Licence v3.0",
    "spdx": "OGL-UK-3.0",
    "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    "attribution": "Contains public sector information licensed under the Open Government "
    "Licence v3.0.",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "IGR Tracker API",
    "DESCRIPTION": (
        "The public record of England's intergovernmental forums. Anyone may read published "
        "records without credentials (throttled); staff write with `Authorization: Token "
        "<key>` (or a signed-in session).\n\n"
        "**Lists** take `page` and `page_size` (at most 200), the filters shown and "
        "`ordering` (prefix `-` to reverse). **Paging by cursor**: instead of `page`, send "
        "`cursor` with no value (`?cursor`) for the first page; each answer's `next` and "
        "`previous` (and `Link` header) then carry the cursor of the page either side. "
        "A cursor page costs the same at any depth and neither repeats nor skips rows "
        "written between requests; keep the filters and `ordering` it was made for. A "
        "changed cursor, one of another ordering, or `cursor` with `page` is a 400 naming "
        "`cursor`. **Query strings are strict**: a parameter a "
        "list or aggregate does not take is a 400 naming it and listing the ones it does; "
        "a value that does not parse (a date, a number, a choice, a boolean other than "
        "`true`/`false`, an unknown slug) is a 400 naming the parameter. An **empty "
        "value** (`?forum=`) means no filter, everywhere.\n\n"
        "**Errors**: every 4xx answers "
        '`{"status", "detail", "errors": [{"field", "message", "code"}]}`.\n\n'
        "**Formats**: `?format=json` (the default) or `?format=csv` on every list and "
        "aggregate; any other `format` is a 400 naming the formats, and an Accept header "
        "nothing matches is a 406.\n\n"
        "**Sync**: fetch each list with `modified_since=T`, then `/api/v1/deletions/` with "
        "the same `T`, and drop the records named there: deleted or withdrawn records, and "
        "the rows that left the public lists with them (a withdrawn meeting's attendance, "
        "agenda items and documents).\n\n"
        "**Licence**: the data is published under the "
        f"[{DATA_LICENCE['name']}]({DATA_LICENCE['url']}); every CSV names it in a "
        '`Link: <…>; rel="license"` header.'
    ),
    "LICENSE": {"name": DATA_LICENCE["name"], "url": DATA_LICENCE["url"]},
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Read-only fields (url, timestamps, status) are left out of request bodies.
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "MeetingStatusEnum": "forums.models.MeetingStatus",
        "CommitmentStatusEnum": "forums.models.CommitmentStatus",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Dataset releases written by `manage.py export_dataset` and served at /data/.
RELEASES_DIR = Path(env_str("RELEASES_DIR", default=str(BASE_DIR / "releases")))

# --- Logging ---------------------------------------------------------------------------
# One JSON object per line on stderr (LOG_FORMAT=json, the default without DEBUG) so a log
# shipper can index it; igr.middleware.RequestLogMiddleware writes one line per request.
# The filter drops the request object Django attaches to its own error records: its repr
# carries the query string, which may hold anything a client typed.
LOG_FORMAT = env_str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} is not one of json, text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_request_object": {"()": "igr.log.DropRequestObject"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["no_request_object"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # runserver's own access line would duplicate igr.request's.
        "django.server": {"level": "WARNING"},
    },
}


# --- Production security ----------------------------------------------------------------
# With DEBUG off, `manage.py check --deploy --fail-level WARNING` passes on these values;
# see the configuration table in README.md and docs/deployment.md.

# Proxies (load balancer, nginx) between the client and gunicorn. When set, Django trusts
# X-Forwarded-Proto for "is this HTTPS?" and django-axes reads the client address from
# X-Forwarded-For, counting this many proxies from the right; without a proxy both headers
# are client-controlled and ignored.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", default=0, minimum=0)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT else None

# On by default in production; the test suite (pyproject's pytest env) and plain-HTTP
# set-ups turn it off. /healthz is exempt so a load balancer probing over HTTP gets 200/503,
# not a redirect it may count as a failure.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Sent only on HTTPS responses. A year by default; start a new domain with a small value
# (3600) and raise it once HTTPS is known to work, since browsers remember it.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
# No page script reads the CSRF cookie: the admin and DRF's browsable API post the token
# from the form, so JavaScript never needs it.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Staff sessions end after SESSION_IDLE_SECONDS without a request (the expiry slides on
# each request) and when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", default=2 * 60 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

SILENCED_SYSTEM_CHECKS = []
if not SECURE_HSTS_PRELOAD:
    # security.W021 asks for the HSTS "preload" flag. Preloading is a deployer's decision
    # (the domain must then be submitted to the browsers' list, and leaving it takes months),
    # so it is off unless SECURE_HSTS_PRELOAD=true and the warning is silenced until then.
    SILENCED_SYSTEM_CHECKS.append("security.W021")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # models.W040: the published-meetings index INCLUDEs `id` for index-only deep pages on
    # PostgreSQL; SQLite builds the same index without it, which costs nothing but speed
    # on the development database. Printed on every `make run`, it would only be noise.
    SILENCED_SYSTEM_CHECKS.append("models.W040")

# Content-Security-Policy (django-csp 4). Every script and style is a file under /static/,
# so scripts run only from this origin and nothing may frame the site. The admin and the
# API docs get their own additions in igr.middleware.ContentSecurityPolicyMiddleware.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Additions per URL prefix, for third-party pages whose markup we do not control. Applied by
# igr.middleware.ContentSecurityPolicyMiddleware the same way django-csp's @csp_update
# decorator would be; script-src never gains 'unsafe-eval'.
CSP_PATH_UPDATES = {
    # Swagger UI (drf-spectacular's split view, so its start-up script is a file): the one
    # fixed <style> block in drf-spectacular's swagger_ui.html, allowed by its hash.
    # tests/production/test_headers.py recomputes the hash, so an upgrade that changes the
    # block fails there rather than in a browser.
    "/api/docs/": {"style-src": ["'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"]},
}

# --- Login protection (django-axes) -------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out user is refused before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Always on in production. The test suite turns it off (pyproject's pytest env) because
# Django's test Client.login() authenticates without a request, which axes refuses; the
# lockout tests in tests/production/ turn it back on.
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
# Five failures lock out that user name (from anywhere) and, separately, that address
# (whatever names it tries), for 30 minutes or until staff delete the lockout in the
# admin (Axes › Access attempts) or run `manage.py axes_reset_username <name>`.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_COOLOFF_MESSAGE = (
    "This account is locked after too many failed sign-in attempts. Try again in 30 "
    "minutes, or ask an administrator to unlock it."
)
# Behind TRUSTED_PROXY_COUNT proxies the client is in X-Forwarded-For; otherwise only the
# socket address counts, so a client cannot dodge the address lockout with a forged header.
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if TRUSTED_PROXY_COUNT else ["REMOTE_ADDR"]
)

# --- Email and email alerts (alerts app, docs/operations.md) -------------------------------
# Under `make run` (DEBUG) emails are printed on the console; in production SMTP from these
# variables. A provider's API through django-anymail needs only EMAIL_BACKEND set to its
# backend (e.g. anymail.backends.postmark.EmailBackend) once django-anymail is installed
# with that provider's settings; see docs/operations.md.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set at most one of EMAIL_USE_TLS and EMAIL_USE_SSL.")
# Seconds before a silent mail server counts as a failure (send_alerts then retries those
# changes on its next run) rather than hanging the command.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", default=30, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="IGR Tracker <alerts@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The site's public address, for the links in emails (which have no request to build from).
SITE_URL = env_str("SITE_URL", default="http://127.0.0.1:8000")
# An address that unsubscribes by mail, offered beside the one-click URL in List-Unsubscribe
# (optional: it needs a mailbox someone reads).
ALERTS_UNSUBSCRIBE_MAILTO = env_str("ALERTS_UNSUBSCRIBE_MAILTO", default="")
# How long a confirmation link works (unconfirmed requests are deleted after it), and a
# manage link (every alert email brings a fresh one).
ALERTS_CONFIRM_MAX_AGE = env_int("ALERTS_CONFIRM_DAYS", default=3, minimum=1) * 86400
ALERTS_MANAGE_MAX_AGE = env_int("ALERTS_MANAGE_DAYS", default=30, minimum=1) * 86400
# Subscribe attempts per client address and per email address (django-ratelimit syntax):
# the sixth in an hour is refused. Counted in the default cache, so with several app
# servers production needs REDIS_URL; with the per-process memory cache each process
# counts on its own. django_ratelimit is not an installed app: its system check would
# refuse the development memory cache, which is fine for one process.
ALERTS_SUBSCRIBE_RATE = env_str("ALERTS_SUBSCRIBE_RATE", default="5/h")
if not re.fullmatch(r"[1-9]\d*/\d*[smhd]", ALERTS_SUBSCRIBE_RATE):
    raise ImproperlyConfigured(
        f"ALERTS_SUBSCRIBE_RATE={ALERTS_SUBSCRIBE_RATE!r} is not a rate like 5/h (count/period, "
        "the period one of s, m, h, d, optionally with a number: 10/15m)."
    )
RATELIMIT_IP_META_KEY = "igr.lib.clients.client_ip"
# The watchers and the link check (leads app; docs/operations.md). Outgoing HTTP only from
# the scheduled commands, never while serving a page.
GOVUK_API_BASE = env_str("GOVUK_API_BASE", default="https://www.gov.uk")
EVERY_ELECTION_API_BASE = env_str(
    "EVERY_ELECTION_API_BASE", default="https://elections.democracyclub.org.uk"
)
CANDIDATES_API_BASE = env_str(
    "CANDIDATES_API_BASE", default="https://candidates.democracyclub.org.uk"
)
WATCHER_USER_AGENT = env_str(
    "WATCHER_USER_AGENT", default="IGR Tracker watcher (+https://github.com/igr-tracker)"
)
WATCHER_TIMEOUT = env_int("WATCHER_TIMEOUT", default=20)
WATCHER_RETRIES = env_int("WATCHER_RETRIES", default=2)
# Seconds before the first retry; doubled for each one after.
WATCHER_BACKOFF = env_int("WATCHER_BACKOFF", default=2)
# How far back the GOV.UK watcher asks the search API to look, in days.
WATCH_GOVUK_DAYS = env_int("WATCH_GOVUK_DAYS", default=60)
# Seconds between two requests to one host from the link check.
LINK_CHECK_HOST_INTERVAL = env_int("LINK_CHECK_HOST_INTERVAL", default=2)
# Public forms: reports per address per hour (django-ratelimit's rate syntax).
CORRECTIONS_RATE = env_str("CORRECTIONS_RATE", default="5/h")
