"""Fiat amounts as integers of their currency's minor unit (the catalogue is ``prices``').

Amounts are kept as integers of the currency's minor unit (cents for EUR, yen for JPY, fils
for BHD) and shown as ``Decimal``; a value with more decimals than the currency has is refused
rather than rounded, so an import never changes a bank's figure.
"""

from __future__ import annotations

from decimal import Decimal

from wallet.errors import InvalidAmount
from wallet.money.prices.currencies import currency

__all__ = ["check_currency", "from_minor", "minor_digits", "to_minor"]


def check_currency(code: str) -> str:
    """Return the ISO 4217 code ``code`` in capitals.

    Raises:
        UnknownCurrency: not a currency code of the catalogue (``wallet.money.prices``).
    """
    return currency(code).code


def minor_digits(code: str) -> int:
    """Return how many decimals the currency's minor unit has (2 for EUR, 0 for JPY)."""
    return currency(code).minor_units


def to_minor(amount: Decimal, currency: str, digits: int | None = None) -> int:
    """Return ``amount`` as an integer of the currency's minor unit.

    ``digits`` is ``minor_digits(currency)`` when the caller has it already (a loop over
    many lines looks the catalogue up once).

    Raises:
        InvalidAmount: more decimals than the currency has, or not a finite number.
    """
    if not amount.is_finite():
        raise InvalidAmount(f"{amount} is not an amount.")
    digits = minor_digits(currency) if digits is None else digits
    scaled = amount.scaleb(digits)
    if scaled != scaled.to_integral_value():
        raise InvalidAmount(f"{amount} has more than {digits} decimals, the most {currency} has.")
    return int(scaled)


def from_minor(minor: int, currency: str, digits: int | None = None) -> Decimal:
    """Return an integer of the currency's minor unit as a ``Decimal`` with its decimals."""
    digits = minor_digits(currency) if digits is None else digits
    return Decimal(minor).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))
