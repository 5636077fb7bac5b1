"""Helpers every endpoint shares: the call log and the publication's rights."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from wagtail.models import PageLogEntry

from lede.core.models import PublicationSettings
from lede.core.selectors import publication_settings
from lede.syndication.selectors import Client
from lede.syndication.services import api_call_record


def log_call(
    request: HttpRequest, client: Client | None, status: int, items: int = 0, full: int = 0
) -> None:
    """Every call made with a key is logged (billing and audit); calls without a
    key are not (they are counted by the request metrics)."""
    request.api_logged = True  # type: ignore[attr-defined]
    if client is not None and client.key is not None:
        api_call_record(
            key=client.key, endpoint=request.path, status=status, items=items, full_items=full
        )


def publication(request: HttpRequest) -> PublicationSettings:
    return publication_settings(request)


def publication_signature(pub: PublicationSettings) -> str:
    return "|".join([pub.name, pub.publisher, pub.copyright_notice, pub.reproduction_policy])


def client_signature(client: Client) -> str:
    licence = client.licence
    return "|".join(
        [
            client.identity,
            str(licence.pk if licence else ""),
            licence.name if licence else "",
            str(client.full_text),
            str(client.agency_copy),
        ]
    )


#: The page log's actions that take an article out of a list.
REMOVALS = ("wagtail.unpublish", "wagtail.delete", "wagtail.move")


def rights_since(client: Client, now: datetime) -> datetime | None:
    """When what the caller gets last changed for reasons other than the
    content: its key or licence edited, or (for a licence with a monthly
    volume) the month's start, when an abstract may become the full text."""
    times = []
    if client.key is not None:
        times.append(client.key.updated_at)
    licence = client.licence
    if licence is not None:
        times.append(licence.updated_at)
        if licence.monthly_volume:
            times.append(now.replace(day=1, hour=0, minute=0, second=0, microsecond=0))
    return max(times, default=None)


def last_removal() -> datetime | None:
    """The latest unpublication, deletion or move of any page (one indexed
    query): a list's page may have lost an item without any item changing."""
    return (
        PageLogEntry.objects.filter(action__in=REMOVALS)
        .order_by("-timestamp")
        .values_list("timestamp", flat=True)
        .first()
    )


def latest(*times: datetime | None) -> datetime | None:
    """The ``Last-Modified`` of an answer: the latest of the times it depends on."""
    return max((t for t in times if t is not None), default=None)
