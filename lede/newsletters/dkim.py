"""DKIM signatures (RFC 6376): rsa-sha256, relaxed/relaxed.

Hand-written on ``cryptography`` (OpenSSL's RSA) rather than dkimpy: dkimpy
re-parses and re-canonicalises every message in pure Python, which costs
more than building the message itself at the volumes of a newsletter send
(see bench/newsletter_send.py); here the signer receives the headers it
built as a list and signs them directly. Tests verify every signature with
dkimpy, the reference implementation.
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from lede.core import process_state

_WSP_RUN = re.compile(rb"[ \t]+")
_TRAILING_WSP = re.compile(rb"[ \t]+\r\n")
_TRAILING_LINES = re.compile(rb"(\r\n)+$")
_FOLD = re.compile(r"\r\n(?=[ \t])")
_WSP_RUN_STR = re.compile(r"[ \t]+")


def canonical_body(body: bytes) -> bytes:
    """Relaxed body canonicalisation (RFC 6376 §3.4.4)."""
    body = _TRAILING_WSP.sub(b"\r\n", _WSP_RUN.sub(b" ", body))
    body = _TRAILING_LINES.sub(b"", body)
    return body + b"\r\n" if body else b""


@lru_cache(maxsize=1024)
def canonical_header(name: str, value: str) -> str:
    """Relaxed header canonicalisation (RFC 6376 §3.4.2), without the CRLF.
    Cached: most of a newsletter's headers are the same in every message."""
    value = _WSP_RUN_STR.sub(" ", _FOLD.sub("", value)).strip()
    return f"{name.lower().strip()}:{value}"


@dataclass(frozen=True)
class Signer:
    domain: str
    selector: str
    key: rsa.RSAPrivateKey

    def sign(
        self,
        headers: list[tuple[str, str]],
        body: bytes,
        *,
        now: int | None = None,
        body_hash: str | None = None,
    ) -> str:
        """The ``DKIM-Signature`` header value for a message made of
        ``headers`` (name, value as written, folded with CRLF) and ``body``
        (CRLF line ends). Every header given is signed. ``body_hash``: the
        base64 SHA-256 of the canonical body when the caller knows it (the
        newsletter's messages hash most of their body once per send)."""
        if body_hash is None:
            body_hash = base64.b64encode(hashlib.sha256(canonical_body(body)).digest()).decode()
        names = ":".join(name.lower() for name, _value in headers)
        stamp = int(now if now is not None else time.time())
        value = (
            f"v=1; a=rsa-sha256; c=relaxed/relaxed; d={self.domain}; s={self.selector};\r\n"
            f" t={stamp}; h={names};\r\n bh={body_hash};\r\n b="
        )
        signed = "".join(canonical_header(n, v) + "\r\n" for n, v in headers)
        signed += canonical_header("DKIM-Signature", value)
        signature = self.key.sign(signed.encode(), padding.PKCS1v15(), hashes.SHA256())
        b64 = base64.b64encode(signature).decode()
        return value + "\r\n ".join(b64[i : i + 72] for i in range(0, len(b64), 72))


def signer_from_pem(pem: bytes, *, domain: str, selector: str) -> Signer:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("DKIM needs an RSA private key")
    return Signer(domain=domain, selector=selector, key=key)


@lru_cache(maxsize=4)
def signer_from_file(path: str, domain: str, selector: str) -> Signer:
    return signer_from_pem(Path(path).read_bytes(), domain=domain, selector=selector)


process_state.register("newsletters.dkim_signers", signer_from_file.cache_clear)
