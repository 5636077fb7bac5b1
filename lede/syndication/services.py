"""Writes of the syndication domain: keys (create, rotate, revoke), the call log
and the deliveries that count against a licence's monthly volume."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from lede.paywall.access import month_key

from .keys import generate_key
from .models import ApiCall, ApiKey, Delivery, Licence

#: How long a rotated key keeps working beside its replacement, by default.
DEFAULT_ROTATION_OVERLAP = timedelta(days=7)


def apikey_create(
    *,
    name: str,
    licence: Licence | None = None,
    scopes: list[str] | None = None,
    expires_at: datetime | None = None,
    rate_limit: int = 60,
    languages: str = "",
    section_ids: list[int] | None = None,
) -> tuple[ApiKey, str]:
    """A new key and its plaintext: the only time the plaintext exists.
    Refused (French ``ValidationError``) when the licence has no user left."""
    new = generate_key()
    with transaction.atomic():
        if licence is not None:
            seat_check(Licence.objects.select_for_update().get(pk=licence.pk))
        key = ApiKey.objects.create(
            name=name,
            licence=licence,
            prefix=new.prefix,
            hashed=new.hashed,
            scopes=list(scopes if scopes is not None else ["articles"]),
            expires_at=expires_at,
            rate_limit=rate_limit,
            languages=languages,
        )
        if section_ids:
            key.sections.set(section_ids)
    return key, new.plaintext


def seat_check(licence: Licence, now: datetime | None = None) -> None:
    """Raise a French ``ValidationError`` when one more key would pass the
    licence's number of users."""
    if licence.users is None:
        return
    used = licence.seats_used(now or timezone.now())
    if used + 1 > licence.users:
        raise ValidationError(licence.seats_message(used + 1))


def apikey_fill_secret(key: ApiKey) -> str:
    """Give an unsaved key (the admin's add form) its prefix and hash; return the
    plaintext to show once."""
    new = generate_key()
    key.prefix = new.prefix
    key.hashed = new.hashed
    return new.plaintext


def apikey_rotate(
    *, key: ApiKey, overlap: timedelta = DEFAULT_ROTATION_OVERLAP, now: datetime | None = None
) -> tuple[ApiKey, str]:
    """A replacement with the same rights; the old key keeps working for
    ``overlap`` (never beyond its own expiry), then stops."""
    now = now or timezone.now()
    new = generate_key()
    with transaction.atomic():
        old = ApiKey.objects.select_for_update().get(pk=key.pk)
        replacement = ApiKey.objects.create(
            name=old.name,
            licence=old.licence,
            prefix=new.prefix,
            hashed=new.hashed,
            scopes=list(old.scopes),
            expires_at=old.expires_at,
            rate_limit=old.rate_limit,
            languages=old.languages,
        )
        replacement.sections.set(old.sections.all())
        end = now + overlap
        if old.expires_at is None or old.expires_at > end:
            old.expires_at = end
        old.replaced_by = replacement
        old.save(update_fields=["expires_at", "replaced_by"])
    key.refresh_from_db()
    return replacement, new.plaintext


def apikey_revoke(*, key: ApiKey, now: datetime | None = None) -> None:
    """Stop the key now: the next call with it is refused (keys are read from
    the database on every call, never cached)."""
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now()
    )
    key.refresh_from_db()


def api_call_record(
    *,
    key: ApiKey,
    endpoint: str,
    status: int,
    items: int = 0,
    full_items: int = 0,
    now: datetime | None = None,
) -> ApiCall:
    now = now or timezone.now()
    call = ApiCall.objects.create(
        key=key,
        licence_id=key.licence_id,
        endpoint=endpoint[:200],
        status=status,
        items=items,
        full_items=full_items,
        at=now,
    )
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return call


def delivery_record(
    *, licence: Licence, item_id: int, kind: str = "article", channel: str = "api", now: datetime
) -> bool:
    """Count ``item_id`` as delivered in full this month. True when it was new.

    Two simultaneous first deliveries of different articles may both pass the
    volume check (the check is a read before this write): the volume can be
    overshot by the number of concurrent calls, never by more.
    """
    month = month_key(now)
    values: dict[str, Any] = {"channel": channel, "first_at": now}
    try:
        with transaction.atomic():
            _delivery, created = Delivery.objects.get_or_create(
                licence=licence, month=month, kind=kind, item_id=item_id, defaults=values
            )
    except IntegrityError:  # the same article, at the same instant, from another call
        return False
    return created
