"""The values the price service returns: a quote with its source and age, a missing day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

__all__ = ["BackfillReport", "MissingDay", "Quote"]


@dataclass(frozen=True, slots=True)
class Quote:
    """The price of one unit of an asset in a currency, with where and when it comes from.

    Attributes:
        asset: the asset's cache key (``BTC``, ``USD``, ``token:ethereum:0x...``).
        base: the currency of ``rate`` (ISO 4217).
        rate: units of ``base`` per unit of ``asset`` (exact; not rounded to cents).
        day: the day of a daily close; ``None`` for a current price.
        at: the time of the rate (Unix seconds): the provider's update time, or the end of
            the day for a daily close.
        source: the provider(s), ``coingecko``, ``cryptocompare``, ``ecb``, joined with ``+``
            when a cross rate went through USD or EUR (``coingecko+ecb``); ``sample`` for the
            bundled sample data.
        age_s: seconds between ``at`` and the moment of the answer.
        offline: the provider could not be reached; this is the last known value.
        change_24h: the change over 24 hours in percent (current prices), if known.
        note: what else a person should know (an ECB rate of an earlier business day, why
            the value is old).
    """

    asset: str
    base: str
    rate: Decimal
    day: date | None
    at: int
    source: str
    age_s: int
    offline: bool = False
    change_24h: Decimal | None = None
    note: str = ""

    @property
    def as_of(self) -> datetime:
        """Return ``at`` as an aware UTC datetime."""
        return datetime.fromtimestamp(self.at, UTC)


@dataclass(frozen=True, slots=True)
class MissingDay:
    """A day with no rate, and why (never filled with another day's rate).

    Attributes:
        day: the day.
        reason: why no rate is known, in words.
    """

    day: date
    reason: str


@dataclass(frozen=True, slots=True)
class BackfillReport:
    """What a backfill fetched.

    Attributes:
        stored: daily closes stored, per asset key.
        missing: days still without a close, per asset key, with the reason.
        requests: requests made to the providers.
        errors: provider errors met (the backfill goes on with the next asset).
    """

    stored: dict[str, int]
    missing: dict[str, list[MissingDay]]
    requests: int
    errors: tuple[str, ...] = ()
