"""The transactional e-mail of the newsletters app: the double opt-in
confirmation, in the shared reader e-mail layout (``lede.core.mail``).
(Editions are built and sent by rendering.py/delivery.py.)
"""

from __future__ import annotations

from lede.core import mail


def confirmation_send(*, email: str, url: str) -> None:
    mail.send("newsletters/email/confirm", email, {"url": url})
