"""Reader e-mails: one layout, French typography, a text and an HTML part.

Every e-mail a reader receives (allauth's account messages, the address code,
receipts, gifts, renewals, dunning…) is rendered and sent here, so they share
the publication's layout (``core/email/base.html`` and ``base.txt``: the
publication's name, a footer with the publisher's legal identity and the
site's one address) and its typography.

A message is three templates side by side: ``<prefix>_subject.txt``,
``<prefix>_message.txt`` and ``<prefix>_message.html``; the two bodies extend
the base layouts. They are rendered without a request (the task worker sends
most of them), from the context given plus :func:`mail_context`.

After rendering, French typography (:mod:`lede.core.typography`) is applied
to the subject and the text part as plain text and to the HTML part's text
nodes (never to URLs, attributes or codes), and the publication's name is
kept on one line with no-break spaces.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from . import site
from .selectors import legal_links, publication_settings
from .typography import NBSP, french_html, french_text


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def keep_together(text: str, name: str) -> str:
    """``name`` (the publication's, "Le Quotidien") with no-break spaces, so
    that it never breaks across two lines."""
    if not name or " " not in name:
        return text
    return text.replace(name, name.replace(" ", NBSP))


#: Where the publisher's legal identity comes from. core knows nothing of
#: billing (it may not import subscriptions, which keeps the seller's details
#: in ``BillingSettings``), so subscriptions registers its source at ready().
_legal_identity_source: Callable[[], str] | None = None


def register_legal_identity(source: Callable[[], str] | None) -> None:
    """Set the function giving the publisher's legal identity on one line
    (raison sociale, address, ICE), printed in the footer of every e-mail;
    ``None`` removes it."""
    global _legal_identity_source
    _legal_identity_source = source


def legal_identity() -> str:
    """The publisher's legal identity for the e-mail footer, or ``""`` when
    no source is registered."""
    return _legal_identity_source() if _legal_identity_source is not None else ""


def mail_context() -> dict[str, Any]:
    """What the base layouts need: the publication, its one address, and the
    publisher's legal identity with the information pages for the footer."""
    publication = publication_settings()
    base = site.base_url()
    return {
        "publication": publication,
        "site_name": publication.name,
        "site_url": base,
        "site_host": urlsplit(base).netloc,
        "publisher": publication.publisher,
        # The publisher's legal identity, in every e-mail's footer (account
        # e-mails as well as the ones about money).
        "legal_identity": legal_identity(),
        "email_legal_links": [
            {"title": link.title, "url": site.site_url(link.url)} for link in legal_links()
        ],
    }


def _typeset_text(text: str, name: str) -> str:
    return keep_together(french_text(text), name)


def render(prefix: str, context: Mapping[str, Any] | None = None) -> RenderedMail:
    """The subject and both bodies of the message ``prefix``, typeset."""
    ctx = mail_context()
    ctx.update(context or {})
    name = str(ctx.get("site_name") or "")
    subject: str = " ".join(render_to_string(f"{prefix}_subject.txt", ctx).split())
    text: str = str(render_to_string(f"{prefix}_message.txt", ctx)).strip() + "\n"
    html: str = str(render_to_string(f"{prefix}_message.html", ctx)).strip() + "\n"
    if (translation.get_language() or "fr").startswith("fr"):
        subject = french_text(subject)
        text = _typeset_text(text, name)
        html = keep_together(french_html(html), name)
    return RenderedMail(subject=subject, text=text, html=html)


def build(
    prefix: str,
    to: str | Sequence[str],
    context: Mapping[str, Any] | None = None,
    *,
    from_email: str | None = None,
    headers: Mapping[str, str] | None = None,
    language: str | None = None,
) -> EmailMultiAlternatives:
    """The message ready to send (text body, HTML alternative), written in
    ``language`` (the reader's edition, ``User.language``) when given, else
    in the active language."""
    with translation.override(language or translation.get_language()):
        rendered = render(prefix, context)
    recipients = [to] if isinstance(to, str) else list(to)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        headers=dict(headers or {}),
    )
    message.attach_alternative(rendered.html, "text/html")
    return message


def send(
    prefix: str,
    to: str | Sequence[str],
    context: Mapping[str, Any] | None = None,
    *,
    from_email: str | None = None,
    headers: Mapping[str, str] | None = None,
    language: str | None = None,
) -> None:
    """Render and send the message ``prefix`` to ``to`` (in ``language``)."""
    build(prefix, to, context, from_email=from_email, headers=headers, language=language).send()
