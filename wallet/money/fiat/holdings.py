"""The rows the portfolio values: fiat balances, and points that have a value per point."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from wallet.money.fiat.points_types import PointsProgramme
from wallet.money.fiat.types import FiatAccount

__all__ = ["Holding", "fiat_holdings"]


@dataclass(frozen=True, slots=True)
class Holding:
    """One thing of value outside the chains, for the portfolio.

    Attributes:
        name: the fiat account's or programme's name.
        asset: the asset code: the currency (``EUR``) of a fiat account, ``points:NAME`` of a
            loyalty programme.
        kind: ``"fiat"`` or ``"points"``.
        amount: how much of ``asset``: the balance, or the number of points.
        currency: the currency the holding is worth in: the account's, or the programme's
            value currency.
        value: its worth in ``currency``: the balance, or points times value per point
            (0 once expired).
    """

    name: str
    asset: str
    kind: str
    amount: Decimal
    currency: str
    value: Decimal


def fiat_holdings(
    accounts: Sequence[FiatAccount],
    programmes: Sequence[PointsProgramme],
    today: dt.date | None = None,
) -> list[Holding]:
    """Return a holding per fiat account and per programme with a value per point."""
    day = today or dt.datetime.now(dt.UTC).date()
    rows = [Holding(a.name, a.currency, "fiat", a.balance, a.currency, a.balance) for a in accounts]
    for p in programmes:
        if p.value_per_point is None or p.value_currency is None:
            continue
        value = p.value_on(day)
        rows.append(
            Holding(p.name, f"points:{p.name}", "points", p.balance, p.value_currency, value)
        )
    return rows
