from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lede.core.money import (
    annual_saving,
    format_amount,
    format_decimal,
    format_price,
    format_rate,
    months_label,
    parse_decimal,
    percent_of,
    split_tax,
)

NB = "\u00a0"


def plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_prices_as_readers_expect() -> None:
    assert format_price(6000, "MAD", "month") == f"60{NB}DH / 1{NB}mois"
    assert plain(format_price(60000, "MAD", "year")) == "600 DH / an"
    assert plain(format_price(6000, "MAD", "month", 3)) == "60 DH / 3 mois"
    assert plain(format_price(120000, "MAD", "year", 2)) == "1 200 DH / 2 ans"
    assert plain(format_amount(5990)) == "59,90 DH"
    assert plain(format_amount(5)) == "0,05 DH"
    assert plain(format_amount(-1500)) == "-15 DH"
    assert plain(format_amount(1234567, "EUR")) == "12 345,67 €"
    assert months_label(12) == f"1{NB}an" and months_label(3) == f"3{NB}mois"


def test_gateway_decimals() -> None:
    assert format_decimal(6000) == "60.00"
    assert format_decimal(5) == "0.05"
    assert parse_decimal("60.00") == 6000
    assert parse_decimal("60") == 6000
    assert parse_decimal(" 60,5 ") == 6050
    for bad in ["", "abc", "60.001", "-1", "NaN", "Infinity", "1e400", "6 0", "0x10"]:
        with pytest.raises(ValueError):
            parse_decimal(bad)


def test_percentage_coupons_round_down_to_the_centime() -> None:
    assert percent_of(999, 15) == 149  # 149.85 → 149: never more than 15 % off
    assert percent_of(6000, 50) == 3000
    assert percent_of(7000, 33) == 2310
    assert percent_of(1, 99) == 0
    assert percent_of(6000, 100) == 6000
    with pytest.raises(ValueError):
        percent_of(100, 101)


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=100))
def test_percent_never_exceeds_the_stated_share(amount: int, percent: int) -> None:
    off = percent_of(amount, percent)
    assert 0 <= off <= amount
    assert off * 100 <= amount * percent < (off + 1) * 100


def test_tax_split() -> None:
    assert split_tax(6000, Decimal(20)) == (5000, 1000)
    assert split_tax(7000, Decimal(20)) == (5833, 1167)
    assert split_tax(6000, Decimal(0)) == (6000, 0)
    assert split_tax(1000, Decimal("5.5")) == (948, 52)
    assert plain(format_rate(Decimal("20.00"))) == "20 %"
    assert plain(format_rate(Decimal("5.5"))) == "5,5 %"


@given(st.integers(min_value=0, max_value=10**9), st.decimals(min_value=0, max_value=50, places=2))
def test_tax_split_adds_up(total: int, rate: Decimal) -> None:
    base, tax = split_tax(total, rate)
    assert base + tax == total
    assert base >= 0 and tax >= 0


@pytest.mark.parametrize(
    ("month", "year", "expected"),
    [
        (7000, 60000, (24000, 28)),  # 840 DH against 600 DH: 28.57 %, shown as 28 %
        (5000, 60000, None),  # no saving: nothing to show
        (5000, 70000, None),  # dearer than twelve months
        (1, 11, (1, 8)),  # 1/12 = 8.33 %, rounded down
        (0, 60000, None),
        (7000, 0, None),
    ],
)
def test_annual_saving_from_integer_prices(
    month: int, year: int, expected: tuple[int, int] | None
) -> None:
    assert annual_saving(month_minor=month, year_minor=year) == expected


NNB = "\u202f"


@pytest.mark.parametrize(
    ("minor", "currency", "printed"),
    [
        (6000, "MAD", f"60{NB}DH"),
        (5990, "MAD", f"59,90{NB}DH"),
        (5, "MAD", f"0,05{NB}DH"),
        (0, "MAD", f"0{NB}DH"),
        (-1500, "MAD", f"-15{NB}DH"),
        (-50, "MAD", f"-0,50{NB}DH"),
        (120000, "MAD", f"1{NNB}200{NB}DH"),
        (120000, "mad", f"1{NNB}200{NB}DH"),
        (123456789012, "MAD", f"1{NNB}234{NNB}567{NNB}890,12{NB}DH"),
        (1234567, "EUR", f"12{NNB}345,67{NB}€"),
        # CLDR's French symbol tells the dollar apart from other dollars.
        (100, "USD", f"1{NB}$US"),
        (100, "XYZ", f"1{NB}XYZ"),
    ],
)
def test_amounts_print_exactly(minor: int, currency: str, printed: str) -> None:
    """The exact characters, spaces included: a drift in Babel's locale data
    (another separator, a symbol) must show up here, not on the site."""
    assert format_amount(minor, currency) == printed


@pytest.mark.parametrize(
    ("rate", "printed"),
    [
        ("20", f"20{NB}%"),
        ("20.00", f"20{NB}%"),
        ("5.5", f"5,5{NB}%"),
        ("10.50", f"10,5{NB}%"),
        ("5.125", f"5,125{NB}%"),
        ("0", f"0{NB}%"),
    ],
)
def test_rates_print_exactly(rate: str, printed: str) -> None:
    assert format_rate(Decimal(rate)) == printed
