"""Signed entitlement tokens: the edge serves a shared variant to a reader
the application has already let in.

When the paywall's decision (``lede.paywall.access.decide``) lets a signed-in
reader read an article in full, and what the page shows of them is the same
for every reader of their kind (``selectors.AccountState.variant``:
``subscriber``, ``registered``), the application sets a short-lived cookie
holding a token that records that decision. Varnish checks the token itself
(``deploy/varnish/lede.vcl``, with vmod-digest) and serves the article's full
variant *for that kind of reader* from its cache; only when that copy is
missing does it ask a node, which checks the token again (:func:`verify`) and
renders the copy for the kind, never for the reader.

A token is ``1.<expiry>.<variant>.<kind>.<signature>`` (one cookie per
article, ``Path=`` the article's path), the signature an HMAC-SHA256 over
:func:`keys.edge_token_message`: the version, expiry, variant, kind, the
host and path of the article, and the SHA-256 of the session id. So a token

- copied to another article, another host, or changed (variant, kind,
  expiry) no longer matches its signature;
- without the session it was issued to (the reader logged out: Django
  dropped the ``sessionid`` cookie) no longer matches either;
- lapses ``LEDE_EDGE_TOKEN_SECONDS`` after it was issued: a cancellation or
  a refund ends access at the edge within that time, and the application
  issues a new token only after deciding again.

Clock skew: the node that signs and the edge that checks read different
clocks. The expiry is absolute (Unix seconds); the checker refuses a token
that expires more than ``LEDE_EDGE_TOKEN_SECONDS + LEDE_EDGE_TOKEN_SKEW_SECONDS``
ahead of its own clock (a node whose clock runs fast cannot mint long-lived
tokens), and a node whose clock runs slow only issues tokens that lapse
sooner (the reader's next request goes to the application, which issues
another).

The key never lives in the repository: ``LEDE_EDGE_TOKEN_KEY_FILE`` names a
file readable by the application and Varnish (``bin/stack`` generates one
into var/stack; deploy/README.md says how production keeps and rotates it).
Without a key no token is issued and every signed-in reader goes to the
application, as before.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from lede.core import process_state

from . import keys

VERSION = "1"
#: The only variant a token names: the locked one needs no token.
FULL = "full"
#: The kinds of reader whose page can be shared by every reader of the kind
#: (no organisation name, no meter line): ``AccountState.variant``.
KINDS = frozenset({"subscriber", "registered"})
COOKIE = keys.EDGE_TOKEN_COOKIE

_TOKEN = re.compile(r"\A1\.([0-9]{1,12})\.(full)\.([a-z]{1,20})\.([0-9a-f]{64})\Z")


@dataclass(frozen=True, slots=True)
class Grant:
    """What a verified token lets the edge serve."""

    variant: str
    kind: str
    expires: int


@lru_cache(maxsize=4)
def _read_key(path: str) -> bytes:
    # As Varnish's std.fileread reads it: the whole file, as it is.
    return Path(path).read_bytes()


process_state.register("lede.core.caching.edge_tokens.key", _read_key.cache_clear)


def key() -> bytes | None:
    """The signing key, or None when edge tokens are off."""
    path = getattr(settings, "LEDE_EDGE_TOKEN_KEY_FILE", "")
    if not path:
        return None
    try:
        secret = _read_key(path)
    except OSError:
        return None
    return secret if len(secret) >= 32 else None


def lifetime() -> int:
    return int(getattr(settings, "LEDE_EDGE_TOKEN_SECONDS", 300))


def skew() -> int:
    return int(getattr(settings, "LEDE_EDGE_TOKEN_SKEW_SECONDS", 60))


def session_digest(session_key: str) -> str:
    """What a token binds of the session: its id's SHA-256 (the edge computes
    the same from the ``sessionid`` cookie; the id itself never goes into a
    token or to the node that renders the shared copy)."""
    return hashlib.sha256(session_key.encode()).hexdigest()


_PORT = re.compile(r":[0-9]+\Z")


def edge_host(raw_host: str) -> str:
    """The host as the edge names it in the message: the ``Host`` header
    without its port, lower-cased (the VCL applies the same rule)."""
    return _PORT.sub("", raw_host).lower()


def _signature(secret: bytes, message: str) -> str:
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()


def issue(
    *,
    secret: bytes,
    now: int,
    variant: str,
    kind: str,
    host: str,
    path: str,
    session_sha256: str,
    seconds: int | None = None,
) -> str:
    """A token for one article (``host``, ``path``), variant, kind of reader
    and session, valid until ``now + seconds`` (``lifetime()``)."""
    if variant != FULL or kind not in KINDS:
        raise ValueError(f"no edge token for variant {variant!r} and kind {kind!r}")
    expires = now + (lifetime() if seconds is None else seconds)
    message = keys.edge_token_message(
        version=VERSION,
        expires=expires,
        variant=variant,
        kind=kind,
        host=host,
        path=path,
        session_sha256=session_sha256,
    )
    return f"{VERSION}.{expires}.{variant}.{kind}.{_signature(secret, message)}"


# Tokens whose signature this process has checked, with what they were
# checked for: a reader's browser sends the same token on every page of the
# article until it is renewed, and the HMAC (with the message it signs) was
# about a tenth of a subscriber's article on the front. Only good signatures
# are kept, under everything the signature covers (the key included), so a
# token is never taken for more than it proved; the time limits are checked
# on every use (and a token out of them is not kept).
MAX_CHECKED = 10_000
_checked: dict[tuple[str, bytes, str, str, str], Grant] = {}
process_state.register("lede.core.caching.edge_tokens.checked", _checked.clear)


def verify(
    token: str,
    *,
    secret: bytes,
    now: int,
    host: str,
    path: str,
    session_sha256: str,
) -> Grant | None:
    """The grant of a token that is well formed, signed with ``secret`` for
    this article and session, not expired and not too far ahead; else None."""
    memo = (token, secret, host, path, session_sha256)
    grant = _checked.get(memo)
    if grant is None:
        grant = _check_signature(
            token, secret=secret, host=host, path=path, session_sha256=session_sha256
        )
        if grant is None or not _in_time(grant, now):
            return None
        if len(_checked) >= MAX_CHECKED:
            _checked.clear()
        _checked[memo] = grant
        return grant
    return grant if _in_time(grant, now) else None


def _in_time(grant: Grant, now: int) -> bool:
    return now < grant.expires <= now + lifetime() + skew()


def _check_signature(
    token: str, *, secret: bytes, host: str, path: str, session_sha256: str
) -> Grant | None:
    match = _TOKEN.match(token)
    if match is None:
        return None
    expires, variant, kind, signature = (
        int(match.group(1)),
        match.group(2),
        match.group(3),
        match.group(4),
    )
    if kind not in KINDS:
        return None
    message = keys.edge_token_message(
        version=VERSION,
        expires=expires,
        variant=variant,
        kind=kind,
        host=host,
        path=path,
        session_sha256=session_sha256,
    )
    if not hmac.compare_digest(_signature(secret, message), signature):
        return None
    return Grant(variant=variant, kind=kind, expires=expires)
