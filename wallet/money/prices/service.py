"""``PriceService`` (``Wallet.prices``): the price of an asset in a currency, now or at a date.

How a question is answered:

- **Crypto, now**: CoinGecko's ``simple/price`` in the base currency (and in USD); cached for
  five minutes. A provider that cannot be reached gives the last known value, marked
  ``offline`` with its age. None known: ``PriceUnavailable`` with the provider's error.
- **Crypto, a past day**: the daily close in USD from the cache; else fetched (CoinGecko for
  the last 365 days, its free limit, in one request for the whole window; CryptoCompare's
  ``histoday`` before that, and as the fallback when CoinGecko fails or lacks a day), then
  converted with the ECB's USD rate of that day. A day no provider has is recorded with its
  reason and reported as ``PriceUnavailable``: never filled with another day's price.
- **Fiat**: the ECB's reference rates, crossed through the euro (``USD->JPY`` is
  ``JPY per EUR / USD per EUR``). The ECB publishes on TARGET business days only: for a
  weekend or holiday the previous business day's rate applies (at most four days back), and
  the quote says so in ``note``; further back it is a missing day.

All network calls are in ``wallet.money.prices.providers``; everything fetched is stored by
``PriceStore`` with its time and source.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from wallet.errors import PriceProviderError, PriceUnavailable, WalletError
from wallet.money.prices.assets import AssetKind, PricedAsset, resolve_asset
from wallet.money.prices.currencies import Money, currency
from wallet.money.prices.fx import EUR, USD, EcbRates
from wallet.money.prices.history import DailyCloses, days_between
from wallet.money.prices.providers import (
    COINGECKO,
    CRYPTOCOMPARE,
    ECB,
    CoinGeckoProvider,
    HttpSource,
    Pacing,
)
from wallet.money.prices.settings import base_currency, provider_url
from wallet.money.prices.store import CachedRate, PriceStore
from wallet.money.prices.types import BackfillReport, MissingDay, Quote
from wallet.storage import WalletDatabase

__all__ = ["DEFAULT_PACING", "LIVE_MAX_AGE_S", "MAX_BACKFILL_DAYS", "PriceService"]

LIVE_MAX_AGE_S = 300
"""A current price younger than this is answered from the cache."""
MAX_BACKFILL_DAYS = 366 * 25
"""The longest range one backfill or ``missing_days`` takes."""

DEFAULT_PACING: Mapping[str, Pacing] = {
    COINGECKO: Pacing(per_minute=30, burst=5),
    CRYPTOCOMPARE: Pacing(per_minute=50, burst=5),
    ECB: Pacing(per_minute=30, burst=3, timeout_s=30.0),
}


def _joined(first: str, second: str) -> str:
    """Return the sources of a crossed rate (``coingecko+ecb``; one name when they agree)."""
    return first if first == second else f"{first}+{second}"


class PriceService:
    """Prices and exchange rates for an open wallet, cached in its file.

    Args:
        database: the open wallet database.
        now: Unix seconds (injected so tests fix "today").
        sleep: waits, for pacing and backoff (injected so tests never wait).
        monotonic: a monotonic clock for pacing.
        pacing: per-provider pacing (``DEFAULT_PACING`` where not given).
    """

    def __init__(
        self,
        database: WalletDatabase,
        *,
        now: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        pacing: Mapping[str, Pacing] | None = None,
    ) -> None:
        """Bind to a wallet database."""
        self._db = database
        self._store = PriceStore(database)
        self._now = now
        self._sleep = sleep
        self._monotonic = monotonic
        self._pacing = {**DEFAULT_PACING, **(pacing or {})}
        self._sources: dict[tuple[str, str], HttpSource] = {}
        self._lock = threading.Lock()
        self._ecb = EcbRates(self._store, lambda: self._source(ECB), now)
        self._closes = DailyCloses(self._store, self._source, now)

    # -- plumbing ---------------------------------------------------------------------------

    def _source(self, name: str) -> HttpSource:
        url = provider_url(self._db, name)
        with self._lock:  # one token bucket per provider and URL, shared by every caller
            source = self._sources.get((name, url))
            if source is None:
                source = HttpSource(
                    name, url, self._pacing[name], clock=self._monotonic, sleep=self._sleep
                )
                self._sources[(name, url)] = source
            return source

    @property
    def requests_made(self) -> int:
        """Return how many requests this service sent to the providers (for reports)."""
        return sum(s.requests for s in self._sources.values())

    @property
    def base_currency(self) -> str:
        """Return the wallet's base currency (``w.settings.base_currency``)."""
        return base_currency(self._db)

    def now(self) -> float:
        """Return the service's clock (Unix seconds)."""
        return self._now()

    def today(self) -> date:
        """Return the current UTC day."""
        return datetime.fromtimestamp(self._now(), UTC).date()

    def _base(self, base: str | None) -> str:
        return currency(base).code if base is not None else self.base_currency

    @staticmethod
    def _asset(asset: str | PricedAsset) -> PricedAsset:
        return asset if isinstance(asset, PricedAsset) else resolve_asset(asset)

    def _check_day(self, day: object) -> date:
        if isinstance(day, datetime) or not isinstance(day, date):
            raise WalletError(f"{day!r} is not a calendar day (a datetime.date).")
        return day

    # -- the questions ----------------------------------------------------------------------

    def quote(
        self,
        asset: str | PricedAsset,
        base: str | None = None,
        day: date | None = None,
        *,
        refresh: bool = False,
        online: bool = True,
    ) -> Quote:
        """Return the price of one unit of ``asset`` in ``base``, now or at the end of ``day``.

        Args:
            asset: ``BTC``, ``bitcoin``, ``ethereum:0x...`` (a token), or ``USD`` (a currency).
            base: the currency of the answer (ISO 4217); ``None``: the wallet's base currency.
            day: a past UTC day for its daily close; ``None`` for the current price.
            refresh: ask the provider even if the cache has a recent current price.
            online: ``False`` answers from the cache alone.

        Raises:
            UnknownAsset: no such coin, token or currency.
            UnknownCurrency: ``base`` is not an ISO 4217 code.
            PriceUnavailable: no rate is known (the day has not ended, a provider has no
                value for it, or nothing is cached while offline); ``reason`` says which.
            PriceProviderError: a provider is down, slow or answers garbage, and nothing is
                cached (``PriceRateLimited`` when it keeps refusing with HTTP 429).
        """
        priced = self._asset(asset)
        quote_in = self._base(base)
        if day is not None:
            self._check_day(day)
            self._refuse_unfinished(priced.key, quote_in, day)
        if priced.kind is AssetKind.FIAT:
            return self._ecb.rate(priced.key, quote_in, day, online)
        if day is None:
            found = self.current([priced], quote_in, refresh=refresh, online=online)[priced.key]
            if isinstance(found, Quote):
                return found
            raise found
        close = self._usd_close(priced, day, online, refresh)
        return self._in_base(priced.key, close, quote_in, day, online)

    def convert(
        self, amount: Decimal, from_code: str, to_code: str, day: date | None = None
    ) -> Money:
        """Return ``amount`` of ``from_code`` in ``to_code`` at ECB rates, to the minor unit.

        Raises:
            UnknownCurrency: an unknown code.
            PriceUnavailable, PriceProviderError: as for ``quote``.
        """
        rate = self.quote(currency(from_code).code, to_code, day).rate
        return Money.of(amount * rate, to_code)

    def _refuse_unfinished(self, asset: str, base: str, day: date) -> None:
        today = self.today()
        if day >= today:
            what = "has not ended yet" if day == today else "is in the future"
            raise PriceUnavailable(
                f"{day.isoformat()} {what}: there is no daily close for it; ask without a "
                "date for the current price.",
                asset,
                base,
                day.isoformat(),
                what,
            )

    # -- current prices ---------------------------------------------------------------------

    def current(
        self,
        assets: Sequence[str | PricedAsset],
        base: str | None = None,
        *,
        refresh: bool = False,
        online: bool = True,
    ) -> dict[str, Quote | PriceUnavailable]:
        """Return the current price of several crypto assets at once (a request per kind).

        Returns:
            By asset key: its quote, or the ``PriceUnavailable`` saying why there is none.

        Raises:
            UnknownAsset, UnknownCurrency: as for ``quote``.
        """
        quote_in = self._base(base)
        priced = [self._asset(a) for a in assets]
        now = int(self._now())
        stale = [
            a
            for a in priced
            if a.kind is not AssetKind.FIAT
            and (refresh or not self._fresh(self._store.live(a.key, quote_in), now))
        ]
        error: PriceProviderError | None = None
        if stale and online:
            try:
                self._fetch_live(stale, quote_in, now)
            except PriceProviderError as err:
                error = err
        answers: dict[str, Quote | PriceUnavailable] = {}
        for a in priced:
            if a.kind is AssetKind.FIAT:
                try:
                    answers[a.key] = self._ecb.rate(a.key, quote_in, None, online)
                except (PriceUnavailable, PriceProviderError) as err:
                    answers[a.key] = PriceUnavailable(str(err), a.key, quote_in, "", str(err))
                continue
            answers[a.key] = self._live_answer(a, quote_in, now, error, online)
        return answers

    @staticmethod
    def _fresh(row: CachedRate | None, now: int) -> bool:
        return row is not None and now - row.fetched_at < LIVE_MAX_AGE_S

    def _fetch_live(self, assets: list[PricedAsset], base: str, now: int) -> None:
        gecko = CoinGeckoProvider(self._source(COINGECKO))
        vs = [base] if base == USD else [base, USD]
        rows: list[CachedRate] = []
        coins = [a for a in assets if a.coingecko_id]
        by_platform: dict[str, list[PricedAsset]] = {}
        for a in assets:
            if a.platform and a.contract:
                by_platform.setdefault(a.platform, []).append(a)
        for code in vs:
            if coins:
                got = gecko.live([c.coingecko_id or "" for c in coins], code)
                for c in coins:
                    live = got.get(c.coingecko_id or "")
                    if live is not None:
                        rows.append(
                            CachedRate(
                                c.key,
                                code,
                                live.rate,
                                live.at,
                                COINGECKO,
                                now,
                                None,
                                live.change_24h,
                            )
                        )
            for platform, tokens in by_platform.items():
                got = gecko.token_live(platform, [t.contract or "" for t in tokens], code)
                for t in tokens:
                    live = got.get(t.contract or "")
                    if live is not None:
                        rows.append(
                            CachedRate(
                                t.key,
                                code,
                                live.rate,
                                live.at,
                                COINGECKO,
                                now,
                                None,
                                live.change_24h,
                            )
                        )
        self._store.put_live(rows)

    def _live_answer(
        self,
        a: PricedAsset,
        base: str,
        now: int,
        error: PriceProviderError | None,
        online: bool,
    ) -> Quote | PriceUnavailable:
        direct = self._store.live(a.key, base)
        offline = error is not None or not online
        if direct is not None and (self._fresh(direct, now) or offline):
            return self._live_quote(
                a.key, base, direct, now, offline and not self._fresh(direct, now)
            )
        usd = self._store.live(a.key, USD)
        if usd is not None and base != USD:
            try:
                fx = self._ecb.rate(USD, base, None, online and error is None)
            except (PriceUnavailable, PriceProviderError) as err:
                return PriceUnavailable(str(err), a.key, base, "", str(err))
            quote = self._live_quote(a.key, USD, usd, now, offline)
            return Quote(
                a.key,
                base,
                quote.rate * fx.rate,
                None,
                quote.at,
                _joined(quote.source, fx.source),
                quote.age_s,
                quote.offline or fx.offline,
                quote.change_24h,
                fx.note,
            )
        if error is not None:
            reason = str(error)
        elif not online:
            reason = "no current price is cached and prices are offline"
        else:
            reason = f"{COINGECKO} has no price for {a.symbol} in {base}"
        return PriceUnavailable(
            f"No current price of {a.symbol} in {base}: {reason}", a.key, base, "", reason
        )

    def _live_quote(self, key: str, base: str, row: CachedRate, now: int, offline: bool) -> Quote:
        age = max(0, now - row.at)
        note = f"offline: the last known price, {age // 60} min old" if offline else ""
        return Quote(
            key, base, row.rate, None, row.at, row.source, age, offline, row.change_24h, note
        )

    # -- daily closes -----------------------------------------------------------------------

    def _usd_close(self, a: PricedAsset, day: date, online: bool, refresh: bool) -> CachedRate:
        cached = self._store.daily(a.key, USD, day)
        if cached is not None:
            return cached
        gap = self._store.gaps(a.key, USD, day, day).get(day)
        if gap is None or refresh:
            if not online:
                reason = "no daily close is cached and prices are offline"
                raise PriceUnavailable(
                    f"No price of {a.symbol} on {day}: {reason}.", a.key, USD, str(day), reason
                )
            self._closes.fetch(a, day - timedelta(days=30), day + timedelta(days=30))
            cached = self._store.daily(a.key, USD, day)
            if cached is not None:
                return cached
            gap = self._store.gaps(a.key, USD, day, day).get(day)
        reason = gap.reason if gap is not None else "no provider has a close for it"
        raise PriceUnavailable(
            f"No price of {a.symbol} on {day.isoformat()}: {reason}.",
            a.key,
            USD,
            day.isoformat(),
            reason,
        )

    def _in_base(self, key: str, close: CachedRate, base: str, day: date, online: bool) -> Quote:
        age = max(0, int(self._now()) - close.at)
        if base == USD:
            return Quote(key, base, close.rate, day, close.at, close.source, age)
        fx = self._ecb.rate(USD, base, day, online)
        return Quote(
            key,
            base,
            close.rate * fx.rate,
            day,
            close.at,
            _joined(close.source, fx.source),
            age,
            fx.offline,
            None,
            fx.note,
        )

    # -- history ----------------------------------------------------------------------------

    def _check_range(self, start: date, end: date) -> tuple[date, date]:
        start, end = self._check_day(start), self._check_day(end)
        if end < start:
            raise WalletError(f"The range ends ({end}) before it starts ({start}).")
        if (end - start).days > MAX_BACKFILL_DAYS:
            raise WalletError(f"A range of at most {MAX_BACKFILL_DAYS} days, please.")
        return start, end

    def backfill(
        self, assets: Sequence[str | PricedAsset], start: date, end: date, base: str | None = None
    ) -> BackfillReport:
        """Fetch and cache the daily closes of ``assets`` (and the ECB rates) over a range.

        Paced per provider; a failing provider is reported in ``errors`` and the other
        assets go on. Days already cached are not asked again.

        Raises:
            UnknownAsset, UnknownCurrency: as for ``quote``.
            WalletError: a range that ends before it starts, or longer than 25 years.
        """
        start, end = self._check_range(start, end)
        quote_in = self._base(base)
        before = self.requests_made
        stored: dict[str, int] = {}
        errors: list[str] = []
        priced = [self._asset(a) for a in assets]
        if quote_in != USD or any(a.kind is AssetKind.FIAT for a in priced):
            try:
                target = quote_in if quote_in != USD else EUR
                if isinstance(self._ecb.cached(USD, target, start), str):
                    self._ecb.fetch(start, (quote_in, *(a.key for a in priced)))
                if end >= self.today() - timedelta(days=3) and self._ecb.due():
                    self._ecb.fetch(None)
            except PriceProviderError as err:
                errors.append(str(err))
        for a in priced:
            if a.kind is AssetKind.FIAT:
                continue
            last = min(end, self.today() - timedelta(days=1))
            cached = self._store.daily_range(a.key, USD, start, last)
            gapped = self._store.gaps(a.key, USD, start, last)
            todo = [d for d in days_between(start, last) if d not in cached and d not in gapped]
            if not todo:
                stored[a.key] = 0
                continue
            try:
                stored[a.key] = self._closes.fetch(a, todo[0], todo[-1])
            except PriceProviderError as err:
                errors.append(str(err))
                stored[a.key] = 0
        missing = {a.key: self.missing_days(a, start, end, quote_in) for a in priced}
        return BackfillReport(stored, missing, self.requests_made - before, tuple(errors))

    def missing_days(
        self, asset: str | PricedAsset, start: date, end: date, base: str | None = None
    ) -> list[MissingDay]:
        """List each day from ``start`` to ``end`` with no cached rate, and why (cache only).

        Raises:
            UnknownAsset, UnknownCurrency: as for ``quote``.
            WalletError: a range that ends before it starts, or longer than 25 years.
        """
        start, end = self._check_range(start, end)
        priced = self._asset(asset)
        quote_in = self._base(base)
        today = self.today()
        missing: list[MissingDay] = []
        closes = (
            {}
            if priced.kind is AssetKind.FIAT
            else self._store.daily_range(priced.key, USD, start, end)
        )
        gaps = self._store.gaps(priced.key, USD, start, end)
        for day in days_between(start, end):
            if day >= today:
                reason = "the day has not ended yet" if day == today else "the day is in the future"
                missing.append(MissingDay(day, reason))
                continue
            if priced.kind is not AssetKind.FIAT and day not in closes:
                gap = gaps.get(day)
                reason = gap.reason if gap else "not fetched yet (a backfill fetches it)"
                missing.append(MissingDay(day, reason))
                continue
            from_code = priced.key if priced.kind is AssetKind.FIAT else USD
            if from_code != quote_in:
                fx = self._ecb.cached(from_code, quote_in, day)
                if isinstance(fx, str):
                    missing.append(MissingDay(day, fx))
        return missing

    def cached_close(
        self, asset: str | PricedAsset, day: date, base: str | None = None
    ) -> Quote | MissingDay:
        """Return a day's close in ``base`` from the cache alone, or the day with its reason.

        Raises:
            UnknownAsset, UnknownCurrency: as for ``quote``.
        """
        priced = self._asset(asset)
        quote_in = self._base(base)
        if day >= self.today():
            return MissingDay(day, "the day has not ended yet")
        if priced.kind is AssetKind.FIAT:
            fx = self._ecb.cached(priced.key, quote_in, day)
            return MissingDay(day, fx) if isinstance(fx, str) else fx
        close = self._store.daily(priced.key, USD, day)
        if close is None:
            gap = self._store.gaps(priced.key, USD, day, day).get(day)
            return MissingDay(day, gap.reason if gap else "not fetched yet (a backfill fetches it)")
        if quote_in == USD:
            return Quote(priced.key, USD, close.rate, day, close.at, close.source, 0)
        fx = self._ecb.cached(USD, quote_in, day)
        if isinstance(fx, str):
            return MissingDay(day, fx)
        return Quote(
            priced.key,
            quote_in,
            close.rate * fx.rate,
            day,
            close.at,
            _joined(close.source, fx.source),
            0,
            note=fx.note,
        )
