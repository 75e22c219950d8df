"""Amounts and dates as bank exports write them: ``1.234,56``, ``(12.00)``, ``31.12.2026``.

Parsing is strict: a text is an amount in the given notation or it is refused, never guessed.
Only ASCII digits count (a bank export has no others), so an Arabic-Indic three is refused, not 3.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

__all__ = ["AmountFormat", "parse_amount", "parse_date"]

_DIGITS = re.compile(r"[0-9]+")
_PLAIN = re.compile(r"-?[0-9]{1,30}(\.[0-9]{1,30})?")


class AmountFormat:
    """How a file writes amounts: the decimal mark and the thousands separator.

    Args:
        decimal: ``"."`` or ``","``.
        thousands: ``""``, ``","``, ``"."``, ``" "`` or ``"'"`` (never the decimal mark).

    Raises:
        ValueError: a mark not listed, or both the same.
    """

    __slots__ = ("decimal", "thousands")

    def __init__(self, decimal: str = ".", thousands: str = "") -> None:
        """Check and keep the two marks."""
        if decimal not in (".", ","):
            raise ValueError("The decimal mark is '.' or ','.")
        if thousands not in ("", ",", ".", " ", "'") or thousands == decimal:
            raise ValueError("The thousands separator is '', ',', '.', ' ' or \"'\", not the mark.")
        self.decimal = decimal
        self.thousands = thousands

    def __repr__(self) -> str:
        return f"AmountFormat(decimal={self.decimal!r}, thousands={self.thousands!r})"


def parse_amount(text: str, fmt: AmountFormat) -> Decimal | None:
    """Return the amount ``text`` writes in ``fmt``, or ``None`` if it is not one.

    Accepts a sign (``-`` or ``+``, in front or behind), accounting brackets ``(12.00)`` for a
    negative amount, and a currency-free text; thousands groups must have three digits.
    """
    if fmt.decimal == "." and _PLAIN.fullmatch(text):  # the common case, at full speed
        return Decimal(text)
    body = text.strip().replace("\u00a0", " ")
    negative = False
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1].strip()
    if body[:1] in "+-" and body:
        negative, body = negative != (body[0] == "-"), body[1:].strip()
    elif body[-1:] in ("+", "-") and body:
        negative, body = negative != (body[-1] == "-"), body[:-1].strip()
    if not body:
        return None
    whole, mark, fraction = body.partition(fmt.decimal)
    if mark and not _DIGITS.fullmatch(fraction):
        return None
    groups = whole.split(fmt.thousands) if fmt.thousands else [whole]
    if not all(g.isascii() and _DIGITS.fullmatch(g) for g in groups):
        if not (whole == "" and mark):  # ".5"
            return None
        groups = ["0"]
    if len(groups) > 1 and (len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:])):
        return None
    digits = "".join(groups) + ("." + fraction if mark else "")
    if len(digits) > 40:
        return None
    try:
        value = Decimal(digits)
    except InvalidOperation:
        return None
    return -value if negative else value


def parse_date(text: str, fmt: str) -> dt.date | None:
    """Return the date ``text`` writes in the ``strptime`` format ``fmt``, or ``None``."""
    try:
        return dt.datetime.strptime(text.strip(), fmt).date()
    except ValueError:
        return None
