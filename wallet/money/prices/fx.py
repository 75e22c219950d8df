"""The ECB's euro reference rates as exchange rates between any two of their currencies.

The ECB publishes units of each currency per euro on TARGET business days; a cross rate is
``units of TO per EUR / units of FROM per EUR``. For a weekend or holiday the previous
business day's rate applies (at most four days back) and the quote says so in ``note``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from wallet.errors import PriceProviderError, PriceUnavailable
from wallet.money.prices.providers import ECB, EcbProvider, HttpSource
from wallet.money.prices.store import CachedRate, PriceStore
from wallet.money.prices.types import Quote

__all__ = ["EUR", "USD", "EcbRates", "end_of"]

USD = "USD"
EUR = "EUR"
_ECB_RECHECK_S = 3600
_FX_LOOKBACK_DAYS = 4  # a weekend plus Good Friday and Easter Monday, the ECB's longest pause
_ECB_PUBLISHED_UTC_S = 15 * 3600  # about 16:00 CET


def end_of(day: date) -> int:
    """Return the Unix time of the end of a UTC day (24:00)."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) + 86_400


class EcbRates:
    """Exchange rates from the ECB's files, cached in the wallet's price store.

    Args:
        store: the price cache.
        source: returns the ECB's ``HttpSource`` (its URL is a setting, read at each use).
        now: Unix seconds.
    """

    def __init__(
        self, store: PriceStore, source: Callable[[], HttpSource], now: Callable[[], float]
    ) -> None:
        """Bind to the cache, the provider and the clock."""
        self._store = store
        self._source = source
        self._now = now

    def _today(self) -> date:
        return datetime.fromtimestamp(self._now(), UTC).date()

    def rate(self, from_code: str, to_code: str, day: date | None, online: bool) -> Quote:
        """Return the ECB cross rate of a day (``None``: the latest), fetching what is missing.

        Raises:
            PriceUnavailable: no rate for that day or currency (``reason`` says which).
            PriceProviderError: the ECB cannot be reached and nothing is cached.
        """
        if from_code == to_code:
            at = int(self._now()) if day is None else end_of(day)
            return Quote(from_code, to_code, Decimal(1), day, at, "identity", 0)
        found = self.cached(from_code, to_code, day)
        if isinstance(found, Quote) and not (day is None and self.due()):
            return found
        if online:
            try:
                self.fetch(day, (from_code, to_code))
            except PriceProviderError:
                if isinstance(found, Quote):  # the last known rate, marked as such
                    return Quote(
                        found.asset,
                        found.base,
                        found.rate,
                        found.day,
                        found.at,
                        found.source,
                        found.age_s,
                        True,
                        None,
                        "offline: the last known ECB rate",
                    )
                raise
            found = self.cached(from_code, to_code, day)
        if isinstance(found, Quote):
            return found
        when = "now" if day is None else f"on {day.isoformat()}"
        raise PriceUnavailable(
            f"No exchange rate from {from_code} to {to_code} {when}: {found}.",
            from_code,
            to_code,
            "" if day is None else day.isoformat(),
            found,
        )

    def due(self) -> bool:
        """Return whether the daily file is due for another look (hourly)."""
        fetched = self._store.fetched("ecb:daily")
        return fetched is None or int(self._now()) - fetched > _ECB_RECHECK_S

    def fetch(self, day: date | None, codes: Iterable[str] = ()) -> None:
        """Fetch the ECB file that covers ``day`` and store its rates.

        The full history (about 7,000 business days of 30-odd currencies) is stored for USD
        and ``codes`` alone: every currency would cost 200,000 rows and seconds of writing.
        """
        ecb = EcbProvider(self._source())
        today = self._today()
        if day is None:
            file, name = EcbProvider.DAILY, "ecb:daily"
        elif day >= today - timedelta(days=85):
            file, name = EcbProvider.HIST_90D, "ecb:90d"
        else:
            file, name = EcbProvider.HIST, "ecb:hist"
        days = ecb.rates(file)
        now = int(self._now())
        keep = {USD, *codes} if file == EcbProvider.HIST else None
        self._store.put_daily(
            CachedRate(
                EUR, code, rate, min(now, end_of(d) - 86_400 + _ECB_PUBLISHED_UTC_S), ECB, now, d
            )
            for d, rates in days.items()
            for code, rate in rates.items()
            if keep is None or code in keep
        )
        self._store.mark_fetched(name, now)

    def cached(self, from_code: str, to_code: str, day: date | None) -> Quote | str:
        """Return the cross rate from the cache, or the reason there is none."""
        target = day or self._today()
        anchor = self._store.latest_daily(EUR, USD, target)  # the ECB always publishes USD
        if anchor is None or anchor.day is None:
            return "no ECB reference rates are cached for that time"
        ecb_day = anchor.day
        if day is not None and ecb_day != day:
            gap = (day - ecb_day).days
            confirmed = self._store.has_daily_after(EUR, USD, day)
            if gap > _FX_LOOKBACK_DAYS or not confirmed:
                return f"the ECB published no reference rate for {day.isoformat()}" + (
                    "" if confirmed else " (not yet fetched)"
                )
        per_eur: dict[str, Decimal] = {EUR: Decimal(1)}
        for code in (from_code, to_code):
            if code != EUR:
                row = self._store.daily(EUR, code, ecb_day)
                if row is None:
                    return f"the ECB publishes no reference rate for {code} (on {ecb_day})"
                per_eur[code] = row.rate
        note = ""
        if ecb_day != target:
            note = (
                f"ECB rate of {ecb_day.isoformat()} (the ECB published none on "
                f"{target.isoformat()}: a weekend or TARGET holiday)"
                if day is not None
                else f"ECB rate of {ecb_day.isoformat()}"
            )
        at = anchor.at
        return Quote(
            from_code,
            to_code,
            per_eur[to_code] / per_eur[from_code],
            day,
            at,
            anchor.source,
            max(0, int(self._now()) - at),
            False,
            None,
            note,
        )
