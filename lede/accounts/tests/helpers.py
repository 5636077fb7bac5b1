"""Helpers shared by the accounts tests."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from django.core import mail

PASSWORD = "Kasbah-Lune-2026!"


def login(client: Any, email: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post("/compte/login/", {"login": email, "password": password}, **extra)


def last_mail() -> Any:
    assert mail.outbox, "no e-mail was sent"
    return mail.outbox[-1]


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
