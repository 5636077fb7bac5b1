"""Helpers every endpoint shares: the call log and the publication's rights."""

from __future__ import annotations

from django.http import HttpRequest

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
