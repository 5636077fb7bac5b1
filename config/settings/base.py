"""Settings shared by every profile. Values come from the environment with
safe defaults for the embedded (SQLite, single process) mode."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url

from config.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("LEDE_VAR_DIR", str(BASE_DIR / "var")))

DEMO_SECRET_KEY = "lede-demo-secret-key-not-for-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", DEMO_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Lede apps first so their templates override library ones.
    "lede.core",
    "lede.core.observability",
    "lede.accounts",
    "lede.images",
    "lede.editorial",
    "lede.search",
    "lede.paywall",
    "lede.livefeed",
    "lede.wires",
    "lede.subscriptions",
    "lede.payments",
    "lede.syndication",
    "lede.api",
    "lede.newsletters",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.frontend_cache",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "dbbackup",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    # First: request id, request metrics and the request log line wrap
    # everything, including what the middleware below answer on their own.
    "lede.core.observability.middleware.RequestObservabilityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything that may query the database: a French 503 page when it
    # is down, also for errors raised inside the middleware below.
    "lede.core.middleware.DatabaseUnavailableMiddleware",
    # TDMRep headers on every response, the fast path's included.
    "lede.syndication.middleware.TDMRepMiddleware",
    # Answers most article requests from cached data before the rest of the
    # chain; anything unusual goes on down the chain (lede/paywall/fastpath.py).
    "lede.paywall.fastpath.ArticleFastPathMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "lede.accounts.middleware.StaffMFAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# Label, field, error, then help (lede/core/templates/lede/forms/field.html).
FORM_RENDERER = "lede.core.forms.LedeFormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "lede.core.context_processors.publication",
                "lede.editorial.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'lede.sqlite3'}"
# Seconds libpq waits for PostgreSQL before giving up (0 = no limit);
# production defaults to 3 so that requests fail fast with a 503 page.
DB_CONNECT_TIMEOUT = env_int("DB_CONNECT_TIMEOUT", 0)


def _database(url: str) -> dj_database_url.DBConfig:
    db = dj_database_url.parse(
        url, conn_max_age=env_int("DB_CONN_MAX_AGE", 0), conn_health_checks=True
    )
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the worker and the web process work side by side.
        db["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
            ),
        }
    elif db["ENGINE"] == "django.db.backends.postgresql" and DB_CONNECT_TIMEOUT > 0:
        db.setdefault("OPTIONS", {})["connect_timeout"] = DB_CONNECT_TIMEOUT
    return db


DATABASES = {"default": _database(env_str("DATABASE_URL", DEFAULT_SQLITE))}
# Optional read replica for reader traffic (lede/core/db_router.py): writes,
# the admins, non-GET requests, commands and tasks always use the primary.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
DATABASE_ROUTERS: list[str] = []
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = _database(DATABASE_REPLICA_URL)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["lede.core.db_router.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("lede.core.middleware.DatabaseUnavailableMiddleware") + 1,
        "lede.core.middleware.ReplicaRoutingMiddleware",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "lede.core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "lede"),
            # Bounded waits: an unreachable Redis makes the cache miss
            # (lede/core/cache.py), it must not hold a request for long.
            "OPTIONS": {
                "socket_connect_timeout": env_float("REDIS_CONNECT_TIMEOUT", 0.5),
                "socket_timeout": env_float("REDIS_SOCKET_TIMEOUT", 1.0),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "lede-default",
        }
    }

# --- Background tasks (django-tasks) --------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# The queue, its worker and "no lost task": lede/core/queue.py. A job whose
# worker died runs again up to this many times (RQ backend).
LEDE_TASK_ABANDONED_RERUNS = env_int("LEDE_TASK_ABANDONED_RERUNS", 3)
# /readyz fails (503) when the worker's heartbeat is older than this; only
# reported, never failing, unless LEDE_READYZ_CHECK_WORKER (production).
LEDE_READYZ_CHECK_WORKER = env_bool("LEDE_READYZ_CHECK_WORKER", False)
LEDE_READYZ_MAX_HEARTBEAT_AGE = env_int("LEDE_READYZ_MAX_HEARTBEAT_AGE", 120)

# --- Auth -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
# A URL name: reversed in the edition the reader signs in from ("/ar/compte/").
LOGIN_REDIRECT_URL = "account_home"
LOGOUT_REDIRECT_URL = "/"
PASSWORD_RESET_TIMEOUT = 3600  # reset links expire after one hour

# django-allauth: e-mail only, verification asked but never blocking reading
# or paying, log-in by e-mailed code, answers that never reveal an account.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
# A new reader may be reading an article when the code arrives: ten minutes,
# not allauth's three, before a code (sign-in or sign-up) must be asked again.
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 600
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env_str("ACCOUNT_DEFAULT_HTTP_PROTOCOL", "http")
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "request_login_code": "20/m/ip,3/m/key",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
ACCOUNT_ADAPTER = "lede.accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGIN_BY_CODE_SUPPORTS_RESEND = True
# allauth's rate limits key on the client address that the paywall believes
# (the account adapter asks lede/core/network.py, from LEDE_TRUSTED_PROXIES):
# ALLAUTH_TRUSTED_PROXY_COUNT is not read (a deploy check warns if it is set).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("LEDE_PUBLICATION_NAME", "Le Quotidien")
# Staff must have TOTP to reach the admin (production turns it on).
LEDE_STAFF_REQUIRE_MFA = env_bool("LEDE_STAFF_REQUIRE_MFA", False)

# --- I18n -----------------------------------------------------------------
# Two editions in one site (docs/editions.md): French at "/", Arabic under
# "/ar/" (config/urls.py). The order matters: French is the default.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("ar", "العربية")]
LANGUAGE_COOKIE_NAME = "lede_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env_str("TIME_ZONE", "Africa/Casablanca")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
# Pages are localised with Wagtail's own translation (wagtail.contrib.simple_translation):
# an article and its counterpart share a translation_key (docs/editions.md).
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = [("fr", "Français"), ("ar", "العربية"), ("en", "English")]
WAGTAILSIMPLETRANSLATION_SYNC_PAGE_TREE = False

# --- Static and media -----------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env_str("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Wagtail --------------------------------------------------------------
WAGTAIL_SITE_NAME = env_str("LEDE_PUBLICATION_NAME", "Le Quotidien")
# The site's one public address (scheme, host, port; no trailing slash): every
# absolute URL — canonical, og:url, JSON-LD, sitemaps, feeds, e-mails — is
# built from it by lede.core.urls.site_url(); `make demo` sets it from PORT.
LEDE_BASE_URL = env_str("LEDE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = LEDE_BASE_URL
WAGTAILIMAGES_IMAGE_MODEL = "images.LedeImage"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = env_int("LEDE_MAX_IMAGE_UPLOAD", 10 * 1024 * 1024)
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_DATE_FORMAT = "%d.%m.%Y"
WAGTAIL_DATETIME_FORMAT = "%d.%m.%Y %H:%M"
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILADMIN_COMMENTS_ENABLED = True
WAGTAILEMBEDS_RESPONSIVE_HTML = True
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No avatars fetched from gravatar.com: the admin works offline and leaks no
# staff e-mail hashes to a third party.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_USER_LOGIN_FORM = "lede.accounts.forms.AdminLoginForm"
WAGTAILFRONTENDCACHE: dict[str, dict[str, str]] = {}
if env_str("VARNISH_URL"):
    WAGTAILFRONTENDCACHE["varnish"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": env_str("VARNISH_URL"),
    }

# --- Lede -----------------------------------------------------------------
LEDE_METER_ANONYMOUS = env_int("LEDE_METER_ANONYMOUS", 2)
LEDE_METER_REGISTERED = env_int("LEDE_METER_REGISTERED", 5)
# Proxies whose X-Forwarded-For is believed (CIDR list). Nothing by default:
# group licences by IP and per-address rate limits cannot be dodged with a
# header. The one source: the web servers never rewrite the peer address
# (config/serve.py) and allauth asks lede/core/network.py.
LEDE_TRUSTED_PROXIES = env_list("LEDE_TRUSTED_PROXIES", [])
LEDE_VARIANT_CACHE_SECONDS = env_int("LEDE_VARIANT_CACHE_SECONDS", 24 * 3600)
LEDE_WIRE_MAX_BYTES = env_int("LEDE_WIRE_MAX_BYTES", 20 * 1024 * 1024)
LEDE_WIRE_HTTP_TIMEOUT = env_int("LEDE_WIRE_HTTP_TIMEOUT", 10)
LEDE_WIRE_FETCH_REMOTE_PHOTOS = env_bool("LEDE_WIRE_FETCH_REMOTE_PHOTOS", False)
LEDE_SSE_HEARTBEAT = env_int("LEDE_SSE_HEARTBEAT", 15)
LEDE_SSE_MAX_AGE = env_int("LEDE_SSE_MAX_AGE", 3600)
# Payments (lede.payments): a provider is offered only when configured.
LEDE_PAYMENT_PROVIDERS = env_list("LEDE_PAYMENT_PROVIDERS", ["cmi", "stripe", "sandbox", "manual"])
# The sandbox ("Mode test") provider: on in the demo (dev.py) and tests only.
LEDE_SANDBOX_ENABLED = env_bool("LEDE_SANDBOX_ENABLED", False)
# The demo profile (dev.py): demo loader allowed, media served by the app.
LEDE_DEMO = False
LEDE_SANDBOX_SECRET = env_str("LEDE_SANDBOX_SECRET", "")
CMI_CLIENT_ID = env_str("CMI_CLIENT_ID", "")
CMI_STORE_KEY = env_str("CMI_STORE_KEY", "")
CMI_GATEWAY_URL = env_str("CMI_GATEWAY_URL", "https://testpayment.cmi.co.ma/fim/est3Dgate")
CMI_TRAN_TYPE = env_str("CMI_TRAN_TYPE", "PreAuth")
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", "")
STRIPE_WEBHOOK_TOLERANCE = env_int("STRIPE_WEBHOOK_TOLERANCE", 300)
LEDE_VAT_RATE = env_str("LEDE_VAT_RATE", "20")  # percent; prices include tax
LEDE_RENEWAL_REMINDER_DAYS = env_int("LEDE_RENEWAL_REMINDER_DAYS", 7)
LEDE_RENEWAL_GRACE_DAYS = env_int("LEDE_RENEWAL_GRACE_DAYS", 7)
# Off only to measure what the variant cache is worth (bench/paywall_load.py).
LEDE_VARIANT_CACHE_ENABLED = env_bool("LEDE_VARIANT_CACHE_ENABLED", True)
# Offered every sync GET/HEAD first, on the event loop, before Django's ASGI
# handler sends it to a thread (lede/core/asgi.py): the article fast path
# with one asynchronous Redis read (lede/paywall/front.py). Empty: off.
LEDE_ASGI_FRONT = env_str("LEDE_ASGI_FRONT", "lede.paywall.front.build")
# The per-process copies of variants in front of the shared cache
# (lede/core/caching/variants.py).
LEDE_VARIANT_LOCAL_ENTRIES = env_int("LEDE_VARIANT_LOCAL_ENTRIES", 256)
LEDE_VARIANT_LOCAL_SECONDS = env_int("LEDE_VARIANT_LOCAL_SECONDS", 300)
# How long the article front keeps the answer built for one kind of request
# (a signed-in reader's article, per decision and header) before building it
# again (lede/core/caching/answers.py). 0: every answer built.
LEDE_RECORDED_ANSWER_SECONDS = env_int("LEDE_RECORDED_ANSWER_SECONDS", 5)
# Signed entitlement tokens that let the edge serve a subscriber's article
# (lede/core/caching/edge_tokens.py, deploy/README.md): the key's file (none:
# no tokens, every signed-in reader goes to the application), a token's
# lifetime (access ends at the edge within it) and the clock skew tolerated
# between the nodes and the edge. deploy/varnish/lede.vcl repeats the sum of
# the last two (lede/core/tests/test_edge_tokens.py keeps them in step).
LEDE_EDGE_TOKEN_KEY_FILE = env_str("LEDE_EDGE_TOKEN_KEY_FILE", "")
LEDE_EDGE_TOKEN_SECONDS = env_int("LEDE_EDGE_TOKEN_SECONDS", 300)
LEDE_EDGE_TOKEN_SKEW_SECONDS = env_int("LEDE_EDGE_TOKEN_SKEW_SECONDS", 60)
# Listings rendered once per change for every reader
# (lede/core/caching/listings.py) and kept by browsers and the edge
# (lede/core/caching/edge.py).
LEDE_LISTING_CACHE_ENABLED = env_bool("LEDE_LISTING_CACHE_ENABLED", True)
LEDE_LISTING_HTML_SECONDS = env_int("LEDE_LISTING_HTML_SECONDS", 60)
LEDE_LISTING_MAX_AGE = env_int("LEDE_LISTING_MAX_AGE", 60)
LEDE_PAGE_SIZE = env_int("LEDE_PAGE_SIZE", 20)
# Content API (lede/api): page sizes and the per-minute rate of callers without a key.
LEDE_API_PAGE_SIZE = env_int("LEDE_API_PAGE_SIZE", 20)
LEDE_API_MAX_PAGE_SIZE = env_int("LEDE_API_MAX_PAGE_SIZE", 100)
LEDE_API_ANONYMOUS_RATE_LIMIT = env_int("LEDE_API_ANONYMOUS_RATE_LIMIT", 120)
# Paths answered without the TDMRep headers (lede/syndication/middleware.py).
LEDE_TDM_SKIP_PATHS = ["/healthz", "/readyz", "/metrics"]
# Webhooks to licensees (lede/syndication/webhooks.py): seconds per call, the
# first retry's delay (then x4 each time), attempts before giving up.
LEDE_WEBHOOK_TIMEOUT = env_float("LEDE_WEBHOOK_TIMEOUT", 5.0)
LEDE_WEBHOOK_BACKOFF_SECONDS = env_int("LEDE_WEBHOOK_BACKOFF_SECONDS", 30)
LEDE_WEBHOOK_MAX_ATTEMPTS = env_int("LEDE_WEBHOOK_MAX_ATTEMPTS", 6)
LEDE_SEARCH_MAX_QUERY = 200  # characters kept from a search query
LEDE_SCHEDULER_INTERVAL = env_int("LEDE_SCHEDULER_INTERVAL", 30)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Le Quotidien <no-reply@lede.example>")

# Observability (lede.core.observability): /metrics is closed (404) unless a
# bearer token and/or client networks (CIDR, matched on REMOTE_ADDR) are set.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", [])
LOG_FORMAT = env_str("LOG_FORMAT", "text")  # "json": one JSON object a line (production)
LOG_HANDLERS: dict[str, dict[str, object]] = {
    "console": {
        # LOG_BUFFER_BYTES > 0: lines written in batches (a warning or an
        # error at once), at most LOG_FLUSH_SECONDS late; 0 (here; production
        # buffers) writes every line as it comes (lede/core/observability/logs.py).
        "class": "lede.core.observability.logs.BufferedStreamHandler",
        "buffer_bytes": env_int("LOG_BUFFER_BYTES", 0),
        "flush_seconds": env_float("LOG_FLUSH_SECONDS", 0.5),
        "filters": ["request_id"],
        "formatter": LOG_FORMAT,
    }
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "lede.core.observability.logs.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "lede.core.observability.logs.json_formatter"},
    },
    "handlers": LOG_HANDLERS,
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        # One line per request (method, path, status, duration, view, request id).
        "lede.request": {"level": env_str("LOG_REQUEST_LEVEL", "INFO")},
    },
}
WAGTAIL_ALLOW_UNICODE_SLUGS = False
TAGGIT_STRIP_UNICODE_WHEN_SLUGIFYING = True  # "élections" → /mots-cles/elections/

# --- payments/subscriptions ---
# The paywall box's offer when no offer is featured (lede.subscriptions.selectors).
LEDE_LAUNCH_OFFER_PRICE = env_str("LEDE_LAUNCH_OFFER_PRICE", "60 DH")
LEDE_LAUNCH_OFFER_PERIOD = env_str("LEDE_LAUNCH_OFFER_PERIOD", "1 mois")
# Where staff two-factor authentication is enforced (lede.accounts.middleware).
LEDE_STAFF_MFA_PATH_PREFIXES = ["/admin/", "/django-admin/"]

# --- core -----------------------------------------------------------------
# Backups: django-dbbackup's commands (dbbackup, dbrestore, mediabackup,
# mediarestore, listbackups) with Lede's checks (lede/core/backups.py). Files
# go to LEDE_BACKUP_DIR, readable by the service user only: they hold
# readers' personal data. Profiles that redefine STORAGES keep this entry.
LEDE_BACKUP_DIR = Path(env_str("LEDE_BACKUP_DIR", str(VAR_DIR / "backups")))
BACKUP_STORAGE: dict[str, Any] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {
        "location": str(LEDE_BACKUP_DIR),
        "file_permissions_mode": 0o600,
        "directory_permissions_mode": 0o700,
    },
}
STORAGES["dbbackup"] = BACKUP_STORAGE
# The primary only: a replica holds the same data.
DBBACKUP_DATABASES = ["default"]
DBBACKUP_CONNECTOR_MAPPING = {
    "django.db.backends.sqlite3": "lede.core.backups.SqliteOnlineConnector",
    "django.db.backends.postgresql": "lede.core.backups.PgSnapshotConnector",
}
DBBACKUP_BACKUP_METADATA_SETTER = "lede.core.backups.backup_metadata"
DBBACKUP_RESTORE_METADATA_VALIDATOR = "lede.core.backups.restore_metadata_check"
DBBACKUP_FILENAME_TEMPLATE = "lede-{databasename}-{datetime}.{extension}"
DBBACKUP_MEDIA_FILENAME_TEMPLATE = "lede-media-{datetime}.{extension}"
# Backups kept by `dbbackup --clean` / `mediabackup --clean`.
DBBACKUP_CLEANUP_KEEP = env_int("LEDE_BACKUP_KEEP", 14)
# Failures are logged (and reach Sentry); no mail to ADMINS from the command.
DBBACKUP_SEND_EMAIL = False

# --- wires/livefeed/core ---
# The live feed's fan-out (lede/livefeed/broker.py): the Redis channel, how
# often a hub looks at the database anyway (often without Redis, which is the
# only other way it learns of a change made by another process), and what a
# stream tells the browser (reconnect delay).
LEDE_SSE_CHANNEL = env_str("LEDE_SSE_CHANNEL", "lede:livefeed")
LEDE_SSE_POLL_INTERVAL = env_float("LEDE_SSE_POLL_INTERVAL", 5.0 if REDIS_URL else 0.25)
LEDE_SSE_RETRY_MS = env_int("LEDE_SSE_RETRY_MS", 3000)
# Streams one client address may hold in one process (the Python stream; the
# nchan front caps per address in nginx): a newsroom office or a carrier's NAT
# puts many readers behind one address, a script opening thousands is cut off.
LEDE_SSE_MAX_PER_IP = env_int("LEDE_SSE_MAX_PER_IP", 100)
# Seconds a stream's message may wait to be handed to the web server (the
# client's and the server's buffers full: a reader that stopped reading)
# before the stream is cut and its connection reset (lede/core/send_deadline.py).
# nginx's send_timeout for the nchan streams is the same 10 s.
LEDE_SSE_SEND_TIMEOUT = env_float("LEDE_SSE_SEND_TIMEOUT", 10.0)
# Who holds the readers' streams (docs/livefeed.md): "python" (the embedded
# default: lede/livefeed/broker.py in the app processes) or "nchan" (nginx's
# nchan module in front, deploy/nginx/lede.conf; Lede publishes each event's
# public frame to LEDE_NCHAN_PUBLISH_URLS, one base URL per nginx front, comma
# separated, the channel id appended: lede-fr, lede-ar) and keeps the last
# LEDE_NCHAN_REPLAY frames per edition in Redis to refill a restarted front.
LEDE_LIVEFEED_BACKEND = env_str("LEDE_LIVEFEED_BACKEND", "python")
LEDE_NCHAN_PUBLISH_URLS = env_str("LEDE_NCHAN_PUBLISH_URLS", "")
LEDE_NCHAN_REPLAY = env_int("LEDE_NCHAN_REPLAY", 50)
# Wire polling (lede/wires/polling.py): back-off cap after failures, how long a
# file must sit unmodified before it is read (an FTP upload in progress), files
# read per poll, and how long pictures stay beside the stories that use them.
LEDE_WIRE_BACKOFF_MAX = env_int("LEDE_WIRE_BACKOFF_MAX", 3600)
LEDE_WIRE_SETTLE_SECONDS = env_float("LEDE_WIRE_SETTLE_SECONDS", 5.0)
LEDE_WIRE_MAX_FILES_PER_POLL = env_int("LEDE_WIRE_MAX_FILES_PER_POLL", 500)
LEDE_WIRE_PHOTO_RETENTION_SECONDS = env_int("LEDE_WIRE_PHOTO_RETENTION_SECONDS", 24 * 3600)

# --- newsletters (lede/newsletters) ------------------------------------------
# The publisher's postal address in every newsletter's footer (the law asks
# for the sender's identity and address in commercial e-mail).
LEDE_NEWSLETTER_POSTAL_ADDRESS = env_str(
    "LEDE_NEWSLETTER_POSTAL_ADDRESS", "Le Quotidien, 12 boulevard de la Résistance, Casablanca"
)
# DKIM: a PEM private key file, the selector and the signing domain (off when
# no key file is set).
LEDE_DKIM_KEY_FILE = env_str("LEDE_DKIM_KEY_FILE", "")
LEDE_DKIM_SELECTOR = env_str("LEDE_DKIM_SELECTOR", "lede")
LEDE_DKIM_DOMAIN = env_str("LEDE_DKIM_DOMAIN", "")
# The delivery worker: SMTP connections opened at once, messages per second
# over all of them (0: as fast as the server takes them), attempts on a
# temporary failure before a row is failed.
LEDE_NEWSLETTER_CONNECTIONS = env_int("LEDE_NEWSLETTER_CONNECTIONS", 4)
LEDE_NEWSLETTER_RATE = env_float("LEDE_NEWSLETTER_RATE", 0.0)
LEDE_NEWSLETTER_MAX_ATTEMPTS = env_int("LEDE_NEWSLETTER_MAX_ATTEMPTS", 5)
LEDE_NEWSLETTER_SMTP_TIMEOUT = env_float("LEDE_NEWSLETTER_SMTP_TIMEOUT", 30.0)
# A separate relay for bulk mail (smtp://user:pass@host:port?starttls=1, smtps://…);
# empty: the EMAIL_* settings when EMAIL_BACKEND is SMTP, else Django's backend
# (the demo's console).
LEDE_NEWSLETTER_SMTP_URL = env_str("LEDE_NEWSLETTER_SMTP_URL", "")
# The mailbox that receives list-unsubscribe mails (mailto: in List-Unsubscribe).
LEDE_NEWSLETTER_UNSUBSCRIBE_MAILBOX = env_str("LEDE_NEWSLETTER_UNSUBSCRIBE_MAILBOX", "")
# Mailgun webhooks (bounces, complaints): the account's webhook signing key.
LEDE_MAILGUN_WEBHOOK_KEY = env_str("LEDE_MAILGUN_WEBHOOK_KEY", "")
# Sign-ups accepted per IP address and per address per hour.
LEDE_NEWSLETTER_SIGNUPS_PER_IP = env_int("LEDE_NEWSLETTER_SIGNUPS_PER_IP", 20)
LEDE_NEWSLETTER_SIGNUPS_PER_ADDRESS = env_int("LEDE_NEWSLETTER_SIGNUPS_PER_ADDRESS", 3)
