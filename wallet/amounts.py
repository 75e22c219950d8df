"""Exact amounts: ``Decimal`` at the API edge, integer base units inside. Floats are refused.

Text amounts are strict: ASCII digits with at most one decimal point, and nothing else (no
exponent, no ``_`` separators, no other script's digits, no ``+``). ``parse_decimal`` is the one
parser of such text, for amounts and fee rates alike, in the API and the CLI.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal, localcontext

from wallet.errors import AmountPrecisionError, FloatAmountError, InvalidAmount

__all__ = [
    "Amount",
    "check_magnitude",
    "format_amount",
    "parse_decimal",
    "to_base_units",
    "to_decimal",
    "units_for_value",
]

# The largest power of ten an amount may reach: a uint256 holds less than 1.2e77 base units,
# so no asset ever has 10**78 of anything. Checked before any arithmetic, so that a value such
# as Decimal("1e999999999") is refused rather than expanded.
_MAX_ADJUSTED = 77

# Enough digits for any uint256 amount with its decimals: Decimal's default 28 would round.
_PRECISION = 100

_DIGITS = frozenset("0123456789")

Amount = Decimal | int | str
"""What the API accepts as an amount: a ``Decimal`` or text of coins, or an ``int`` of base units.

As DESIGN.md's API says: ``Decimal("0.01")`` and ``"0.01"`` are coins (or tokens), ``1_000_000``
is satoshis (or wei, or token base units). A ``float`` is refused.
"""


def parse_decimal(text: str, what: str = "amount") -> Decimal:
    """Parse decimal text strictly: ASCII digits with at most one ``.``, after an optional ``-``.

    Surrounding whitespace is ignored. The sign is kept so that callers refuse a negative value
    with their own message.

    Args:
        text: the text, for example ``"0.015"``.
        what: what the number is, for messages (``"amount"``, ``"fee rate"``).

    Returns:
        The exact value.

    Raises:
        InvalidAmount: empty, a character other than digits and one point (the message names
            it), or a value of 10**78 or more.
    """
    body = text.strip()
    sign = ""
    if body.startswith("-"):
        sign, body = "-", body[1:]
    for position, char in enumerate(body):
        if char in _DIGITS or (char == "." and "." not in body[:position]):
            continue
        shown = repr(char) if char.isascii() and char.isprintable() else f"U+{ord(char):04X}"
        if not char.isascii() and char.isprintable():
            shown = f"{char!r} ({shown})"
        raise InvalidAmount(
            f"The {what} is not a number: it has the character {shown}; write it with the "
            "digits 0-9 and at most one decimal point."
        )
    if not any(c in _DIGITS for c in body):
        raise InvalidAmount(f"The {what} is not a number: write it with the digits 0-9.")
    value = Decimal(sign + body)
    check_magnitude(value, what)
    return value


def check_magnitude(value: Decimal, what: str = "amount") -> None:
    """Refuse a number of 10**78 or more before any arithmetic expands it.

    Raises:
        InvalidAmount: the number is too large to be any amount.
    """
    if value.is_finite() and value and value.adjusted() > _MAX_ADJUSTED:
        raise InvalidAmount(f"The {what} is too large.")


def to_base_units(
    amount: Amount, decimals: int, symbol: str = "", *, allow_zero: bool = False
) -> int:
    """Convert an amount into integer base units, exactly.

    Args:
        amount: coins as a ``Decimal`` or a decimal string such as ``"0.015"`` (strict: see
            ``parse_decimal``), or base units as an ``int`` (taken as they are).
        decimals: how many decimal places the asset has (8 for BTC, 18 for ETH).
        symbol: the asset's ticker, for messages.
        allow_zero: accept zero (for example a contract call that sends no value).

    Returns:
        The amount in base units.

    Raises:
        FloatAmountError: ``amount`` is a float.
        InvalidAmount: not a finite, positive number, text that is not strict decimal text,
            or a value too large for any asset.
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
    value = parse_decimal(amount) if isinstance(amount, str) else amount
    if not value.is_finite():
        raise InvalidAmount("An amount must be a finite number.")
    if value < 0 or (value == 0 and not allow_zero):
        raise InvalidAmount(f"The amount must be more than 0{unit}.")
    check_magnitude(value, "amount")
    # Exact integer arithmetic on the digits: no Decimal context can round here.
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # noqa: S101 - finite, checked above
    significant = "".join(map(str, digits)).rstrip("0")
    if not significant:
        return 0
    shift = exponent + len(digits) - len(significant) + decimals
    if shift < 0:
        shown = f"{value:f}" if len(digits) - exponent <= 40 else "the amount"
        raise AmountPrecisionError(
            f"{symbol or 'This asset'} has {decimals} decimal places; {shown} has more.", decimals
        )
    units: int = int(significant) * 10**shift
    return units


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


def units_for_value(value: Decimal, price: Decimal, decimals: int) -> int:
    """Return the base units that ``value`` buys at ``price`` (per whole coin), rounded down.

    For an amount typed in a currency: ``units_for_value(Decimal("100"), Decimal("50000"), 8)``
    is 200,000 satoshis. Rounded down so that the coins sent are never worth more than typed.

    Raises:
        FloatAmountError: a float.
        InvalidAmount: a value below zero, or a price that is not above zero.
    """
    if not isinstance(value, Decimal) or not isinstance(price, Decimal):
        raise (
            FloatAmountError()
            if isinstance(value, float) or isinstance(price, float)
            else (InvalidAmount("A value and a price are Decimals."))
        )
    check_magnitude(value)
    if not value.is_finite() or value < 0:
        raise InvalidAmount("A value is a number of zero or more.")
    if not price.is_finite() or price <= 0:
        raise InvalidAmount("A price is a number above zero.")
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return int((value.scaleb(decimals) / price).to_integral_value(rounding=ROUND_FLOOR))
