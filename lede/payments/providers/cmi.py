"""CMI (Centre Monétique Interbancaire), Morocco's card gateway, in
``3D_PAY_HOSTING`` mode: the reader's browser POSTs a signed form to the
gateway's hosted card page; the gateway calls ``callbackUrl`` server to
server, then sends the browser back to ``okUrl`` / ``failUrl``.

Only this module knows the CMI protocol.

The "ver3" hash, as CMI's merchant kits compute it: every parameter except
``hash`` and ``encoding`` (compared case-insensitively), names sorted with
PHP's ``natcasesort`` (case folded, digit runs compared by value, see
:func:`php_strnatcasecmp`); in each value ``\\`` becomes ``\\\\`` and then
``|`` becomes ``\\|``; the values are joined with ``|``, followed by ``|`` and
the escaped store key; SHA-512 of the UTF-8 bytes; base64 of the raw digest.
ver3 signs the values in name order, not the names themselves.

CMI's own PHP sample trims each value (PHP's ``trim``) before escaping it.
Lede never sends a value with surrounding whitespace (so both readings agree
on what we sign), and accepts a callback whose hash matches either reading —
both need the store key. Because the trimming reading lets whitespace vary,
a decline's event id is derived from the trimmed values: re-posts are one
event.

The shop's checkout form is signed the same way, so a signed post is only a
callback when it also carries the gateway's own fields in the gateway's
format (:func:`_require_gateway_fields`).

Answers to the callback, as CMI's kit documents them (the gateway reads the
body, so a refusal is answered with 200 too): ``ACTION=POSTAUTH`` for an approved payment
(``ProcReturnCode=00``) that was applied (or already applied: a replay gets
the same answer and changes nothing), ``APPROVED`` to acknowledge a declined
payment (nothing changes), ``FAILURE`` when the post is not a gateway reply
for one of our attempts (hash, gateway fields, order, amount or currency), or
when the order was already paid by another attempt (so the gateway does not
capture a second payment).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import secrets
from collections.abc import Iterable, Mapping
from functools import cmp_to_key
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lede.core.money import CURRENCY_NUMERIC, format_decimal, parse_decimal
from lede.core.site import site_url
from lede.payments import services
from lede.payments.models import PaymentAttempt

from .base import (
    CheckoutAction,
    NotificationResult,
    PaymentProvider,
    ProviderError,
    ReturnResult,
)

if TYPE_CHECKING:
    from django.http import HttpRequest, QueryDict

    from lede.payments.models import Order

logger = logging.getLogger(__name__)

TEST_GATEWAY_URL = "https://testpayment.cmi.co.ma/fim/est3Dgate"
STORE_TYPE = "3D_PAY_HOSTING"
APPROVED_CODE = "00"
EXCLUDED_FROM_HASH = frozenset({"hash", "encoding"})

ANSWER_POSTAUTH = "ACTION=POSTAUTH"
ANSWER_APPROVED = "APPROVED"
ANSWER_FAILURE = "FAILURE"


# --- PHP's natcasesort ---------------------------------------------------------
#
# CMI's merchant kits (PHP) sort the parameter names with ``natcasesort``, i.e.
# PHP's ``strnatcasecmp``: names folded to upper case byte by byte (ASCII only),
# runs of digits compared by value, whitespace skipped. Written by hand because
# no maintained Python library reproduces PHP's rules: ``natsort`` (PyPI) folds
# with ``str.casefold`` (so "_" sorts before letters, not after as in PHP),
# splits numbers differently and ignores PHP's "fractional" rule for runs that
# start with a zero. This is a transcription of ext/standard/strnatcmp.c
# (PHP 8.2), on the UTF-8 bytes, with the C string's NUL terminator modelled as
# a 0 read past the end. Tested against a table and vectors computed by PHP
# (tests/test_cmi_hash.py); when written, it also agreed with PHP 8.2.36's
# strnatcasecmp on 20,000 random pairs and with its natcasesort on 2,000 random
# lists of names (random pairs: letters of both cases, digits, "_", ".", "-",
# spaces, "é"; lists: the same without spaces and "é").

_PHP_TRIM = " \t\n\r\x00\x0b"
_C_SPACE = frozenset(b" \t\n\x0b\x0c\r")


def php_trim(value: str) -> str:
    """PHP's ``trim()`` with its default characters (not Python's broader
    ``str.strip()``, which also removes e.g. no-break spaces)."""
    return value.strip(_PHP_TRIM)


def _is_digit(byte: int) -> bool:
    return 0x30 <= byte <= 0x39


def _upper(byte: int) -> int:
    return byte - 0x20 if 0x61 <= byte <= 0x7A else byte


def _compare_digit_runs(
    a: bytes, ai: int, b: bytes, bi: int, *, left_aligned: bool
) -> tuple[int, int, int]:
    """PHP's ``compare_left`` (runs starting with 0: first difference wins)
    and ``compare_right`` (the longer run wins, then the first difference)."""
    bias = 0
    while True:
        da = ai < len(a) and _is_digit(a[ai])
        db = bi < len(b) and _is_digit(b[bi])
        if not da and not db:
            return bias, ai, bi
        if not da:
            return -1, ai, bi
        if not db:
            return 1, ai, bi
        if a[ai] != b[bi]:
            sign = -1 if a[ai] < b[bi] else 1
            if left_aligned:
                return sign, ai, bi
            bias = bias or sign
        ai += 1
        bi += 1


def php_strnatcasecmp(first: str, second: str) -> int:
    """-1, 0 or 1, as PHP 8.2's ``strnatcasecmp(first, second)`` (its sign)."""
    a, b = first.encode("utf-8"), second.encode("utf-8")
    la, lb = len(a), len(b)
    if la == 0 or lb == 0:
        return (la > lb) - (la < lb)
    ai = bi = 0
    leading = True
    while True:
        ca = a[ai] if ai < la else 0
        cb = b[bi] if bi < lb else 0
        if leading:  # leading zeros of a number at the very start are skipped
            while ca == 0x30 and ai + 1 < la and _is_digit(a[ai + 1]):
                ai += 1
                ca = a[ai]
            while cb == 0x30 and bi + 1 < lb and _is_digit(b[bi + 1]):
                bi += 1
                cb = b[bi]
            leading = False
        while ca in _C_SPACE:
            ai += 1
            ca = a[ai] if ai < la else 0
        while cb in _C_SPACE:
            bi += 1
            cb = b[bi] if bi < lb else 0
        if _is_digit(ca) and _is_digit(cb):
            result, ai, bi = _compare_digit_runs(
                a, ai, b, bi, left_aligned=ca == 0x30 or cb == 0x30
            )
            if result:
                return result
            if ai == la and bi == lb:
                return 0
            if ai == la:
                return -1
            if bi == lb:
                return 1
            ca, cb = a[ai], b[bi]
        ca, cb = _upper(ca), _upper(cb)
        if ca != cb:
            return -1 if ca < cb else 1
        ai += 1
        bi += 1
        if ai >= la and bi >= lb:
            return 0
        if ai >= la:
            return -1
        if bi >= lb:
            return 1


