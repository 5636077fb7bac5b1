"""The baseline of issue 17's goal 3: a trivial Django view returning cached
bytes, nothing else (no middleware, one URL). ``bench/paywall_load.py
--python-path`` serves it with granian (WSGI, 2 workers) beside a stack node
and measures both in one run.

    REDIS_URL=redis://127.0.0.1:6379/8 TRIVIAL_BODY_FILE=page.html \\
        granian --interface wsgi bench.trivial_view:application
"""

from __future__ import annotations

import os
from pathlib import Path

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="trivial-view-" + "x" * 40,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "bench-trivial",
        }
    },
)
django.setup()

from django.core.cache import cache  # noqa: E402 - after settings
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402

KEY = "page"
BODY = Path(os.environ["TRIVIAL_BODY_FILE"]).read_bytes()


def page(request: HttpRequest) -> HttpResponse:
    body = cache.get(KEY)
    if body is None:
        body = BODY
        cache.set(KEY, body, 3600)
    return HttpResponse(body, content_type="text/html; charset=utf-8")


urlpatterns = [path("", page)]
application = get_wsgi_application()
