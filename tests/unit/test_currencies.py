"""The ISO 4217 catalogue (babel's CLDR data): minor units, exact money, the default currency."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wallet.errors import FloatAmountError, InvalidAmount, UnknownCurrency
from wallet.money.prices import Money, currency, default_currency, quantize


@pytest.mark.parametrize(
    ("code", "digits"),
    [
        ("EUR", 2),
        ("USD", 2),
        ("JPY", 0),
        ("KRW", 0),
        ("BHD", 3),
        ("KWD", 3),
        ("CNY", 2),
        ("CLP", 0),
    ],
)
def test_minor_units_per_currency(code: str, digits: int) -> None:
    assert currency(code).minor_units == digits
    assert currency(code.lower()).code == code


@pytest.mark.parametrize("code", ["XYZ", "", "EURO", "eu", "BTC", "US D", "\u20ac", "E\u0301UR"])
def test_an_unknown_code_is_refused_with_the_code(code: str) -> None:
    with pytest.raises(UnknownCurrency) as caught:
        currency(code)
    assert caught.value.code == code
    assert "ISO 4217" in str(caught.value)


def test_quantize_is_half_even_to_the_minor_unit() -> None:
    assert quantize(Decimal("1.005"), "EUR") == Decimal("1.00")
    assert quantize(Decimal("1.015"), "EUR") == Decimal("1.02")
    assert quantize(Decimal("2.5"), "JPY") == Decimal("2")
    assert quantize(Decimal("1.2345"), "BHD") == Decimal("1.234")
    with pytest.raises(FloatAmountError):
        quantize(1.5, "EUR")  # type: ignore[arg-type]
    with pytest.raises(InvalidAmount):
        quantize(Decimal("NaN"), "EUR")


def test_money_is_exact_and_adds_only_its_own_currency() -> None:
    total = Money.of("0.10", "EUR") + Money.of("0.20", "EUR")
    assert total == Money.of("0.30", "EUR")
    assert str(total) == "0.30 EUR"
    assert Money.of("1234.5", "JPY").format() == "\u00a51,234"
    assert Money.of("1234.5", "EUR").format("de_DE") == "1.234,50\u00a0\u20ac"
    with pytest.raises(InvalidAmount, match="convert"):
        _ = Money.of(1, "EUR") + Money.of(1, "USD")
    with pytest.raises(FloatAmountError):
        Money.of(0.1, "EUR")  # type: ignore[arg-type]
    with pytest.raises(InvalidAmount):
        Money.of("ten", "EUR")


@pytest.mark.parametrize(
    ("locale", "code"),
    [
        ("de_DE", "EUR"),
        ("ja_JP", "JPY"),
        ("en_US", "USD"),
        ("zh_CN", "CNY"),
        ("C", "USD"),
        ("", "USD"),
    ],
)
def test_the_default_currency_follows_the_locale(locale: str, code: str) -> None:
    assert default_currency(locale) == code
