"""ETag and Last-Modified: a client that already holds the answer gets a 304,
decided from a few cheap values before anything is rendered.

``If-None-Match`` is the precise validator (the tag names the caller's
rights too); ``If-Modified-Since`` is honoured only when the request has no
``If-None-Match`` (RFC 9110, 13.2.2), against a ``Last-Modified`` that is the
latest of the content's time and the time the caller's rights last changed
(``calls.rights_since``)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, parse_http_date_safe


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


def fresh(request: HttpRequest, etag: str, last_modified: datetime | None) -> bool:
    """Whether the client's copy is current: a 304 is the answer."""
    if request.headers.get("If-None-Match", ""):
        return matches(request, etag)
    header = request.headers.get("If-Modified-Since", "")
    if not header or last_modified is None:
        return False
    # An unreadable date is ignored (RFC 9110): the full answer follows.
    since = parse_http_date_safe(header)
    return since is not None and int(last_modified.timestamp()) <= since


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
