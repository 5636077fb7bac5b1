"""The anonymous reader's meter: a signed first-party cookie holding a random
id, the month and the article ids counted; mirrored in the cache by id so
that a replayed older cookie cannot reset the count."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from lede.core.caching import keys

COOKIE_NAME = "lede_meter"
SALT = "lede.paywall.meter"
MAX_IDS = 50
COOKIE_MAX_AGE = 40 * 24 * 3600


@dataclass
class AnonymousMeter:
    meter_id: str
    month: str
    ids: set[int] = field(default_factory=set)
    dirty: bool = False


def read_anonymous(request: HttpRequest, month: str) -> AnonymousMeter:
    """The meter from the cookie; tampered, expired or foreign cookies give a
    fresh meter, never an error."""
    raw = request.COOKIES.get(COOKIE_NAME, "")
    data: dict[str, object] = {}
    if raw:
        try:
            loaded = signing.loads(raw, salt=SALT, max_age=COOKIE_MAX_AGE)
            if isinstance(loaded, dict):
                data = loaded
        except (signing.BadSignature, ValueError, TypeError):
            data = {}
    meter_id = data.get("id")
    if not isinstance(meter_id, str) or not meter_id.isalnum() or len(meter_id) > 40:
        return AnonymousMeter(meter_id=secrets.token_hex(12), month=month)
    ids: set[int] = set()
    if data.get("m") == month and isinstance(data.get("ids"), list):
        ids = {i for i in data["ids"] if isinstance(i, int)}  # type: ignore[attr-defined]
    server_ids = cache.get(keys.anonymous_meter_key(meter_id, month))
    if isinstance(server_ids, set | frozenset | list):
        ids |= {i for i in server_ids if isinstance(i, int)}
    return AnonymousMeter(meter_id=meter_id, month=month, ids=set(list(ids)[:MAX_IDS]))


def count_anonymous(meter: AnonymousMeter, article_id: int) -> None:
    meter.ids.add(article_id)
    meter.dirty = True
    cache.set(
        keys.anonymous_meter_key(meter.meter_id, meter.month),
        set(meter.ids),
        timeout=COOKIE_MAX_AGE,
    )


def write_anonymous(response: HttpResponse, meter: AnonymousMeter, *, secure: bool) -> None:
    value = signing.dumps(
        {"id": meter.meter_id, "m": meter.month, "ids": sorted(meter.ids)[:MAX_IDS]}, salt=SALT
    )
    response.set_cookie(
        COOKIE_NAME, value, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax", secure=secure
    )