def natcasesorted(names: Iterable[str]) -> list[str]:
    """The names in the order of PHP's ``natcasesort``. PHP 8's sort is
    stable, as is Python's: names equal under the comparison keep their order
    (the order they were posted in)."""
    return sorted(names, key=cmp_to_key(php_strnatcasecmp))


# --- The ver3 hash --------------------------------------------------------------


def escape_value(value: str) -> str:
    """``\\`` → ``\\\\`` first, then ``|`` → ``\\|``."""
    return value.replace("\\", "\\\\").replace("|", "\\|")


def hash_plaintext(params: Mapping[str, str], store_key: str, *, trim: bool = False) -> str:
    names = natcasesorted(name for name in params if name.lower() not in EXCLUDED_FROM_HASH)
    values = [params[name] for name in names]
    if trim:
        values = [php_trim(v) for v in values]
    return "|".join([*(escape_value(v) for v in values), escape_value(store_key)])


def hash_ver3(params: Mapping[str, str], store_key: str, *, trim: bool = False) -> str:
    plaintext = hash_plaintext(params, store_key, trim=trim)
    digest = hashlib.sha512(plaintext.encode("utf-8")).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_hash(params: Mapping[str, str], store_key: str, received: str) -> bool:
    """Constant-time comparison against both readings of the algorithm."""
    if not received or not store_key:
        return False
    given = received.strip().encode("utf-8")
    matches = [
        hmac.compare_digest(hash_ver3(params, store_key).encode("ascii"), given),
        hmac.compare_digest(hash_ver3(params, store_key, trim=True).encode("ascii"), given),
    ]
    return any(matches)


# --- Configuration ------------------------------------------------------------


def client_id() -> str:
    return str(settings.CMI_CLIENT_ID or "")


def store_key() -> str:
    return str(settings.CMI_STORE_KEY or "")


def gateway_url() -> str:
    return str(settings.CMI_GATEWAY_URL or TEST_GATEWAY_URL)


def tran_type() -> str:
    return str(settings.CMI_TRAN_TYPE or "PreAuth")


def _lang() -> str:
    lang = (get_language() or "fr")[:2]
    return lang if lang in {"fr", "ar", "en"} else "fr"


