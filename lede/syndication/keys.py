"""API key material: how a key looks, how it is stored, how a presented one is read.

A key is ``lede_<prefix>_<secret>``: ``prefix`` (12 hex characters) is public and
indexed, so a presented key is found with one query; ``secret`` is 32 random bytes
(URL-safe base64). Only the SHA-256 of the whole key is stored. A fast hash is
right here (unlike passwords): the secret has 256 bits of entropy, so there is
nothing to guess, and every API call checks one hash. The comparison is
constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

KEY_PREFIX = "lede"
_KEY_RE = re.compile(r"^lede_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True, slots=True)
class NewKey:
    prefix: str
    plaintext: str
    hashed: str


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def generate_key() -> NewKey:
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    plaintext = f"{KEY_PREFIX}_{prefix}_{secret}"
    return NewKey(prefix=prefix, plaintext=plaintext, hashed=hash_key(plaintext))


def parse_key(presented: str) -> str | None:
    """The prefix of a well-formed key, else ``None``."""
    match = _KEY_RE.match(presented.strip())
    return match.group(1) if match else None


def key_matches(presented: str, hashed: str) -> bool:
    return hmac.compare_digest(hash_key(presented.strip()), hashed)
