"""Test profile: fast hashing, in-memory e-mail, tasks run immediately."""

import os

from .base import *  # noqa: F403
from .base import BACKUP_STORAGE, VAR_DIR

DEBUG = False
LEDE_DEMO = True
LEDE_SANDBOX_ENABLED = True
# The site's one address (lede/core/site.py) is the test client's host.
LEDE_BASE_URL = "http://testserver"
WAGTAILADMIN_BASE_URL = LEDE_BASE_URL
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = VAR_DIR / "test-media"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "dbbackup": BACKUP_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Each xdist worker gets its own Redis database so that one worker clearing
# the cache between tests never wipes another's keys.
_REDIS = os.environ.get("REDIS_URL", "")
if _REDIS:
    _worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    _db = 8 + (int(_worker) if _worker.isdigit() else 0) % 8
    _base = _REDIS.rsplit("/", 1)[0] if _REDIS.count("/") > 2 else _REDIS.rstrip("/")
    CACHES = {
        "default": {
            "BACKEND": "lede.core.cache.RedisCache",
            "LOCATION": f"{_base}/{_db}",
            "KEY_PREFIX": "lede-test",
        }
    }
