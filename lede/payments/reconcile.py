"""Reconciliation: what Lede recorded as paid against what the provider says.

CMI: a statement file exported from the merchant back office, as CSV (``;`` or
``,`` separated) with at least an order id column (``oid``, ``OrderId``,
``Numéro de commande``…) and an amount column (``amount``, ``Montant``…);
optional ``currency``/``Devise`` (ISO letters or the numeric 504) and
``status``/``Statut`` (rows whose status is not an approval are skipped).
Stripe: its API (succeeded PaymentIntents in the period), matched by the
``oid`` Lede puts in their metadata, or by the reference Lede stored.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from lede.core.money import CURRENCY_NUMERIC, format_amount, parse_decimal

from .models import PaymentAttempt
from .providers.stripe_provider import succeeded_payment_intents

NUMERIC_TO_ISO = {v: k for k, v in CURRENCY_NUMERIC.items()}
OID_COLUMNS = ("oid", "orderid", "order id", "numéro de commande", "numero de commande", "commande")
AMOUNT_COLUMNS = ("amount", "montant", "montant transaction", "montant (mad)")
CURRENCY_COLUMNS = ("currency", "devise")
STATUS_COLUMNS = ("status", "statut", "response", "procreturncode")
APPROVED = {"approved", "approuvée", "approuvee", "accepté", "accepte", "acceptée", "00", "ok"}


@dataclass(frozen=True)
class Line:
    reference: str
    amount_minor: int
    currency: str


@dataclass(frozen=True)
class Difference:
    kind: str  # missing_here | missing_there | amount
    reference: str
    message: str


class StatementError(ValueError):
    pass


def ours(provider: str, since: datetime | None, until: datetime | None) -> dict[str, Line]:
    """Approved attempts (and duplicates: money taken too) at ``provider``."""
    attempts = PaymentAttempt.objects.filter(
        provider=provider,
        status__in=[PaymentAttempt.Status.APPROVED, PaymentAttempt.Status.DUPLICATE],
    )
    if since is not None:
        attempts = attempts.filter(updated_at__gte=since)
    if until is not None:
        attempts = attempts.filter(updated_at__lt=until)
    lines = {}
    for attempt in attempts.only("oid", "amount_minor", "currency", "provider_reference"):
        lines[attempt.oid] = Line(attempt.oid, attempt.amount_minor, attempt.currency)
    return lines


def compare(recorded: dict[str, Line], reported: dict[str, Line]) -> list[Difference]:
    out = []
    for ref, line in sorted(reported.items()):
        mine = recorded.get(ref)
        if mine is None:
            out.append(
                Difference(
                    "missing_here",
                    ref,
                    f"{ref} : encaissé chez le prestataire "
                    f"({format_amount(line.amount_minor, line.currency)}), "
                    "absent ou non payé chez nous",
                )
            )
        elif (mine.amount_minor, mine.currency) != (line.amount_minor, line.currency):
            out.append(
                Difference(
                    "amount",
                    ref,
                    f"{ref} : {format_amount(mine.amount_minor, mine.currency)} chez nous, "
                    f"{format_amount(line.amount_minor, line.currency)} chez le prestataire",
                )
            )
    for ref, line in sorted(recorded.items()):
        if ref not in reported:
            out.append(
                Difference(
                    "missing_there",
                    ref,
                    f"{ref} : payé chez nous ({format_amount(line.amount_minor, line.currency)}), "
                    "absent du relevé du prestataire",
                )
            )
    return out


def _column(header: list[str], names: Iterable[str]) -> int | None:
    lowered = [h.strip().lower() for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def read_cmi_statement(text: str) -> dict[str, Line]:
    sample = text[:2000]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        raise StatementError("relevé vide")
    header = rows[0]
    oid_col = _column(header, OID_COLUMNS)
    amount_col = _column(header, AMOUNT_COLUMNS)
    if oid_col is None or amount_col is None:
        raise StatementError("colonnes « oid » et « montant » introuvables dans l'en-tête")
    currency_col = _column(header, CURRENCY_COLUMNS)
    status_col = _column(header, STATUS_COLUMNS)
    lines = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            oid = row[oid_col].strip()
            raw_amount = row[amount_col].replace("\u00a0", "").replace(" ", "")
            amount = parse_decimal(raw_amount)
        except (IndexError, ValueError) as exc:
            raise StatementError(f"ligne {number} illisible") from exc
        if status_col is not None and row[status_col].strip().lower() not in APPROVED:
            continue
        currency = row[currency_col].strip().upper() if currency_col is not None else "MAD"
        currency = NUMERIC_TO_ISO.get(currency, currency or "MAD")
        lines[oid] = Line(oid, amount, currency)
    return lines


def read_cmi_statement_file(path: Path) -> dict[str, Line]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return read_cmi_statement(raw.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise StatementError("encodage du relevé inconnu")


def stripe_lines(since: datetime | None, until: datetime | None) -> dict[str, Line]:
    """Succeeded PaymentIntents in the period, keyed by Lede's oid."""
    by_reference = dict(
        PaymentAttempt.objects.filter(provider="stripe")
        .exclude(provider_reference="")
        .values_list("provider_reference", "oid")
    )
    lines = {}
    for data in succeeded_payment_intents(since, until):
        metadata = data.get("metadata") or {}
        ref = (
            metadata.get("oid")
            or by_reference.get(str(data.get("id")))
            or by_reference.get(str(data.get("invoice") or ""))
            or str(data.get("id"))
        )
        lines[ref] = Line(
            ref, int(data.get("amount_received") or 0), str(data.get("currency", "")).upper()
        )
    return lines
