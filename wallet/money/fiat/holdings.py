"""The portfolio's holdings sources for fiat accounts and loyalty points.

``wallet.money.portfolio`` values whatever its sources (``HoldingsSource``) report; these two
report the fiat accounts (their balance in their currency, and each line as a dated change
for net worth over time) and the points programmes with a value per point (their worth in
that value's currency; a programme without one is listed as unknown, never as zero).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from wallet.money.fiat.points_types import PointsProgramme
from wallet.money.fiat.store import FiatStore
from wallet.money.portfolio import BalanceChange, Holding, HoldingKind

__all__ = ["FiatHoldings", "PointsHoldings"]


class FiatHoldings:
    """The holdings source of the fiat accounts (``name`` ``"fiat"``)."""

    name = "fiat"

    def __init__(self, store: FiatStore) -> None:
        """Read the accounts from ``store`` at each use."""
        self._store = store

    def holdings(self) -> list[Holding]:
        """Return each account's balance in its currency."""
        return [
            Holding(HoldingKind.FIAT, a.name, a.currency, a.currency, a.balance, "", self.name)
            for a in self._store.accounts()
        ]

    def changes(self) -> list[BalanceChange]:
        """Return each line as a dated change of its account's balance."""
        names = {a.id: a.name for a in self._store.accounts()}
        return [
            BalanceChange(names[line.account_id], line.currency, line.booked, line.amount)
            for line in self._store.lines()
        ]


class PointsHoldings:
    """The holdings source of the loyalty programmes (``name`` ``"points"``).

    Args:
        programmes: returns the programmes at each use.
        today: returns the day for expiry (UTC today by default).
    """

    name = "points"

    def __init__(
        self,
        programmes: Callable[[], list[PointsProgramme]],
        today: Callable[[], dt.date] | None = None,
    ) -> None:
        """Keep how to read the programmes and the day."""
        self._programmes = programmes
        self._today = today or (lambda: dt.datetime.now(dt.UTC).date())

    def holdings(self) -> list[Holding]:
        """Return each programme's worth; one without a value per point is unknown."""
        today = self._today()
        rows = []
        for p in self._programmes():
            where = f"{p.name}: {p.balance} points" + (" (expired)" if p.expired(today) else "")
            if p.value_currency is None:
                rows.append(
                    Holding(
                        HoldingKind.POINTS,
                        where,
                        None,
                        p.name,
                        None,
                        "no value per point set",
                        self.name,
                    )
                )
                continue
            rows.append(
                Holding(
                    HoldingKind.POINTS,
                    where,
                    p.value_currency,
                    p.value_currency,
                    p.value_on(today),
                    "",
                    self.name,
                )
            )
        return rows

    def changes(self) -> list[BalanceChange]:
        """Return no changes: a programme's history is not kept, only its balance."""
        return []
