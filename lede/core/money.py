"""Money as integer minor units plus an ISO currency, shown the French way.

``format_amount(6000, "MAD")`` → ``"60 DH"``; ``format_price(60000, "MAD",
"year")`` → ``"600 DH / an"``. Numbers are printed by Babel with the
``fr_MA`` locale (CLDR): thousands separated by a narrow no-break space
(U+202F), a decimal comma, and a no-break space (U+00A0) between the number
and its unit so a price never breaks across lines. Storage stays integer
minor units; Babel only ever sees them at the moment of printing.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from babel import numbers
from django.utils.translation import get_language, gettext, ngettext

NBSP = "\u00a0"
NNBSP = "\u202f"

#: The locale prices and rates are printed in (French as written in Morocco).
LOCALE = "fr_MA"
#: Where the paper's usage differs from CLDR's symbol: CLDR's fr_MA prints the
#: dirham as "MAD", Moroccan readers and price tags say "DH".
LOCAL_SYMBOLS = {"MAD": "DH"}
#: The Arabic edition (docs/editions.md): Moroccan Arabic as printed, Western
#: digits (ar_MA's CLDR numbering system is latn) and the dirham in words.
EDITION_LOCALES = {"ar": "ar_MA"}
EDITION_SYMBOLS = {"ar": {"MAD": "درهم"}}
#: ISO 4217 numeric codes (CMI speaks numbers).
CURRENCY_NUMERIC = {"MAD": "504", "EUR": "978", "USD": "840"}
MINOR_DIGITS = 2  # every currency Lede sells in has two decimals
_AMOUNT = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,2})?")


def _language(language: str | None) -> str:
    return (language or get_language() or "fr").split("-")[0]


def format_amount(minor: int, currency: str = "MAD", language: str | None = None) -> str:
    """``6000`` → ``"60 DH"``, ``5990`` → ``"59,90 DH"``, ``120000`` → ``"1 200 DH"``.

    Whole amounts drop their ",00", as prices are printed in the paper. In
    the Arabic edition (the active language, or ``language``): ``"60 درهم"``,
    ``"1.200 درهم"``, Western digits."""
    minor = int(minor)
    code = currency.upper()
    lang = _language(language)
    symbols = EDITION_SYMBOLS.get(lang, LOCAL_SYMBOLS)
    fraction = "" if minor % 10**MINOR_DIGITS == 0 else "." + "0" * MINOR_DIGITS
    unit = f"'{symbols[code]}'" if code in symbols else "¤"
    return numbers.format_currency(
        Decimal(minor).scaleb(-MINOR_DIGITS),
        code,
        format=f"#,##0{fraction}{NBSP}{unit}",
        locale=EDITION_LOCALES.get(lang, LOCALE),
        currency_digits=False,
        numbering_system="latn",
    )


def format_decimal(minor: int) -> str:
    """Minor units as the decimal string gateways expect: ``6000`` → ``"60.00"``."""
    sign = "-" if minor < 0 else ""
    units, cents = divmod(abs(int(minor)), 100)
    return f"{sign}{units}.{cents:02d}"


def parse_decimal(raw: str) -> int:
    """``"60.00"`` / ``"60"`` / ``"60,5"`` → minor units. Raises ``ValueError``
    on anything else: signs, exponents, more than two decimals, > 12 digits."""
    text = (raw or "").strip().replace(",", ".")
    if not _AMOUNT.fullmatch(text):
        raise ValueError(f"not an amount: {raw!r}")
    units, _, cents = text.partition(".")
    return int(units) * 100 + int((cents + "00")[:2])


def format_period(period: str, count: int = 1) -> str:
    """``("month", 1)`` → "1 mois"; ``("year", 1)`` → "an"; ``("year", 2)`` → "2 ans"."""
    if period == "year":
        if count == 1:
            return gettext("an")
        return ngettext("%(n)d an", "%(n)d ans", count).replace(" ", NBSP) % {"n": count}
    return ngettext("%(n)d mois", "%(n)d mois", count).replace(" ", NBSP) % {"n": count}


def format_price(minor: int, currency: str, period: str, count: int = 1) -> str:
    """``"60 DH / 1 mois"``, ``"600 DH / an"``."""
    return f"{format_amount(minor, currency)} / {format_period(period, count)}"


def months_label(months: int) -> str:
    """A duration in months as readers say it: 12 → "1 an", 3 → "3 mois"."""
    if months % 12 == 0:
        years = months // 12
        return ngettext("%(n)d an", "%(n)d ans", years).replace(" ", NBSP) % {"n": years}
    return format_period("month", months)


def percent_of(amount_minor: int, percent: int) -> int:
    """A percentage discount on an amount, rounded DOWN to the minor unit: the
    reader never gets more than the stated percentage off (``percent_of(999,
    15)`` → ``149``, not 150)."""
    if not 0 <= percent <= 100:
        raise ValueError("percent out of range")
    return (int(amount_minor) * int(percent)) // 100


def split_tax(total_minor: int, rate: Decimal) -> tuple[int, int]:
    """Split a tax-inclusive total into (amount before tax, tax), both in
    minor units. The amount before tax is rounded half-up to the minor unit and
    the tax is the difference, so the two always add up to the total."""
    if rate <= 0:
        return int(total_minor), 0
    base = (Decimal(int(total_minor)) * 100 / (100 + rate)).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    return int(base), int(total_minor) - int(base)


def format_rate(rate: Decimal) -> str:
    """A rate in percent: ``Decimal("20")`` → ``"20 %"``, ``Decimal("5.5")`` → ``"5,5 %"``."""
    return numbers.format_percent(
        rate / 100, format=f"#,##0.##{NBSP}%", locale=LOCALE, decimal_quantization=False
    )


def annual_saving(*, month_minor: int, year_minor: int) -> tuple[int, int] | None:
    """What a yearly price saves against twelve monthly payments, as
    ``(amount in minor units, whole percent)``, or ``None`` when it saves
    nothing. The percentage is rounded DOWN: the page never promises more
    than the reader saves (``annual_saving(month_minor=7000,
    year_minor=60000)`` → ``(24000, 28)``, 28.57 % really)."""
    twelve = int(month_minor) * 12
    saved = twelve - int(year_minor)
    if month_minor <= 0 or year_minor <= 0 or saved <= 0:
        return None
    return saved, saved * 100 // twelve
