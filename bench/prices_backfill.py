"""Benchmark: ten years of daily closes for BTC and ETH in EUR, Coffer's backfill against a
day-by-day fetch, in one run, against the local replay of the providers' documented formats
(``tests/price_replay.py``; nothing leaves the machine).

* **Coffer**: ``PriceService.backfill`` (one CoinGecko window for the free year, CryptoCompare
  ``histoday`` pages of 2,000 days before it, the ECB history once), then every close read
  back in EUR from the cache.
* **Day by day**: what a wallet asking CoinGecko's ``coins/{id}/history`` for each day does
  (one request per coin and day), plus one ECB daily file.

Both run with pacing off (the replay answers at once); the requests each needs are the
figure that matters on the real APIs, so the time at CoinGecko's free 30 requests a minute is
computed from them and printed too.

Run: ``.venv/bin/python bench/prices_backfill.py``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.price_replay import Market, ReplayServer, business_days
from wallet import Wallet
from wallet.money.prices import Pacing, PriceService
from wallet.money.prices.providers import CoinGeckoProvider, EcbProvider, HttpSource

YEARS = 10
PASSWORD = "bench password, not secret"  # noqa: S105 - a throwaway wallet


def _market(today: date) -> Market:
    first = today - timedelta(days=366 * YEARS)
    days = [first + timedelta(days=i) for i in range((today - first).days)]
    market = Market(today, free_days=100_000)  # the day-by-day peer may ask any day
    market.closes["bitcoin"] = {d: Decimal(20_000 + d.toordinal() % 977) for d in days}
    market.closes["ethereum"] = {d: Decimal(1_000 + d.toordinal() % 311) for d in days}
    market.symbols = {"BTC": "bitcoin", "ETH": "ethereum"}
    market.ecb = {
        d: {"USD": Decimal("1.0850"), "JPY": Decimal("162.5")} for d in business_days(first, today)
    }
    return market


def main() -> None:
    """Print each way's requests, time, and the time the requests take at 30 a minute."""
    today = datetime.now(UTC).date()
    server = ReplayServer(_market(today))
    fast = Pacing(per_minute=1_000_000, burst=1_000_000, timeout_s=30)
    start, end = today - timedelta(days=366 * YEARS - 1), today - timedelta(days=1)
    days = (end - start).days + 1
    with tempfile.TemporaryDirectory() as tmp, Wallet.create(Path(tmp) / "b.coffer", PASSWORD) as w:
        for name in ("coingecko", "cryptocompare", "ecb"):
            w.settings.set_price_provider_url(name, server.url(name))
        prices = PriceService(
            w.database, pacing={"coingecko": fast, "cryptocompare": fast, "ecb": fast}
        )
        began = time.perf_counter()
        report = prices.backfill(["BTC", "ETH"], start, end, "EUR")
        closes = [
            prices.cached_close(a, d, "EUR")
            for a in ("BTC", "ETH")
            for d in (start + timedelta(days=i) for i in range(days))
        ]
        coffer_s = time.perf_counter() - began
        coffer_requests = report.requests
        assert not any(m for m in report.missing.values()), report.missing
        assert len(closes) == 2 * days

        gecko = CoinGeckoProvider(HttpSource("coingecko", server.url("coingecko"), fast))
        ecb = EcbProvider(HttpSource("ecb", server.url("ecb"), fast))
        began = time.perf_counter()
        ecb.rates(EcbProvider.HIST)
        naive = [
            gecko.history(cid, "usd", start + timedelta(days=i))
            for cid in ("bitcoin", "ethereum")
            for i in range(days)
        ]
        naive_s = time.perf_counter() - began
        naive_requests = 2 * days + 1
        assert all(c is not None for c in naive)
    server.close()
    print(f"{YEARS} years of daily closes, BTC and ETH in EUR ({2 * days} closes)")
    for name, requests, seconds in (
        ("coffer backfill", coffer_requests, coffer_s),
        ("day by day", naive_requests, naive_s),
    ):
        paced_min = requests / 30
        print(
            f"  {name:<16} {requests:6d} requests  {seconds:7.2f} s local  "
            f"{paced_min:8.1f} min at 30 requests/min"
        )
    print(
        f"  ratio: {naive_requests / coffer_requests:.0f}x fewer requests, "
        f"{naive_s / coffer_s:.1f}x faster locally"
    )


if __name__ == "__main__":
    main()
