"""Signed tokens in newsletter links: the double opt-in confirmation, the
one-click unsubscribe (RFC 8058) and counted links.

Django's signing (HMAC with the secret key, a salt per purpose, a timestamp
for the expiry): nothing is stored, a tampered token fails the signature, a
token for another address fails the check against the row it names.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

CONFIRM_SALT = "lede.newsletters.confirm"
UNSUBSCRIBE_SALT = "lede.newsletters.unsubscribe"
CLICK_SALT = "lede.newsletters.click"
CONFIRM_MAX_AGE = 7 * 24 * 3600
# An unsubscribe link must keep working for as long as readers keep old
# e-mails around; a year, then the page offers to manage newsletters instead.
UNSUBSCRIBE_MAX_AGE = 366 * 24 * 3600


class BadToken(Exception):
    """Tampered, expired or not for this address."""


@dataclass(frozen=True)
class UnsubscribeToken:
    subscriber_id: int
    email: str
    newsletter_id: int | None


def confirm_token(*, subscriber_id: int, email: str) -> str:
    return signing.dumps({"s": subscriber_id, "e": email}, salt=CONFIRM_SALT, compress=True)


def confirm_read(token: str) -> tuple[int, str]:
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
        return int(data["s"]), str(data["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise BadToken(str(exc)) from exc


def unsubscribe_token(*, subscriber_id: int, email: str, newsletter_id: int | None) -> str:
    return signing.dumps(
        {"s": subscriber_id, "e": email, "n": newsletter_id}, salt=UNSUBSCRIBE_SALT, compress=True
    )


def unsubscribe_read(token: str) -> UnsubscribeToken:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
        newsletter = data.get("n")
        return UnsubscribeToken(
            subscriber_id=int(data["s"]),
            email=str(data["e"]),
            newsletter_id=int(newsletter) if newsletter is not None else None,
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BadToken(str(exc)) from exc


def click_token(*, edition_id: int, url: str) -> str:
    return signing.dumps({"d": edition_id, "u": url}, salt=CLICK_SALT, compress=True)


def click_read(token: str) -> tuple[int, str]:
    try:
        data = signing.loads(token, salt=CLICK_SALT)
        return int(data["d"]), str(data["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BadToken(str(exc)) from exc
