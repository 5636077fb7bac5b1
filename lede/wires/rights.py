"""Agency rights: what an agency item may be used for outside the paper itself.

An item keeps the rights it came with — its copyright holder and notice, its
usage terms (NewsML-G2 ``rightsInfo``, ninjs ``copyrightHolder``,
``usageTerms``, ``rightsInfo.linkedRights``), its embargo — and the desk sets
defaults per source for what the item does not say (an embargo until a time,
"not for syndication", "no archive after N days", a restriction on photos).

The restrictions are read out of the usage terms' usual phrasings, in English
and French (``read_terms``); what they do not recognise is still carried, as
text, in every output's usage terms.

What the outputs do with them (the content API, the licensees' feeds, the
e-mail digest and the press review — every channel that gives the text to
someone else):

- under embargo (the item's or the source's): left out until it lifts;
- not for syndication: left out;
- past its archive limit: left out (it "expires");
- killed by the agency: left out at once, whatever its article or brève does;
- photos not for resale: the text goes, its pictures do not.

``withheld`` is the one query saying which items are left out now; the API
and the digest exclude articles and brèves made from them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.signals import post_save

from lede.core.caching.invalidation import Event, invalidate

from .models import ItemStatus, PhotoRestriction, WireItemRecord, WireSource
from .parsers.types import WireItem

#: "No archive" without a number of days: gone after a day.
NO_ARCHIVE_DAYS = 1

_FLAGS = re.IGNORECASE | re.UNICODE
_NOT_FOR_SYNDICATION = re.compile(
    r"\b(not\s+for\s+(syndication|resale|redistribution|re-?sale)"
    r"|no\s+(syndication|resale|redistribution)"
    r"|nfs\b"
    r"|not\s+for\s+use\s+outside"
    r"|ne\s+pas\s+(revendre|redistribuer|syndiquer)"
    r"|pas\s+de\s+(revente|syndication|redistribution)"
    r"|(interdite?s?|interdiction)\s+(à|a|de)\s+la\s+(revente|redistribution|syndication)"
    r"|non\s+revendables?"
    r"|hors\s+syndication)",
    _FLAGS,
)
_ARCHIVE_DAYS = re.compile(
    r"(?:no\s+archiv\w*|not\s+for\s+archiv\w*|delete|remove|purge|kill)\s+"
    r"(?:\w+\s+){0,3}?(?:after|within|beyond)\s+(\d{1,4})\s+days?"
    r"|(?:pas\s+d['’]archiv\w*|ne\s+pas\s+archiver|archivage\s+interdit|à\s+supprimer|"
    r"à\s+retirer|supprimer)\s+(?:\w+\s+){0,3}?(?:après|au-delà\s+de|sous)\s+(\d{1,4})\s+jours?",
    _FLAGS,
)
_NO_ARCHIVE = re.compile(
    r"\b(no\s+archiv\w*|not\s+for\s+archiv\w*|do\s+not\s+archive"
    r"|pas\s+d['’]archiv\w*|ne\s+pas\s+archiver|archivage\s+interdit)",
    _FLAGS,
)
_PHOTO_NO_RESALE = re.compile(
    r"\b(photos?|pictures?|images?)\b[^.;]{0,40}?\b(not\s+for\s+(resale|syndication)"
    r"|no\s+(resale|syndication)|non\s+revendables?|interdites?\s+(à|a)\s+la\s+revente)"
    r"|\bno\s+(photo|picture|image)\s+(resale|syndication)",
    _FLAGS,
)
_EDITORIAL_ONLY = re.compile(
    r"editorial\s*use\s*only|editorialuseonly|usage\s+éditorial\s+(seulement|uniquement)",
    _FLAGS,
)


@dataclass(frozen=True, slots=True)
class Terms:
    """The restrictions read out of an item's usage terms."""

    not_for_syndication: bool | None = None
    archive_days: int | None = None
    photo_restriction: str = PhotoRestriction.NONE


def read_terms(text: str, *, link: str = "", is_picture: bool = False) -> Terms:
    """The restrictions ``text`` (and a linked-rights URI) state; None/""
    where they say nothing."""
    both = f"{text}\n{link}"
    # "Photos not for resale" restricts the pictures, not the text.
    photos_only = _PHOTO_NO_RESALE.search(text) is not None
    nfs = True if _NOT_FOR_SYNDICATION.search(_PHOTO_NO_RESALE.sub(" ", text)) else None
    days: int | None = None
    found = _ARCHIVE_DAYS.search(text)
    if found:
        days = int(found.group(1) or found.group(2))
    elif _NO_ARCHIVE.search(text):
        days = NO_ARCHIVE_DAYS
    photo = PhotoRestriction.NONE
    if photos_only or (is_picture and nfs):
        photo = PhotoRestriction.NO_RESALE
    elif _EDITORIAL_ONLY.search(both) and is_picture:
        photo = PhotoRestriction.EDITORIAL
    return Terms(not_for_syndication=nfs, archive_days=days, photo_restriction=photo)


def item_rights_apply(record: WireItemRecord, item: WireItem) -> None:
    """Copy the rights ``item`` states onto ``record`` (at ingest, each version)."""
    record.copyright_holder = item.copyright_holder[:255]
    record.usage_terms = item.usage_terms
    terms = read_terms(
        item.usage_terms, link=item.rights_link, is_picture=item.item_class == "picture"
    )
    record.not_for_syndication = terms.not_for_syndication
    record.archive_days = terms.archive_days
    record.photo_restriction = terms.photo_restriction
    record.rights_expires_at = None
    if terms.archive_days is not None:
        start = item.first_created or record.received_at
        if start is not None:
            record.rights_expires_at = start + timedelta(days=terms.archive_days)


