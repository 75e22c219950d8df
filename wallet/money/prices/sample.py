"""Bundled sample prices for the offline demo (``make demo``), marked ``sample`` everywhere.

The demo has no network: ``load_sample_prices`` stores the bundled rates in the wallet's price
cache with the source ``sample`` (never a provider's name), and ``DevnetsAsSample`` lets the
demo's devnet coins be valued at those sample prices, each such row saying so.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from importlib.resources import files

from wallet.money.portfolio import (
    BalanceChange,
    CryptoHoldings,
    Holding,
    HoldingKind,
    HoldingsSource,
    build_portfolio,
)
from wallet.money.prices.service import PriceService
from wallet.money.prices.store import CachedRate, PriceStore
from wallet.storage import WalletDatabase

__all__ = ["SAMPLE", "DevnetsAsSample", "load_sample_prices", "sample_portfolio_lines"]

SAMPLE = "sample"
"""The source name of every sample rate."""

_DEVNETS = {"bitcoin-regtest": "BTC", "litecoin-regtest": "LTC", "evm-embedded": "ETH"}


def load_sample_prices(database: WalletDatabase, now: float | None = None) -> int:
    """Store the bundled sample rates as current prices and today's ECB rates; return a count.

    Each is stored with the source ``sample``, so every quote and portfolio row made from
    them says so.
    """
    data = json.loads(
        files("wallet.money.prices").joinpath("sample_prices.json").read_text("utf-8")
    )
    at = int(time.time() if now is None else now)
    store = PriceStore(database)
    live = [
        CachedRate(
            symbol, "USD", Decimal(row["rate"]), at, SAMPLE, at, None, Decimal(row["change_24h"])
        )
        for symbol, row in data["live_usd"].items()
    ]
    store.put_live(live)
    day = datetime.fromtimestamp(at, UTC).date()
    while day.weekday() >= 5:  # the ECB's last business day
        day -= timedelta(days=1)
    ecb = [
        CachedRate("EUR", code, Decimal(rate), at, SAMPLE, at, day)
        for code, rate in data["ecb_per_eur"].items()
    ]
    store.put_daily(ecb)
    store.mark_fetched("ecb:daily", at)
    return len(live) + len(ecb)


class DevnetsAsSample:
    """A holdings source that values the demo's devnet coins as their main coins (sample).

    Args:
        inner: the wallet's crypto holdings source.
    """

    name = "crypto (devnets valued at sample prices)"

    def __init__(self, inner: HoldingsSource) -> None:
        """Wrap the crypto holdings source."""
        self._inner = inner

    def holdings(self) -> list[Holding]:
        """Return the inner rows; devnet coins (not tokens) priced as their main coin."""
        rows = []
        for h in self._inner.holdings():
            main = _DEVNETS.get(h.network or "")
            coin = h.kind is HoldingKind.COIN
            if coin and main is not None and h.asset is None and h.amount is not None:
                h = Holding(
                    h.kind,
                    f"{h.account} (as {main}, sample)",
                    main,
                    h.symbol,
                    h.amount,
                    "",
                    h.source,
                    h.network,
                )
            rows.append(h)
        return rows

    def changes(self) -> list[BalanceChange]:
        """Return the inner source's changes."""
        return list(self._inner.changes())


def sample_portfolio_lines(
    database: WalletDatabase,
    sources: Sequence[HoldingsSource],
    prices: PriceService,
    base: str = "EUR",
) -> list[str]:
    """Load the sample rates, value every source offline in ``base``; return the lines to show.

    The crypto source's devnet coins are valued at the sample prices (``DevnetsAsSample``);
    other sources (fiat accounts, points) are valued as they are.
    """
    load_sample_prices(database, prices.now())
    wrapped = [DevnetsAsSample(s) if isinstance(s, CryptoHoldings) else s for s in sources]
    folio = build_portfolio(wrapped, prices, base, online=False)
    lines = [f"Portfolio in {folio.base} (prices: bundled sample data, not market prices):"]
    for r in folio.rows:
        if r.value is None:
            continue
        amount = "?" if r.holding.amount is None else f"{r.holding.amount.normalize():f}"
        lines.append(
            f"  {r.holding.account:34} {amount:>14} {r.holding.symbol:5} "
            f"{r.value:>14,f} {folio.base}  [{r.source}]"
        )
    reasons: dict[str, int] = {}
    for r in folio.rows:
        if r.value is None:
            reasons[r.unknown_reason] = reasons.get(r.unknown_reason, 0) + 1
    lines.append(f"  Total: {folio.total:,f} {folio.base}")
    if reasons:
        why = "; ".join(f"{count} {reason}" for reason, count in sorted(reasons.items()))
        lines.append(f"  Not counted, {folio.unknown} row(s) unknown: {why}")
    if folio.by_kind:
        lines.append("  By kind: " + ", ".join(f"{a.key} {a.share}%" for a in folio.by_kind))
    return lines
