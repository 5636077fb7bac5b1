"""Production: everything from the environment, refuses the demo secret and the
payment sandbox."""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_str
from lede.core.observability.sentry import init_sentry

from .base import *  # noqa: F403
from .base import (
    BACKUP_STORAGE,
    DATABASES,
    DEMO_SECRET_KEY,
    INSTALLED_APPS,
    LEDE_SANDBOX_ENABLED,
    LOG_HANDLERS,
    SECRET_KEY,
    WAGTAILFRONTENDCACHE,
)

if not SECRET_KEY or SECRET_KEY == DEMO_SECRET_KEY or len(SECRET_KEY) < 40:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value in production (the demo key is refused)."
    )

# The sandbox gateway approves its test cards: in production it would hand
# out subscriptions for free (check --deploy says so too: lede.E020).
if LEDE_SANDBOX_ENABLED:
    raise ImproperlyConfigured(
        "LEDE_SANDBOX_ENABLED is refused in production: the payment sandbox's test cards "
        "would give readers subscriptions for free. Unset it (or set it to 0)."
    )

DEBUG = False
LEDE_DEMO = False
LEDE_STAFF_REQUIRE_MFA = env_bool("LEDE_STAFF_REQUIRE_MFA", True)
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
# Persistent connections, checked before reuse (the app recovers by itself
# after a PostgreSQL restart) and a short connect timeout (requests fail fast
# with the 503 page instead of hanging workers): primary and replica alike.
# With DB_POOL_MAX_SIZE > 0, each process keeps a psycopg connection pool
# instead (Django's "pool" option): what the ASGI web nodes want, where every
# request runs in its own thread and a persistent connection per thread would
# pile up, while opening one per request costs a PostgreSQL fork each time.
# The pool checks a connection before lending it (the same recovery after a
# restart) and waits at most DB_POOL_TIMEOUT (2) seconds for one (then 503).
DB_POOL_MAX_SIZE = env_int("DB_POOL_MAX_SIZE", 0)
for _db in DATABASES.values():
    _db["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
    _db["CONN_HEALTH_CHECKS"] = True
    if _db["ENGINE"] == "django.db.backends.postgresql":
        _options = _db.setdefault("OPTIONS", {})
        _options.setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 3))
        if DB_POOL_MAX_SIZE > 0:
            _db["CONN_MAX_AGE"] = 0  # Django refuses persistent connections with a pool
            # Connections checked before they are lent (CONN_HEALTH_CHECKS),
            # all the idle ones at once when one is broken (lede/core/db_pool.py).
            _options["pool"] = {
                "min_size": min(env_int("DB_POOL_MIN_SIZE", 2), DB_POOL_MAX_SIZE),
                "max_size": DB_POOL_MAX_SIZE,
                "timeout": env_int("DB_POOL_TIMEOUT", 2),
                # psycopg_pool retries a failed connection with a doubling
                # delay until reconnect_timeout (300 s by default): after a
                # one-minute outage a process could wait another minute
                # before trying again, answering 503 meanwhile. Given up
                # after 3 s, the next request starts a new attempt at once.
                "reconnect_timeout": env_int("DB_POOL_RECONNECT_TIMEOUT", 3),
            }

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "dbbackup": BACKUP_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)

# Task queue (lede/core/queue.py explains it all). With Redis, django-tasks'
# RQ backend on django-rq's "default" queue; the worker is its own process:
#     python manage.py rqworker default --with-scheduler
# (lede.core.queue.WORKER_COMMAND) next to `python manage.py run_scheduler`.
# Without Redis the database backend stays (worker: `manage.py db_worker`).
# TASKS_BACKEND still overrides the choice. LEDE_QUEUE_REDIS_URL puts the
# queue in another Redis database than the cache (recommended: a cache flush
# then never empties the queue); it defaults to REDIS_URL.
QUEUE_REDIS_URL = env_str("LEDE_QUEUE_REDIS_URL", env_str("REDIS_URL", ""))
if QUEUE_REDIS_URL:
    INSTALLED_APPS = [*INSTALLED_APPS, "django_rq", "django_tasks_rq"]
    RQ_QUEUES = {
        "default": {
            "URL": QUEUE_REDIS_URL,
            "DEFAULT_TIMEOUT": env_int("LEDE_TASK_TIMEOUT", 600),
            # Every job gets reruns for when its worker dies.
            "QUEUE_CLASS": "lede.core.queue.RetryingQueue",
        }
    }
    # Jobs that raise are not retried; the reruns are for dead workers only.
    RQ = {"JOB_CLASS": "lede.core.queue.Job"}
    TASKS = {
        "default": {
            "BACKEND": env_str("TASKS_BACKEND", "lede.core.queue.RQBackend"),
        }
    }
# /readyz fails when the worker's heartbeat is older than
# LEDE_READYZ_MAX_HEARTBEAT_AGE seconds (120 by default).
LEDE_READYZ_CHECK_WORKER = env_bool("LEDE_READYZ_CHECK_WORKER", True)

# Observability: one JSON object a log line unless LOG_FORMAT=text; Sentry
# only when SENTRY_DSN is set (lede/core/observability/sentry.py).
LOG_FORMAT = env_str("LOG_FORMAT", "json")
LOG_HANDLERS["console"]["formatter"] = LOG_FORMAT
# The request log line is written by every request: in batches of up to
# 32 KiB, at most LOG_FLUSH_SECONDS late (warnings and errors at once).
LOG_HANDLERS["console"]["buffer_bytes"] = env_int("LOG_BUFFER_BYTES", 32768)
# Prometheus may scrape a node directly over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^metrics$"]

# Frontend cache: Varnish through VARNISH_URL (base settings); Cloudflare as
# well or instead when its zone and API token are given (deploy/README.md).
if env_str("CLOUDFLARE_ZONEID") and env_str("CLOUDFLARE_BEARER_TOKEN"):
    WAGTAILFRONTENDCACHE["cloudflare"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
        "BEARER_TOKEN": env_str("CLOUDFLARE_BEARER_TOKEN"),
        "ZONEID": env_str("CLOUDFLARE_ZONEID"),
    }
init_sentry()

# Sessions: read from the cache (Redis) and kept in the database, so the
# article fast path (lede/paywall/fastpath.py) reads a reader's session
# without a query.
if env_str("REDIS_URL", ""):
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
