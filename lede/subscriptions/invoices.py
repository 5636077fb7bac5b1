"""Receipts: sequential numbers without gaps, frozen seller and buyer details,
tax lines, and the PDF (WeasyPrint)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext
from wagtail.models import Site

from lede.core.money import format_amount, format_rate, split_tax
from lede.core.selectors import publication_settings

from .models import BillingSettings, Invoice, InvoiceCounter
from .periods import local_year

if TYPE_CHECKING:
    from lede.payments.models import Order

PROVIDER_LABELS = {
    "cmi": "Carte bancaire (CMI)",
    "stripe": "Carte bancaire (Stripe)",
    "manual": "Virement / espèces",
    "sandbox": "Carte de test (mode test)",
    "free": "Gratuit (code de réduction)",
}


def vat_rate() -> Decimal:
    """``LEDE_VAT_RATE`` in percent (``"20"``); prices are tax-inclusive."""
    raw = settings.LEDE_VAT_RATE
    try:
        rate = Decimal(str(raw))
    except InvalidOperation:
        return Decimal(20)
    return rate if Decimal(0) <= rate < Decimal(100) else Decimal(20)


def billing_settings() -> BillingSettings:
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if site is None:
        return BillingSettings()
    return BillingSettings.for_site(site)


def seller_snapshot(billing: BillingSettings) -> dict[str, str]:
    return {
        "publication": publication_settings().name,
        "legal_name": billing.legal_name,
        "address": billing.address,
        "ice": billing.ice,
        "tax_id": billing.tax_id,
        "trade_register": billing.trade_register,
        "patente": billing.patente,
        "email": billing.email,
        "phone": billing.phone,
        "footer": billing.receipt_footer,
    }


def _next_number(series: str) -> int:
    """Take the next number of ``series``, locking its counter row until the
    surrounding transaction ends (so a rollback gives the number back)."""
    if not InvoiceCounter.objects.filter(series=series).exists():
        try:
            with transaction.atomic():
                InvoiceCounter.objects.create(series=series, last=0)
        except IntegrityError:
            pass  # created concurrently
    counter = InvoiceCounter.objects.select_for_update().get(series=series)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def invoice_issue(*, order: Order) -> Invoice:
    """Issue the receipt of a paid order. Must run inside the transaction that
    applies the payment."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("invoice_issue must run inside the payment's transaction")
    billing = billing_settings()
    now = timezone.now()
    prefix = (billing.invoice_prefix or "LQ").strip().upper()
    series = f"{prefix}-{local_year(now)}"
    sequence = _next_number(series)
    rate = vat_rate()
    base, tax = split_tax(order.amount_minor, rate)
    gross = order.amount_minor + order.discount_minor
    lines: list[dict[str, Any]] = [
        {"description": order.description, "quantity": 1, "amount_minor": gross}
    ]
    if order.discount_minor:
        label = gettext("Réduction")
        if order.coupon is not None:
            label = gettext("Réduction (code %(code)s)") % {"code": order.coupon.code}
        lines.append({"description": label, "quantity": 1, "amount_minor": -order.discount_minor})
    tax_lines = [
        {
            "label": gettext("TVA %(rate)s") % {"rate": format_rate(rate)},
            "rate": str(rate),
            "base_minor": base,
            "amount_minor": tax,
        }
    ]
    user: Any = order.user
    buyer = {
        # No name known: the e-mail alone identifies the buyer (printed once).
        "name": getattr(user, "display_name", "") or user.get_full_name() or "",
        "email": user.email,
    }
    if order.kind == "group" and order.details.get("organisation_name"):
        buyer["organisation"] = str(order.details["organisation_name"])
    return Invoice.objects.create(
        number=f"{series}-{sequence:06d}",
        series=series,
        sequence=sequence,
        issued_at=now,
        user=order.user,
        order=order,
        seller=seller_snapshot(billing),
        buyer=buyer,
        lines=lines,
        tax_lines=tax_lines,
        vat_rate=rate,
        currency=order.currency,
        total_minor=order.amount_minor,
        total_excl_tax_minor=base,
        tax_minor=tax,
        payment_method=PROVIDER_LABELS.get(order.provider, order.provider),
    )


def receipt_context(invoice: Invoice) -> dict[str, Any]:
    cur = invoice.currency
    return {
        "invoice": invoice,
        "seller": invoice.seller,
        "buyer": invoice.buyer,
        "lines": [
            {**line, "amount": format_amount(int(line["amount_minor"]), cur)}
            for line in invoice.lines
        ],
        "tax_lines": [
            {
                **line,
                "base": format_amount(int(line["base_minor"]), cur),
                "amount": format_amount(int(line["amount_minor"]), cur),
            }
            for line in invoice.tax_lines
        ],
        "total": format_amount(invoice.total_minor, cur),
        "total_excl_tax": format_amount(invoice.total_excl_tax_minor, cur),
        "tax": format_amount(invoice.tax_minor, cur),
        "issued_local": timezone.localtime(invoice.issued_at),
    }


def receipt_html(invoice: Invoice) -> str:
    return render_to_string("subscriptions/receipt.html", receipt_context(invoice))


def receipt_pdf(invoice: Invoice) -> bytes:
    from weasyprint import HTML

    pdf = HTML(string=receipt_html(invoice), base_url=None).write_pdf()
    return bytes(pdf or b"")
