"""Receipts: sequential numbers without gaps, frozen seller and buyer details,
tax lines, and the PDF (WeasyPrint)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy
from wagtail.models import Site

from lede.core.money import (
    NNBSP,
    format_amount,
    format_rate,
    split_tax,
)
from lede.core.selectors import publication_settings

from .models import BillingSettings, Invoice, InvoiceCounter
from .periods import local_year

if TYPE_CHECKING:
    from lede.payments.models import Order

PROVIDER_LABELS = {
    "cmi": gettext_lazy("Carte bancaire (CMI)"),
    "stripe": gettext_lazy("Carte bancaire (Stripe)"),
    "manual": gettext_lazy("Virement / espèces"),
    "sandbox": gettext_lazy("Carte de test (mode test)"),
    "free": gettext_lazy("Gratuit (code de réduction)"),
}


def provider_labels() -> dict[str, str]:
    """The payment methods' labels in the active language."""
    return {key: str(label) for key, label in PROVIDER_LABELS.items()}


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
        payment_method=provider_labels().get(order.provider, order.provider),
    )


#: The receipt's Arabic face, shipped with the project (static/fonts/receipt,
#: SIL Open Font License in OFL.txt beside it) so that WeasyPrint finds it on
#: any machine, whatever fonts the system has.
RECEIPT_FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts" / "receipt"


def receipt_language(invoice: Invoice, language: str | None = None) -> str:
    """The language a receipt is written in: ``language`` when given, else
    the reader's own (``user.language``, the edition they chose), else the
    active one."""
    chosen = language or getattr(invoice.user, "language", "") or translation.get_language()
    return str(chosen or settings.LANGUAGE_CODE)


def _amount(minor: int, currency: str) -> str:
    """An amount in the active language: ``"60 DH"`` in French, ``"60 درهم"``
    in Arabic (:func:`lede.core.money.format_amount`)."""
    return format_amount(minor, currency)


def _tax_label(line: dict[str, Any], stored: str) -> str:
    """The VAT line's label in the receipt's language (the stored one is in
    the language the receipt was issued in)."""
    try:
        rate = Decimal(str(line["rate"]))
    except (KeyError, InvalidOperation):
        return stored
    return gettext("TVA %(rate)s") % {"rate": format_rate(rate)}


def receipt_context(invoice: Invoice) -> dict[str, Any]:
    """What the receipt template needs, in the active language."""
    cur = invoice.currency
    rtl = translation.get_language_bidi()
    return {
        "invoice": invoice,
        "seller": invoice.seller,
        "buyer": invoice.buyer,
        "lines": [
            {**line, "amount": _amount(int(line["amount_minor"]), cur)} for line in invoice.lines
        ],
        "tax_lines": [
            {
                **line,
                "label": _tax_label(line, str(line.get("label", ""))),
                "base": _amount(int(line["base_minor"]), cur),
                "amount": _amount(int(line["amount_minor"]), cur),
            }
            for line in invoice.tax_lines
        ],
        "total": _amount(invoice.total_minor, cur),
        "total_excl_tax": _amount(invoice.total_excl_tax_minor, cur),
        "tax": _amount(invoice.tax_minor, cur),
        "issued_local": timezone.localtime(invoice.issued_at),
        "payment_method": _payment_method(invoice),
        "font_dir": RECEIPT_FONT_DIR.as_uri(),
        "rtl": rtl,
        # French sets a narrow no-break space before a colon; Arabic none.
        "colon": ":" if rtl else NNBSP + ":",
    }


def _payment_method(invoice: Invoice) -> str:
    """The payment method in the receipt's language, from the order's
    provider (the stored label is the one of the issuing language)."""
    provider = getattr(invoice.order, "provider", "") if invoice.order_id else ""
    labels = provider_labels()
    return labels.get(provider, invoice.payment_method) if provider else invoice.payment_method


def receipt_html(invoice: Invoice, language: str | None = None) -> str:
    """The receipt as HTML in ``language`` (by default the reader's own:
    :func:`receipt_language`), laid out right to left for Arabic."""
    with translation.override(receipt_language(invoice, language)):
        return render_to_string("subscriptions/receipt.html", receipt_context(invoice))


def receipt_pdf(invoice: Invoice, language: str | None = None) -> bytes:
    from weasyprint import HTML

    html = receipt_html(invoice, language)
    pdf = HTML(string=html, base_url=RECEIPT_FONT_DIR.as_uri() + "/").write_pdf()
    return bytes(pdf or b"")