def _clean(value: str, limit: int = 255) -> str:
    """No control characters and no surrounding whitespace in what we sign."""
    text = "".join(ch if ch.isprintable() else " " for ch in (value or ""))
    return " ".join(text.split())[:limit]


class _Rejected(Exception):
    pass


def _single_values(data: QueryDict) -> dict[str, str]:
    params: dict[str, str] = {}
    for name in data:
        values = data.getlist(name)
        if len(values) != 1:
            raise _Rejected(f"parameter {name!r} given {len(values)} times")
        params[name] = values[0]
    return params


def _get(params: Mapping[str, str], name: str) -> str:
    """A parameter by name, case-insensitively (gateways vary the case)."""
    if name in params:
        return params[name]
    lowered = name.lower()
    for key, value in params.items():
        if key.lower() == lowered:
            return value
    return ""


#: The 3-D Secure statuses after which the gateway asks for an authorisation.
MD_STATUS_AUTHENTICATED = frozenset({"1", "2", "3", "4"})
RESPONSE_VALUES = frozenset({"approved", "declined", "error"})
_PROC_RETURN_CODE = re.compile(r"[0-9]{2}")
_MD_STATUS = re.compile(r"[0-9]")


def _require_gateway_fields(params: Mapping[str, str]) -> None:
    """A callback (or a return) carries what only the gateway writes.

    The shop's own checkout form is signed with the same store key and the
    same ver3 hash, and ver3 signs the values in name order, not the names:
    posted back as it is, or with fields renamed in place, it verifies. What
    it cannot carry is the gateway's answer in the gateway's format: the 3-D
    Secure status ``mdStatus`` (one digit, always sent in 3D_PAY_HOSTING),
    and, once 3-D Secure passed, the authorisation result: ``ProcReturnCode``
    (two digits) with a matching ``Response`` (Approved/Declined/Error), and
    ``TransId`` for an approval. Without ``ProcReturnCode`` CMI's kit takes a
    callback as a failed payment: that is only believed after a failed 3-D
    Secure status. None of the shop's signed values has these formats at the
    place in the name order where these names sort, so the shop's form
    cannot be turned into one. ``clientid`` must be this store's.
    """
    if _get(params, "clientid").strip() != client_id():
        raise _Rejected("clientid missing or not ours")
    md_status = _get(params, "mdStatus").strip()
    if not _MD_STATUS.fullmatch(md_status):
        raise _Rejected("mdStatus missing or malformed: not a gateway reply")
    code = _get(params, "ProcReturnCode").strip()
    response = _get(params, "Response").strip().lower()
    if not code and not response:
        if md_status in MD_STATUS_AUTHENTICATED:
            raise _Rejected("3-D Secure passed but no authorisation result")
        return
    if not _PROC_RETURN_CODE.fullmatch(code) or response not in RESPONSE_VALUES:
        raise _Rejected("ProcReturnCode or Response missing or malformed")
    if (code == APPROVED_CODE) != (response == "approved"):
        raise _Rejected(f"ProcReturnCode {code!r} contradicts Response {response!r}")
    if code == APPROVED_CODE and not _get(params, "TransId").strip():
        raise _Rejected("approval without TransId")


