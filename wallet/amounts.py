"""Exact amounts: ``Decimal`` at the API edge, integer base units inside. Floats are refused."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation, localcontext

from wallet.errors import AmountPrecisionError, FloatAmountError, InvalidAmount

__all__ = ["Amount", "format_amount", "to_base_units", "to_decimal"]

# Enough digits for any uint256 amount with its decimals: Decimal's default 28 would round.
_PRECISION = 100

Amount = Decimal | int | str
"""What the API accepts as an amount: a ``Decimal`` or text of coins, or an ``int`` of base units.

As DESIGN.md's API says: ``Decimal("0.01")`` and ``"0.01"`` are coins (or tokens), ``1_000_000``
is satoshis (or wei, or token base units). A ``float`` is refused.
"""


def to_base_units(
    amount: Amount, decimals: int, symbol: str = "", *, allow_zero: bool = False
) -> int:
    """Convert an amount into integer base units, exactly.

    Args:
        amount: coins as a ``Decimal`` or a decimal string such as ``"0.015"``, or base
            units as an ``int`` (taken as they are).
        decimals: how many decimal places the asset has (8 for BTC, 18 for ETH).
        symbol: the asset's ticker, for messages.
        allow_zero: accept zero (for example a contract call that sends no value).

    Returns:
        The amount in base units.

    Raises:
        FloatAmountError: ``amount`` is a float.
        InvalidAmount: not a finite, positive number.
        AmountPrecisionError: more decimal places than the asset has.
    """
    if isinstance(amount, float):
        raise FloatAmountError()
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int | str):
        raise InvalidAmount(
            f"An amount must be a Decimal, int or string, not {type(amount).__name__}."
        )
    unit = f" {symbol}" if symbol else ""
    if isinstance(amount, int):
        if amount < 0 or (amount == 0 and not allow_zero):
            raise InvalidAmount(f"The amount must be more than 0{unit} (an int counts base units).")
        return amount
    try:
        value = Decimal(amount.strip().replace("_", "")) if isinstance(amount, str) else amount
    except InvalidOperation:
        raise InvalidAmount("The amount is not a number.") from None
    if not value.is_finite():
        raise InvalidAmount("An amount must be a finite number.")
    if value < 0 or (value == 0 and not allow_zero):
        raise InvalidAmount(f"The amount must be more than 0{unit}.")
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        scaled = value.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise AmountPrecisionError(
            f"{symbol or 'This asset'} has {decimals} decimal places; {value:f} has more.", decimals
        )
    return int(scaled)


def to_decimal(base_units: int, decimals: int) -> Decimal:
    """Return base units as an exact ``Decimal`` of coins (``100_000_000, 8`` -> ``1``)."""
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return Decimal(base_units).scaleb(-decimals)


def format_amount(base_units: int, decimals: int, symbol: str = "") -> str:
    """Return base units as text with every significant digit and no exponent (``0.0001 BTC``)."""
    text = f"{to_decimal(base_units, decimals):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} {symbol}".strip()
