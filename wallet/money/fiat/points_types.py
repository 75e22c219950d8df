"""The value a loyalty programme is shown as."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["PointsProgramme"]


@dataclass(frozen=True, slots=True)
class PointsProgramme:
    """A loyalty programme's points.

    Attributes:
        id: its number in the wallet.
        name: its name (unique).
        balance: the points held.
        expires: the day they expire, if known.
        value_per_point: what one point is worth, if known.
        value_currency: the currency of that value.
    """

    id: int
    name: str
    balance: Decimal
    expires: dt.date | None = None
    value_per_point: Decimal | None = None
    value_currency: str | None = None

    def expired(self, today: dt.date) -> bool:
        """Return whether the points have expired by ``today`` (the expiry day still counts)."""
        return self.expires is not None and today > self.expires

    def value_on(self, today: dt.date) -> Decimal:
        """Return the points' worth on ``today``: 0 once expired or without a value per point."""
        if self.value_per_point is None or self.expired(today):
            return Decimal(0)
        return self.balance * self.value_per_point
