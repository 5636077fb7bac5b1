"""ETag and Last-Modified: a client that already holds the answer gets a 304,
decided from a few cheap values before anything is rendered."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.http import http_date


def etag_for(*parts: object) -> str:
    raw = "|".join(str(part) for part in parts).encode()
    # Weak: the same JSON may be sent compressed or not.
    return 'W/"' + hashlib.sha256(raw).hexdigest()[:32] + '"'


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def matches(request: HttpRequest, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    if not header:
        return False
    if header.strip() == "*":
        return True
    wanted = _opaque(etag)
    return any(_opaque(tag) == wanted for tag in header.split(","))


def set_validators(response: HttpResponse, etag: str, last_modified: datetime | None) -> None:
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    # Revalidate every time: a kill or a revoked key takes effect at once.
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Authorization, X-Api-Key"


def not_modified(etag: str, last_modified: datetime | None) -> HttpResponseNotModified:
    response = HttpResponseNotModified()
    set_validators(response, etag, last_modified)
    return response
