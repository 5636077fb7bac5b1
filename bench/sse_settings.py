"""Settings of the SSE fan-out benchmark (``bench/sse_bench.py``): production-like
(DEBUG off, no network), its own database under ``bench/var``, Redis only when the
benchmark asks for it. The project's ``DATABASE_URL`` and ``REDIS_URL`` are ignored so
that the benchmark never touches a real database or channel."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BENCH_VAR_DIR = Path(__file__).resolve().parent / "var"
os.environ["LEDE_VAR_DIR"] = str(BENCH_VAR_DIR)

from config.settings.base import *  # noqa: E402, F403

DEBUG = False
LEDE_DEMO = False
MEDIA_ROOT = BENCH_VAR_DIR / "media"
STATIC_ROOT = BENCH_VAR_DIR / "static"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("SSE_BENCH_DATABASE_URL", f"sqlite:///{BENCH_VAR_DIR / 'sse.sqlite3'}"),
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
    }
REDIS_URL = os.environ.get("SSE_BENCH_REDIS_URL", "")
LEDE_SSE_CHANNEL = os.environ.get("SSE_BENCH_CHANNEL", "lede:livefeed:bench")
# As base.py does, for this file's REDIS_URL rather than the environment's.
LEDE_SSE_POLL_INTERVAL = float(os.environ.get("SSE_BENCH_POLL") or (5.0 if REDIS_URL else 0.25))
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sse"}
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WAGTAILFRONTENDCACHE: dict[str, dict[str, str]] = {}
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