# --- What an item's rights are, the source's defaults included ------------------


@dataclass(frozen=True, slots=True)
class ItemRights:
    provider: str
    copyright_holder: str
    copyright_notice: str
    usage_terms: str
    embargo_until: datetime | None
    not_for_syndication: bool
    expires_at: datetime | None
    photo_restriction: str

    @property
    def photos_withheld(self) -> bool:
        return self.photo_restriction == PhotoRestriction.NO_RESALE

    def withheld(self, now: datetime) -> bool:
        return (
            self.not_for_syndication
            or (self.embargo_until is not None and self.embargo_until > now)
            or (self.expires_at is not None and self.expires_at <= now)
        )


def _later(*times: datetime | None) -> datetime | None:
    return max((t for t in times if t is not None), default=None)


def effective(record: WireItemRecord) -> ItemRights:
    """``record``'s rights: what it states, else its source's defaults."""
    source: WireSource | None = record.source
    expires = record.rights_expires_at
    if record.archive_days is None and source is not None and source.rights_archive_days:
        start = record.first_created or record.received_at
        expires = start + timedelta(days=source.rights_archive_days)
    nfs = record.not_for_syndication
    if nfs is None:
        nfs = bool(source and source.rights_not_for_syndication)
    terms = record.usage_terms or (source.rights_usage_terms if source else "")
    return ItemRights(
        provider=record.provider or (source.provider if source else ""),
        copyright_holder=record.copyright_holder or record.provider,
        copyright_notice=record.copyright,
        usage_terms=terms,
        embargo_until=_later(record.embargo_until, source.rights_embargo_until if source else None),
        not_for_syndication=nfs or record.status == ItemStatus.KILLED,
        expires_at=expires,
        photo_restriction=record.photo_restriction
        or (source.rights_photo_restriction if source else ""),
    )


def for_articles(article_ids: Iterable[int]) -> dict[int, ItemRights]:
    """The rights of the wire items the articles were made from (one query)."""
    ids = list(article_ids)
    if not ids:
        return {}
    records = WireItemRecord.objects.filter(article_id__in=ids).select_related("source")
    return {record.article_id: effective(record) for record in records if record.article_id}


def for_dispatches(dispatch_ids: Iterable[int]) -> dict[int, ItemRights]:
    ids = list(dispatch_ids)
    if not ids:
        return {}
    records = WireItemRecord.objects.filter(dispatch_id__in=ids).select_related("source")
    return {int(r.dispatch_id): effective(r) for r in records if r.dispatch_id is not None}


# --- Which items are left out now ----------------------------------------------------


def withheld(now: datetime) -> QuerySet[WireItemRecord]:
    """The items no syndication output may give now: killed, under embargo
    (theirs or their source's), not for syndication (theirs, or their
    source's when they say nothing), past their archive limit."""
    query = (
        Q(status=ItemStatus.KILLED)
        | Q(embargo_until__gt=now)
        | Q(source__rights_embargo_until__gt=now)
        | Q(not_for_syndication=True)
        | Q(not_for_syndication__isnull=True, source__rights_not_for_syndication=True)
        | Q(rights_expires_at__lte=now)
    )
    # Sources are few: one condition each for their archive limit.
    limits = WireSource.objects.filter(rights_archive_days__isnull=False).values_list(
        "pk", "rights_archive_days"
    )
    for source_id, days in limits:
        limit = now - timedelta(days=days or 0)
        query |= Q(source_id=source_id, archive_days__isnull=True) & (
            Q(first_created__lte=limit) | Q(first_created__isnull=True, received_at__lte=limit)
        )
    return WireItemRecord.objects.filter(query)


def articles_allowed(qs: QuerySet[Any], now: datetime) -> QuerySet[Any]:
    """``qs`` (articles) without those made from a withheld item."""
    return qs.filter(~Exists(withheld(now).filter(article_id=OuterRef("pk"))))


def dispatches_allowed(qs: QuerySet[Any], now: datetime) -> QuerySet[Any]:
    """``qs`` (brèves) without those made from a withheld item."""
    return qs.filter(~Exists(withheld(now).filter(dispatch_id=OuterRef("pk"))))


def last_change(now: datetime) -> datetime | None:
    """The last instant an item came in or out of the outputs because of its
    rights (an embargo lifted, an item expired): lists' ``Last-Modified``."""
    lifted = (
        WireItemRecord.objects.filter(embargo_until__lte=now)
        .order_by("-embargo_until")
        .values_list("embargo_until", flat=True)
        .first()
    )
    expired = (
        WireItemRecord.objects.filter(rights_expires_at__lte=now)
        .order_by("-rights_expires_at")
        .values_list("rights_expires_at", flat=True)
        .first()
    )
    return _later(lifted, expired)


# --- A kill reaches the API's caches at once ------------------------------------------


def _on_record_saved(sender: Any, instance: WireItemRecord, **kwargs: Any) -> None:
    if instance.status == ItemStatus.KILLED:
        invalidate(
            Event.ITEM_KILLED, article_id=instance.article_id, dispatch_id=instance.dispatch_id
        )


def connect() -> None:
    post_save.connect(_on_record_saved, sender=WireItemRecord, dispatch_uid="wires-rights-kill")
