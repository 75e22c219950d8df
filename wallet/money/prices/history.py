"""Daily closes of coins and tokens in USD: CoinGecko for its free year, CryptoCompare before.

One CoinGecko request covers the whole free window (365 days) of an asset, at most once a
day; CryptoCompare fills what is older and what CoinGecko lacks or fails on. Days that no
provider has are recorded as gaps with the reason (a failing provider is no evidence of a
gap, so nothing is recorded then).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta

from wallet.errors import PriceProviderError
from wallet.money.prices.assets import PricedAsset
from wallet.money.prices.fx import USD
from wallet.money.prices.providers import (
    COINGECKO,
    COINGECKO_FREE_DAYS,
    CRYPTOCOMPARE,
    CoinGeckoProvider,
    CryptoCompareProvider,
    DailyClose,
    HttpSource,
)
from wallet.money.prices.store import CachedRate, Gap, PriceStore

__all__ = ["DailyCloses", "days_between"]


def days_between(start: date, end: date) -> Iterable[date]:
    """Yield each day from ``start`` to ``end``, both included."""
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


class DailyCloses:
    """Fetches and stores daily closes.

    Args:
        store: the price cache.
        source: returns a provider's ``HttpSource`` by name (its URL is read at each use).
        now: Unix seconds.
    """

    def __init__(
        self, store: PriceStore, source: Callable[[str], HttpSource], now: Callable[[], float]
    ) -> None:
        """Bind to the cache, the providers and the clock."""
        self._store = store
        self._source = source
        self._now = now

    def _today(self) -> date:
        return datetime.fromtimestamp(self._now(), UTC).date()

    def fetch(self, a: PricedAsset, start: date, end: date) -> int:
        """Fetch and store the closes of ``a`` from ``start`` to ``end`` (clamped to the past).

        Returns the closes stored; days still missing are recorded as gaps with a reason.

        Raises:
            PriceProviderError: every provider that could answer failed.
        """
        today = self._today()
        last = min(end, today - timedelta(days=1))
        if last < start:
            return 0
        free_from = today - timedelta(days=COINGECKO_FREE_DAYS - 1)
        now = int(self._now())
        closes: dict[date, tuple[DailyClose, str]] = {}
        errors: list[PriceProviderError] = []
        reasons: dict[date, str] = {}
        if last >= free_from:
            try:
                for c in self._gecko_window(a, free_from, today - timedelta(days=1)):
                    closes[c.day] = (c, COINGECKO)
            except PriceProviderError as err:
                errors.append(err)
        cached = self._store.daily_range(a.key, USD, start, last)
        wanted = [d for d in days_between(start, last) if d not in closes and d not in cached]
        if wanted and a.cryptocompare:
            try:
                compare = CryptoCompareProvider(self._source(CRYPTOCOMPARE))
                for c in compare.daily(a.cryptocompare, USD, wanted[0], wanted[-1]):
                    closes.setdefault(c.day, (c, CRYPTOCOMPARE))
            except PriceProviderError as err:
                errors.append(err)
        elif wanted:
            for d in wanted:
                if d < free_from:
                    reasons[d] = (
                        "CoinGecko's free API serves the last 365 days only, and no second "
                        "source prices tokens by contract"
                    )
        if errors and not closes:
            raise errors[0]
        asked = "coingecko" if not a.cryptocompare else "coingecko and cryptocompare"
        stored = self._store.put_daily(
            CachedRate(a.key, USD, c.rate, c.at, source, now, day)
            for day, (c, source) in closes.items()
        )
        if not errors:  # a failed provider is no evidence that a day has no price
            gaps = [
                Gap(d, reasons.get(d, f"{asked} have no price for this day"), asked, now)
                for d in days_between(start, last)
                if d not in closes and self._store.daily(a.key, USD, d) is None
            ]
            self._store.put_gaps(a.key, USD, gaps)
        return stored

    def _gecko_window(self, a: PricedAsset, first: date, last: date) -> list[DailyClose]:
        name = f"coingecko:{a.key}:{last.isoformat()}"
        if self._store.fetched(name) is not None:
            return []  # this window was fetched today already: what it had is stored
        gecko = CoinGeckoProvider(self._source(COINGECKO))
        if a.coingecko_id:
            closes = gecko.daily(a.coingecko_id, USD, first, last)
        elif a.platform and a.contract:
            closes = gecko.token_daily(a.platform, a.contract, USD, first, last)
        else:
            return []
        self._store.mark_fetched(name, int(self._now()))
        return closes
