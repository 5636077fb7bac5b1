from __future__ import annotations

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe
from django.views.static import serve

from lede.core import queue
from lede.core.caching import keys
from lede.core.site import base_url


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    base = base_url()
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /django-admin/",
        "Disallow: /recherche/",
        "",
        f"Sitemap: {base}/sitemap.xml",
        f"Sitemap: {base}/news-sitemap.xml",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    checks: dict[str, str] = {}
    status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - report, never raise
        checks["database"] = f"error: {exc.__class__.__name__}"
        status = 503
    try:
        from django.core.cache import cache

        if hasattr(cache, "check"):  # lede.core.cache: its reads never fail
            cache.check()
        else:
            cache.set(keys.READYZ_PROBE_KEY, "ok", timeout=keys.READYZ_PROBE_SECONDS)
            if cache.get(keys.READYZ_PROBE_KEY) != "ok":
                raise RuntimeError("cache did not keep a value")
        checks["cache"] = "ok"
    except Exception as exc:  # noqa: BLE001 - report, never raise
        checks["cache"] = f"error: {exc.__class__.__name__}"
        status = 503
    try:
        queue.queue_ping()
        checks["queue"] = "ok"
    except Exception as exc:  # noqa: BLE001 - report, never raise
        checks["queue"] = f"error: {exc.__class__.__name__}"
        status = 503
    # The worker: its heartbeat must be fresh. Enforced in production only;
    # elsewhere (demo, tests) the value is reported without failing.
    enforce = bool(settings.LEDE_READYZ_CHECK_WORKER)
    max_age = float(settings.LEDE_READYZ_MAX_HEARTBEAT_AGE)
    try:
        age = queue.worker_heartbeat_age()
    except Exception as exc:  # noqa: BLE001 - report, never raise
        age, problem = None, f"{exc.__class__.__name__}"
    else:
        problem = "no heartbeat" if age is None else f"heartbeat {age:.0f} s old"
    if age is not None and age <= max_age:
        checks["worker"] = "ok"
    elif enforce:
        checks["worker"] = f"error: {problem}"
        status = 503
    else:
        checks["worker"] = f"unchecked: {problem}"
    return JsonResponse(
        {
            "status": "ok" if status == 200 else "error",
            "checks": checks,
            "worker_heartbeat_age": None if age is None else round(age, 1),
        },
        status=status,
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Under ASGI the 404 page is rendered in a thread where Django's request
    # clean-up does not run: drop a connection broken by a database restart
    # instead of answering 503 until the process restarts.
    # (Never inside a transaction: tests wrap every request in one.)
    from django.db import close_old_connections, connection

    if not connection.in_atomic_block:
        close_old_connections()
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the database may be what failed.
    template = loader.get_template("500.html")
    return HttpResponse(template.render({}), status=500)


#: Media in the demo: uploads keep their name and renditions carry a hash of
#: their filter, so a day of caching is safe; a replaced file gets a new name.
MEDIA_MAX_AGE = 24 * 3600


@require_safe
def media(request: HttpRequest, path: str) -> HttpResponseBase:
    """Serve a file under MEDIA_ROOT (demo profile only, see config/urls.py).

    Django's ``static.serve`` does the path checks (no escape from the
    folder), If-Modified-Since and the content type; this adds the caching.
    """
    try:
        response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    except SuspiciousFileOperation as exc:  # "../" out of the folder: not found
        raise Http404(path) from exc
    response["Cache-Control"] = f"public, max-age={MEDIA_MAX_AGE}"
    return response
