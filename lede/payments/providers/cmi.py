"""CMI (Centre Monétique Interbancaire), Morocco's card gateway, in
``3D_PAY_HOSTING`` mode: the reader's browser POSTs a signed form to the
gateway's hosted card page; the gateway calls ``callbackUrl`` server to
server, then sends the browser back to ``okUrl`` / ``failUrl``.

Only this module knows the CMI protocol.

The "ver3" hash, as public integrations compute it: every parameter except
``hash`` and ``encoding`` (compared case-insensitively), sorted by name
case-insensitively; in each value ``\\`` becomes ``\\\\`` and then ``|``
becomes ``\\|``; the values are joined with ``|``, followed by ``|`` and the
escaped store key; SHA-512 of the UTF-8 bytes; base64 of the raw digest.

CMI's own PHP sample trims each value before escaping it. Lede never sends a
value with surrounding whitespace (so both readings agree on what we sign),
and accepts a callback whose hash matches either reading — both need the
store key, and values are stripped before use anyway.

Answers to the callback: ``ACTION=POSTAUTH`` for an approved payment
(``ProcReturnCode=00``) that was applied (or already applied: a replay gets
the same answer and changes nothing), ``APPROVED`` for a declined payment
(nothing changes), ``FAILURE`` when the hash, the order, the amount or the
currency does not match (with HTTP 400), or when the order was already paid
by another attempt (so the gateway does not capture a second payment).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lede.core.site import site_url
from lede.subscriptions.money import CURRENCY_NUMERIC, format_decimal, parse_decimal

from .base import (
    CheckoutAction,
    NotificationResult,
    PaymentProvider,
    ProviderError,
    ReturnResult,
)

if TYPE_CHECKING:
    from django.http import HttpRequest, QueryDict

    from lede.payments.models import Order, PaymentAttempt

logger = logging.getLogger(__name__)

TEST_GATEWAY_URL = "https://testpayment.cmi.co.ma/fim/est3Dgate"
STORE_TYPE = "3D_PAY_HOSTING"
APPROVED_CODE = "00"
EXCLUDED_FROM_HASH = frozenset({"hash", "encoding"})

ANSWER_POSTAUTH = "ACTION=POSTAUTH"
ANSWER_APPROVED = "APPROVED"
ANSWER_FAILURE = "FAILURE"


# --- The ver3 hash --------------------------------------------------------------


def escape_value(value: str) -> str:
    """``\\`` → ``\\\\`` first, then ``|`` → ``\\|``."""
    return value.replace("\\", "\\\\").replace("|", "\\|")


def hash_plaintext(params: Mapping[str, str], store_key: str, *, trim: bool = False) -> str:
    names = sorted(
        (name for name in params if name.lower() not in EXCLUDED_FROM_HASH),
        key=lambda name: (name.lower(), name),
    )
    values = [params[name] for name in names]
    if trim:
        values = [v.strip() for v in values]
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
    return str(getattr(settings, "CMI_CLIENT_ID", "") or "")


def store_key() -> str:
    return str(getattr(settings, "CMI_STORE_KEY", "") or "")


def gateway_url() -> str:
    return str(getattr(settings, "CMI_GATEWAY_URL", "") or TEST_GATEWAY_URL)


def tran_type() -> str:
    return str(getattr(settings, "CMI_TRAN_TYPE", "") or "PreAuth")


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


class CMIProvider(PaymentProvider):
    name = "cmi"
    label = _("Carte bancaire (CMI)")
    description = _("Cartes marocaines et internationales, paiement sécurisé 3-D Secure.")

    def is_configured(self) -> bool:
        return bool(client_id() and store_key())

    # --- checkout -------------------------------------------------------------

    def form_fields(self, attempt: PaymentAttempt, request: HttpRequest) -> dict[str, str]:
        from lede.payments.services import order_shop_url

        order = attempt.order
        currency = CURRENCY_NUMERIC.get(attempt.currency.upper())
        if currency is None:
            raise ProviderError(str(_("Cette devise n'est pas acceptée par la carte bancaire.")))
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
            "shopurl": site_url(order_shop_url(order)),
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
        from lede.payments.services import attempt_start

        attempt = attempt_start(order=order, provider=self.name)
        return CheckoutAction.form(gateway_url(), self.form_fields(attempt, request))

    # --- verification ---------------------------------------------------------

    def _verified(self, data: QueryDict) -> tuple[dict[str, str], PaymentAttempt, int]:
        from lede.payments.models import PaymentAttempt

        params = _single_values(data)
        if not verify_hash(params, store_key(), _get(params, "HASH")):
            raise _Rejected("bad hash")
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
        digest = hashlib.sha256(
            json.dumps(params, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
        return f"{oid}:declined:{digest[:24]}"

    def _record_decline(self, params: dict[str, str], attempt: PaymentAttempt) -> None:
        from lede.payments import services

        response = _get(params, "Response").strip()
        message = _clean(_get(params, "ErrMsg") or response or _get(params, "ProcReturnCode"))
        services.payment_failed(
            provider=self.name,
            event_id=self._decline_event_id(attempt.oid, params),
            attempt=attempt,
            payload=json.dumps(params, sort_keys=True, ensure_ascii=False),
            message=message,
            error=response.lower() == "error",
        )

    # --- the server-to-server callback ----------------------------------------

    def handle_notification(self, request: HttpRequest) -> NotificationResult:
        from lede.payments import services

        try:
            params, attempt, _amount = self._verified(request.POST)
        except _Rejected as exc:
            logger.warning("CMI callback rejected: %s", exc)
            return NotificationResult(ANSWER_FAILURE, status=400)
        code = _get(params, "ProcReturnCode").strip()
        if code != APPROVED_CODE:
            self._record_decline(params, attempt)
            return NotificationResult(ANSWER_APPROVED)
        outcome = services.payment_succeeded(
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
