"""The transactional e-mail of the newsletters app: the double opt-in
confirmation. (Editions are built and sent by rendering.py/delivery.py.)

Self-contained templates under newsletters/email/; when the shared e-mail
layout (lede/core/templates/core/email/base.html) lands, only the two
templates below change: the hook is ``confirmation_send``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from lede.core.selectors import publication_settings


def confirmation_send(*, email: str, url: str) -> None:
    publication = publication_settings()
    context = {"url": url, "publication": publication}
    message = EmailMultiAlternatives(
        subject=_("Confirmez votre inscription à nos lettres d’information"),
        body=render_to_string("newsletters/email/confirm.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email],
    )
    message.attach_alternative(
        render_to_string("newsletters/email/confirm.html", context), "text/html"
    )
    message.send()
