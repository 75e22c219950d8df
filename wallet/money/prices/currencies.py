"""The fiat currency catalogue (ISO 4217, from babel's CLDR data) and exact money values.

Every amount shown in a currency is exact to that currency's minor unit: 2 places for EUR
and USD, 0 for JPY and KRW, 3 for BHD and KWD (CLDR's ``digits``, which is ISO 4217's minor
unit for the currencies in use). Rounding is half-even, once, where a value is shown or
summed; never ``float``.
"""

from __future__ import annotations

import locale as pylocale
import os
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from babel import Locale, UnknownLocaleError
from babel.numbers import (
    format_currency,
    get_currency_name,
    get_currency_precision,
    get_territory_currencies,
    is_currency,
)

from wallet.errors import FloatAmountError, InvalidAmount, UnknownCurrency

__all__ = [
    "FALLBACK_CURRENCY",
    "Currency",
    "Money",
    "currency",
    "default_currency",
    "quantize",
]

FALLBACK_CURRENCY = "USD"
"""The base currency when the locale names no territory (``C``, ``POSIX``) or none is set."""


@dataclass(frozen=True, slots=True)
class Currency:
    """One ISO 4217 currency.

    Attributes:
        code: the three-letter code, upper case (``EUR``).
        name: its English name (``Euro``).
        minor_units: digits after the point (EUR 2, JPY 0, BHD 3).
    """

    code: str
    name: str
    minor_units: int

    @property
    def quantum(self) -> Decimal:
        """Return the smallest amount of the currency (``Decimal("0.01")`` for EUR)."""
        return Decimal(1).scaleb(-self.minor_units)


def currency(code: str) -> Currency:
    """Return the currency of an ISO 4217 code (any case, surrounding blanks ignored).

    Raises:
        UnknownCurrency: not a three-letter ISO 4217 code.
    """
    text = code.strip().upper() if isinstance(code, str) else ""
    if len(text) != 3 or not text.isascii() or not text.isalpha() or not is_currency(text):
        shown = code if isinstance(code, str) and len(code) <= 20 else f"{str(code)[:20]}..."
        raise UnknownCurrency(
            f"{shown!r} is not an ISO 4217 currency code (for example EUR, USD, JPY).", str(code)
        )
    return Currency(text, get_currency_name(text, locale="en"), get_currency_precision(text))


def quantize(amount: Decimal, code: str) -> Decimal:
    """Return ``amount`` rounded half-even to the minor unit of currency ``code``.

    Raises:
        UnknownCurrency: not an ISO 4217 code.
        FloatAmountError: ``amount`` is a float.
        InvalidAmount: not a finite number.
    """
    if isinstance(amount, float):  # type: ignore[unreachable]  # callers may pass one anyway
        raise FloatAmountError()
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise InvalidAmount(f"{amount!r} is not a finite decimal amount.")
    try:
        return amount.quantize(currency(code).quantum, rounding=ROUND_HALF_EVEN)
    except InvalidOperation as err:
        raise InvalidAmount(f"{amount} is too large to show in {code}.") from err


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of one fiat currency, exact to its minor unit (use ``Money.of``).

    Attributes:
        amount: the amount, with exactly the currency's minor-unit digits.
        currency: the ISO 4217 code.
    """

    amount: Decimal
    currency: str

    @classmethod
    def of(cls, amount: Decimal | int | str, code: str) -> Money:
        """Return ``amount`` of currency ``code``, rounded half-even to its minor unit.

        Raises:
            UnknownCurrency: not an ISO 4217 code.
            FloatAmountError: a float.
            InvalidAmount: not a number.
        """
        if isinstance(amount, float):
            raise FloatAmountError()
        try:
            value = Decimal(amount)
        except (InvalidOperation, ValueError) as err:
            raise InvalidAmount(f"{amount!r} is not an amount.") from err
        unit = currency(code)
        return cls(quantize(value, unit.code), unit.code)

    def __add__(self, other: Money) -> Money:
        """Return the sum of two amounts of the same currency.

        Raises:
            InvalidAmount: the currencies differ.
        """
        if not isinstance(other, Money):
            return NotImplemented
        if other.currency != self.currency:
            raise InvalidAmount(
                f"Cannot add {other.currency} to {self.currency}: convert one of them first."
            )
        return Money(self.amount + other.amount, self.currency)

    def format(self, locale: str = "en_US") -> str:
        """Return the amount as a person reads it in ``locale`` (``€1,234.50``)."""
        digits = currency(self.currency).minor_units
        pattern = None if digits else "\u00a4#,##0"
        return str(
            format_currency(
                self.amount, self.currency, format=pattern, locale=locale, currency_digits=True
            )
        )

    def __str__(self) -> str:
        """Return ``1234.50 EUR``."""
        return f"{self.amount:f} {self.currency}"


def default_currency(locale_name: str | None = None) -> str:
    """Return the currency of a locale's territory (``de_DE`` -> EUR), else ``USD``.

    Args:
        locale_name: a locale such as ``ja_JP``; ``None`` reads the process's (``LC_ALL``,
            ``LC_MONETARY``, ``LANG``).
    """
    name = locale_name
    if name is None:
        name = pylocale.getlocale(pylocale.LC_MONETARY)[0] or _env_locale()
    if not name:
        return FALLBACK_CURRENCY
    try:
        territory = Locale.parse(name.split(".")[0].split("@")[0]).territory
    except (UnknownLocaleError, ValueError, TypeError):
        return FALLBACK_CURRENCY
    if not territory:
        return FALLBACK_CURRENCY
    codes = get_territory_currencies(territory)
    return codes[0] if codes else FALLBACK_CURRENCY


def _env_locale() -> str | None:
    for var in ("LC_ALL", "LC_MONETARY", "LANG"):
        value = os.environ.get(var)
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return value
    return None
