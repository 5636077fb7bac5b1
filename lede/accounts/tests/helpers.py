"""Helpers shared by the accounts tests."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from freezegun import freeze_time
from freezegun.api import _freeze_time

PASSWORD = "Kasbah-Lune-2026!"

#: What freezegun must leave on real time while a test sends e-mail to the
#: real SMTP server (freezegun's ``ignore`` argument): the server runs an
#: asyncio loop in its own thread, whose timers read ``time.monotonic``, and
#: waiting for a message uses a monotonic deadline. Without it the rate-limit
#: test fails (checked). The code under test (allauth's rate limits, the reset
#: token's timestamp) still sees the frozen clock.
REAL_TIME_MODULES = ["asyncio", "aiosmtpd", "threading", "lede.core.testing.smtp"]


def frozen(when: Any) -> _freeze_time:
    """``freeze_time(when)`` that leaves the SMTP server's clock alone."""
    return freeze_time(when, ignore=REAL_TIME_MODULES)


def login(client: Any, email: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post("/compte/login/", {"login": email, "password": password}, **extra)


def last_mail(smtp_server: Any) -> Any:
    """The last message the real SMTP server received (Django's SMTP backend
    returns once the server accepted it, so it is there already)."""
    return smtp_server.wait_for(1)[-1]


def html_part(message: Any) -> str:
    alternatives = [
        c for c, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"
    ]
    assert alternatives, "the e-mail has no HTML part"
    return str(alternatives[0])


def first_url(text: str) -> str:
    """The first link of an e-mail past the layout's own (the site's home)."""
    match = re.search(r"https?://[^/\s]+/[^\s]+", text)
    assert match, text
    return match.group(0)


class PageAudit(HTMLParser):
    """Counts <h1> and finds form controls without a label."""

    def __init__(self) -> None:
        super().__init__()
        self.h1 = 0
        self.label_for: set[str] = set()
        self.controls: list[dict[str, str | None]] = []
        self.html_lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        elif tag == "h1":
            self.h1 += 1
        elif tag == "label" and a.get("for"):
            self.label_for.add(a["for"] or "")
        elif tag in {"input", "select", "textarea"}:
            if a.get("type") not in {"hidden", "submit", "button"}:
                self.controls.append(a)

    def unlabelled(self) -> list[dict[str, str | None]]:
        return [
            c
            for c in self.controls
            if not c.get("aria-label") and (not c.get("id") or c.get("id") not in self.label_for)
        ]


def audit(html: str) -> PageAudit:
    parser = PageAudit()
    parser.feed(html)
    return parser
