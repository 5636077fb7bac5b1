"""The subscription e-mails, in French, each with a text and an HTML part.

Templates live in ``subscriptions/email/<name>_subject.txt``,
``<name>_message.txt`` and ``<name>_message.html``. Services send them from
``transaction.on_commit``: nothing is sent for a write that rolled back.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from lede.core import site
from lede.core.selectors import publication_settings

logger = logging.getLogger(__name__)


def absolute(path: str) -> str:
    return site.site_url(path)


def _context() -> dict[str, Any]:
    publication = publication_settings()
    return {"publication": publication, "site_name": publication.name, "site_url": site.base_url()}


def send_now(name: str, to: str, context: dict[str, Any]) -> None:
    ctx = _context()
    ctx.update(context)
    subject = " ".join(render_to_string(f"subscriptions/email/{name}_subject.txt", ctx).split())
    text = render_to_string(f"subscriptions/email/{name}_message.txt", ctx)
    html = render_to_string(f"subscriptions/email/{name}_message.html", ctx)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()


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
