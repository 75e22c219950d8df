"""ISO 4217 currency codes and their minor units, from babel's CLDR data.

Amounts are kept as integers of the currency's minor unit (cents for EUR, yen for JPY, fils
for BHD) and shown as ``Decimal``; a value with more decimals than the currency has is refused
rather than rounded, so an import never changes a bank's figure.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import get_currency_precision, list_currencies

from wallet.errors import InvalidAmount, UnknownCurrency

__all__ = ["check_currency", "from_minor", "minor_digits", "to_minor"]


def check_currency(code: str) -> str:
    """Return the ISO 4217 code ``code`` in capitals.

    Raises:
        UnknownCurrency: not a currency code CLDR knows.
    """
    upper = code.strip().upper()
    if len(upper) != 3 or not upper.isascii() or upper not in list_currencies():
        shown = code if len(code) <= 12 else code[:12] + "..."
        raise UnknownCurrency(f"{shown!r} is not an ISO 4217 currency code (EUR, USD, JPY...).")
    return upper


def minor_digits(currency: str) -> int:
    """Return how many decimals the currency's minor unit has (2 for EUR, 0 for JPY)."""
    return int(get_currency_precision(currency))


def to_minor(amount: Decimal, currency: str) -> int:
    """Return ``amount`` as an integer of the currency's minor unit.

    Raises:
        InvalidAmount: more decimals than the currency has, or not a finite number.
    """
    if not amount.is_finite():
        raise InvalidAmount(f"{amount} is not an amount.")
    digits = minor_digits(currency)
    scaled = amount.scaleb(digits)
    if scaled != scaled.to_integral_value():
        raise InvalidAmount(f"{amount} has more than {digits} decimals, the most {currency} has.")
    return int(scaled)


def from_minor(minor: int, currency: str) -> Decimal:
    """Return an integer of the currency's minor unit as a ``Decimal`` with its decimals."""
    digits = minor_digits(currency)
    return Decimal(minor).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))
