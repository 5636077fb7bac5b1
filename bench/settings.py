"""Settings for the benchmark: production-like (DEBUG off, no page cache, no
network), with its own database and var directory under ``bench/var``.

``bench/run.py`` sets ``BENCH_DATABASE_URL``; the project's ``DATABASE_URL`` is
deliberately ignored so that a benchmark can never touch a real database.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BENCH_DIR = Path(__file__).resolve().parent
BENCH_VAR_DIR = BENCH_DIR / "var"
DEFAULT_BENCH_DATABASE_URL = f"sqlite:///{BENCH_VAR_DIR / 'bench.sqlite3'}"

# Every path the base settings derive from the var directory lands in bench/var.
os.environ["LEDE_VAR_DIR"] = str(BENCH_VAR_DIR)

from config.settings.base import *  # noqa: E402, F403

DEBUG = False
LEDE_DEMO = False
VAR_DIR = BENCH_VAR_DIR
MEDIA_ROOT = BENCH_VAR_DIR / "media"
STATIC_ROOT = BENCH_VAR_DIR / "static"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("BENCH_DATABASE_URL", DEFAULT_BENCH_DATABASE_URL), conn_max_age=0
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The same pragmas as the embedded (make demo) profile.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
    }

# No Redis, no page cache: local memory only (Wagtail keeps site roots and
# image renditions there, as it does in the embedded default).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "lede-bench",
    }
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILFRONTENDCACHE = {}  # no purges
# This benchmark measures what a listing costs to render at scale (and its
# query count): the shared listing renders (lede/core/caching/listings.py)
# would answer every timed request after the first from the cache.
LEDE_LISTING_CACHE_ENABLED = False
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
