"""The price cache in the wallet file: the only code that reads or writes the ``price_*`` tables.

Rates are stored as decimal text (exact), times as Unix seconds, days as ISO dates. A day a
provider answered for without a value is kept in ``price_gaps`` with the reason, so the
service reports it instead of asking again and again (or filling it with another day).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from wallet.storage import WalletDatabase

__all__ = ["CachedRate", "Gap", "PriceStore"]


@dataclass(frozen=True, slots=True)
class CachedRate:
    """A stored rate.

    Attributes:
        asset: the cache key of the asset (``BTC``, ``EUR``, ``token:...``).
        quote: the currency the rate is in.
        rate: units of ``quote`` per unit of ``asset``.
        at: the time of the rate (Unix seconds).
        source: the provider (``coingecko``, ``cryptocompare``, ``ecb``, ``sample``...).
        fetched_at: when Coffer fetched it.
        day: the day of a daily close; ``None`` for a current price.
        change_24h: the 24-hour change in percent (current prices, if reported).
    """

    asset: str
    quote: str
    rate: Decimal
    at: int
    source: str
    fetched_at: int
    day: date | None = None
    change_24h: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Gap:
    """A day a provider was asked for and had no value.

    Attributes:
        day: the day.
        reason: why, in words.
        source: the provider(s) asked.
        checked_at: when (Unix seconds).
    """

    day: date
    reason: str
    source: str
    checked_at: int


class PriceStore:
    """Read and write the price cache of an open wallet file."""

    def __init__(self, database: WalletDatabase) -> None:
        """Bind to the wallet database."""
        self._db = database

    def put_daily(self, rows: Iterable[CachedRate]) -> int:
        """Store daily closes (replacing the same asset, quote and day), in one transaction.

        A stored close clears a gap recorded for its day. Returns how many were stored.
        """
        count = 0
        with self._db.transaction():
            for row in rows:
                if row.day is None:
                    continue
                key = (row.asset, row.quote, row.day.isoformat())
                self._db.execute(
                    "INSERT OR REPLACE INTO price_daily"
                    "(asset, quote, day, rate, at, source, fetched_at) VALUES (?,?,?,?,?,?,?)",
                    (*key, str(row.rate), row.at, row.source, row.fetched_at),
                )
                self._db.execute(
                    "DELETE FROM price_gaps WHERE asset = ? AND quote = ? AND day = ?", key
                )
                count += 1
        return count

    def daily(self, asset: str, quote: str, day: date) -> CachedRate | None:
        """Return the stored close of one day, or ``None``."""
        rows = self._db.query(
            "SELECT rate, at, source, fetched_at FROM price_daily "
            "WHERE asset = ? AND quote = ? AND day = ?",
            (asset, quote, day.isoformat()),
        )
        if not rows:
            return None
        rate, at, source, fetched = rows[0]
        return CachedRate(asset, quote, Decimal(rate), at, source, fetched, day)

    def daily_range(self, asset: str, quote: str, start: date, end: date) -> dict[date, CachedRate]:
        """Return the stored closes from ``start`` to ``end``, by day."""
        rows = self._db.query(
            "SELECT day, rate, at, source, fetched_at FROM price_daily "
            "WHERE asset = ? AND quote = ? AND day BETWEEN ? AND ? ORDER BY day",
            (asset, quote, start.isoformat(), end.isoformat()),
        )
        return {
            date.fromisoformat(d): CachedRate(
                asset, quote, Decimal(r), at, src, f, date.fromisoformat(d)
            )
            for d, r, at, src, f in rows
        }

    def latest_daily(
        self, asset: str, quote: str, on_or_before: date | None = None
    ) -> CachedRate | None:
        """Return the latest stored close (on or before a day), or ``None``."""
        limit = (on_or_before or date.max).isoformat()
        rows = self._db.query(
            "SELECT day, rate, at, source, fetched_at FROM price_daily "
            "WHERE asset = ? AND quote = ? AND day <= ? ORDER BY day DESC LIMIT 1",
            (asset, quote, limit),
        )
        if not rows:
            return None
        d, rate, at, source, fetched = rows[0]
        return CachedRate(asset, quote, Decimal(rate), at, source, fetched, date.fromisoformat(d))

    def has_daily_after(self, asset: str, quote: str, day: date) -> bool:
        """Return whether a close after ``day`` is stored."""
        return bool(
            self._db.query(
                "SELECT 1 FROM price_daily WHERE asset = ? AND quote = ? AND day > ? LIMIT 1",
                (asset, quote, day.isoformat()),
            )
        )

    def put_live(self, rows: Iterable[CachedRate]) -> None:
        """Store current prices (one per asset and quote), in one transaction."""
        with self._db.transaction():
            for row in rows:
                self._db.execute(
                    "INSERT OR REPLACE INTO price_live"
                    "(asset, quote, rate, change_24h, at, source, fetched_at) "
                    "VALUES (?,?,?,?,?,?,?)",
                    (
                        row.asset,
                        row.quote,
                        str(row.rate),
                        None if row.change_24h is None else str(row.change_24h),
                        row.at,
                        row.source,
                        row.fetched_at,
                    ),
                )

    def live(self, asset: str, quote: str) -> CachedRate | None:
        """Return the last stored current price of a pair, or ``None``."""
        rows = self._db.query(
            "SELECT rate, change_24h, at, source, fetched_at FROM price_live "
            "WHERE asset = ? AND quote = ?",
            (asset, quote),
        )
        if not rows:
            return None
        rate, change, at, source, fetched = rows[0]
        return CachedRate(
            asset,
            quote,
            Decimal(rate),
            at,
            source,
            fetched,
            None,
            None if change is None else Decimal(change),
        )

    def put_gaps(self, asset: str, quote: str, gaps: Iterable[Gap]) -> None:
        """Record days a provider had no value for, with the reason, in one transaction."""
        with self._db.transaction():
            for gap in gaps:
                self._db.execute(
                    "INSERT OR REPLACE INTO price_gaps"
                    "(asset, quote, day, reason, source, checked_at) VALUES (?,?,?,?,?,?)",
                    (asset, quote, gap.day.isoformat(), gap.reason, gap.source, gap.checked_at),
                )

    def gaps(self, asset: str, quote: str, start: date, end: date) -> dict[date, Gap]:
        """Return the recorded gaps from ``start`` to ``end``, by day."""
        rows = self._db.query(
            "SELECT day, reason, source, checked_at FROM price_gaps "
            "WHERE asset = ? AND quote = ? AND day BETWEEN ? AND ?",
            (asset, quote, start.isoformat(), end.isoformat()),
        )
        return {date.fromisoformat(d): Gap(date.fromisoformat(d), r, s, c) for d, r, s, c in rows}

    def fetched(self, name: str) -> int | None:
        """Return when a whole file or window ``name`` was last fetched (Unix seconds)."""
        rows = self._db.query("SELECT at FROM price_fetches WHERE name = ?", (name,))
        return int(rows[0][0]) if rows else None

    def mark_fetched(self, name: str, at: int) -> None:
        """Record that file or window ``name`` was fetched at ``at``."""
        with self._db.transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO price_fetches(name, at) VALUES (?, ?)", (name, at)
            )
