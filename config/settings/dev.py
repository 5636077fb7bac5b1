"""Demo: renders like production (DEBUG off, French error pages, hashed and
compressed static files), with embedded defaults and the sandbox checkout.

What the demo needs hangs on ``LEDE_DEMO``, never on ``DEBUG``: the demo
loader, the sandbox payment provider and media served by the app. ``DEBUG=1``
in the environment still gives Django's debug pages for local development
(static files are then served from the source folders, unhashed).
"""

from config.env import env_bool

from .base import *  # noqa: F403
from .base import BACKUP_STORAGE

DEBUG = env_bool("DEBUG", False)
LEDE_DEMO = True
LEDE_SANDBOX_ENABLED = env_bool("LEDE_SANDBOX_ENABLED", True)
if DEBUG:
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True
else:
    # As in production: `make demo` runs collectstatic into var/static first;
    # whitenoise then serves hashed names with a one-year immutable cache and
    # precompressed (gzip, brotli) copies.
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "dbbackup": BACKUP_STORAGE,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
