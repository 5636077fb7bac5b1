"""The subscription e-mails, in French, each with a text and an HTML part.

Templates live in ``subscriptions/email/<name>_subject.txt``,
``<name>_message.txt`` and ``<name>_message.html`` and extend the
publication's e-mail layout; :mod:`lede.core.mail` renders, typesets and
sends them. Services send them from ``transaction.on_commit``: nothing is
sent for a write that rolled back.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from lede.core import mail, site

from .invoices import billing_settings

logger = logging.getLogger(__name__)


def absolute(path: str) -> str:
    return site.site_url(path)


def legal_identity() -> str:
    """The seller's legal identity on one line (raison sociale, address, ICE),
    printed in the footer of every e-mail: registered with
    :func:`lede.core.mail.register_legal_identity` at ready()."""
    billing = billing_settings()
    parts = [billing.legal_name, ", ".join(line.strip() for line in billing.address.splitlines())]
    if billing.ice:
        parts.append(f"ICE\u00a0{billing.ice}")  # never "ICE" alone at a line end
    return " — ".join(part for part in parts if part.strip())


def recipient_language(to: str) -> str | None:
    """The edition a reader with that address chose (``User.language``), or
    None for an address with no account (the active language then: a gift's
    recipient gets the buyer's)."""
    language = (
        get_user_model().objects.filter(email__iexact=to).values_list("language", flat=True).first()
    )
    return language or None


def send_now(name: str, to: str, context: dict[str, Any]) -> None:
    mail.send(f"subscriptions/email/{name}", to, context, language=recipient_language(to))


def send_on_commit(name: str, to: str, context: dict[str, Any]) -> None:
    """Send after the surrounding transaction commits; a failing mail server
    never undoes a payment (it is logged)."""

    def send() -> None:
        try:
            send_now(name, to, context)
        except Exception:
            logger.exception("could not send the %r e-mail to %s", name, to)

    if to:
        transaction.on_commit(send)