class CMIProvider(PaymentProvider):
    name = "cmi"
    label = _("Carte bancaire (CMI)")
    description = _("Cartes marocaines et internationales, paiement sécurisé 3-D Secure.")

    def is_configured(self) -> bool:
        return bool(client_id() and store_key())

    # --- checkout -------------------------------------------------------------

    def form_fields(self, attempt: PaymentAttempt, request: HttpRequest) -> dict[str, str]:
        order = attempt.order
        currency = CURRENCY_NUMERIC.get(attempt.currency.upper())
        if currency is None:
            raise ProviderError(str(_("Cette devise n’est pas acceptée par la carte bancaire.")))
        user = order.user
        name = _clean(getattr(user, "display_name", "") or user.get_full_name() or user.email)
        return_url = site_url(reverse("payments:return", args=[self.name]))
        fields = {
            "clientid": client_id(),
            "storetype": STORE_TYPE,
            "TranType": tran_type(),
            "amount": format_decimal(attempt.amount_minor),
            "currency": currency,
            "oid": attempt.oid,
            "okUrl": return_url + "?issue=ok",
            "failUrl": return_url + "?issue=fail",
            "callbackUrl": site_url(reverse("payments:notify", args=[self.name])),
            "shopurl": site_url(services.order_shop_url(order)),
            "lang": _lang(),
            "rnd": secrets.token_hex(10),
            "hashAlgorithm": "ver3",
            "encoding": "UTF-8",
            "email": _clean(user.email),
            "BillToName": name,
        }
        fields["HASH"] = hash_ver3(fields, store_key())
        return fields

    def create_checkout(self, order: Order, request: HttpRequest) -> CheckoutAction:
        attempt = services.attempt_start(order=order, provider=self.name)
        return CheckoutAction.form(gateway_url(), self.form_fields(attempt, request))

    # --- verification ---------------------------------------------------------

    def _verified(self, data: QueryDict) -> tuple[dict[str, str], PaymentAttempt, int]:
        params = _single_values(data)
        if not verify_hash(params, store_key(), _get(params, "HASH")):
            raise _Rejected("bad hash")
        _require_gateway_fields(params)
        oid = _get(params, "oid").strip()
        raw_amount = _get(params, "amount")
        currency = _get(params, "currency").strip()
        if not oid or not raw_amount or not currency:
            raise _Rejected("missing oid, amount or currency")
        attempt = (
            PaymentAttempt.objects.select_related("order", "order__user")
            .filter(oid=oid, provider=self.name)
            .first()
        )
        if attempt is None:
            raise _Rejected(f"unknown oid {oid!r}")
        try:
            amount = parse_decimal(raw_amount)
        except ValueError as exc:
            raise _Rejected(f"bad amount {raw_amount!r}") from exc
        if amount != attempt.amount_minor:
            raise _Rejected(f"amount {amount} does not match attempt {attempt.amount_minor}")
        if currency != CURRENCY_NUMERIC.get(attempt.currency.upper()):
            raise _Rejected(f"currency {currency!r} does not match {attempt.currency}")
        return params, attempt, amount

    @staticmethod
    def _decline_event_id(oid: str, params: Mapping[str, str]) -> str:
        """One id per decline the gateway sent, whatever the re-posts changed
        without breaking the hash: the values as the trimming reading signs
        them (surrounding whitespace gone), in signing order, and neither the
        names (ver3 does not sign them: case or spelling may vary) nor the
        unsigned ``HASH`` and ``encoding``."""
        signed = hash_plaintext(params, "", trim=True)
        digest = hashlib.sha256(signed.encode("utf-8")).hexdigest()
        return f"{oid}:declined:{digest[:24]}"

    def _record_decline(self, params: dict[str, str], attempt: PaymentAttempt) -> None:
        response = _get(params, "Response").strip()
        message = _clean(
            _get(params, "ErrMsg")
            or _get(params, "mdErrorMsg")
            or response
            or _get(params, "ProcReturnCode")
        )
        services.on_payment_declined(
            provider=self.name,
            event_id=self._decline_event_id(attempt.oid, params),
            attempt=attempt,
            payload=json.dumps(params, sort_keys=True, ensure_ascii=False),
            message=message,
            error=response.lower() == "error",
        )

    # --- the server-to-server callback ----------------------------------------

    def handle_notification(self, request: HttpRequest) -> NotificationResult:
        try:
            params, attempt, _amount = self._verified(request.POST)
        except _Rejected as exc:
            logger.warning("CMI callback rejected: %s", exc)
            # CMI reads the body, not the status: FAILURE with 200.
            return NotificationResult(ANSWER_FAILURE)
        code = _get(params, "ProcReturnCode").strip()
        if code != APPROVED_CODE:
            self._record_decline(params, attempt)
            return NotificationResult(ANSWER_APPROVED)
        outcome = services.on_payment_approved(
            provider=self.name,
            event_id=f"{attempt.oid}:approved",
            attempt=attempt,
            payload=json.dumps(params, sort_keys=True, ensure_ascii=False),
            reference=_clean(_get(params, "TransId") or _get(params, "AuthCode")),
        )
        if outcome in (services.Outcome.DUPLICATE, services.Outcome.REJECTED):
            # Already paid by another attempt: do not let the gateway capture.
            return NotificationResult(ANSWER_FAILURE)
        return NotificationResult(ANSWER_POSTAUTH, applied=outcome is services.Outcome.APPLIED)

    # --- the browser's return (okUrl / failUrl): never grants -----------------

    def handle_return(self, request: HttpRequest) -> ReturnResult:
        data = request.POST if request.method == "POST" else request.GET
        try:
            params, attempt, _amount = self._verified(data)
        except _Rejected as exc:
            logger.info("CMI return not recognised: %s", exc)
            return ReturnResult(order=None, error=str(_("Retour de paiement non reconnu.")))
        if _get(params, "ProcReturnCode").strip() != APPROVED_CODE:
            # A verified decline may be recorded (it grants nothing); an
            # approval waits for the server-to-server callback.
            self._record_decline(params, attempt)
        return ReturnResult(order=attempt.order)
