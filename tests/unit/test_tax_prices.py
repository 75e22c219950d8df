"""The tax report and budgets priced by the wallet's price service (``ServicePrices``).

Prices come from the local replay of the providers' documented formats
(``tests/price_replay.py``: CoinGecko, CryptoCompare and the ECB are remote third parties).
The Ethereum account's history is what a sync stores (``EvmStore.apply``, the store's own
write path), so no node is needed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from chains.evm.history import TransferKind, TransferRecord
from tests.price_replay import ReplayServer
from tests.unit.test_prices import TODAY, Waits, make_market, service
from wallet import Wallet
from wallet.evm.store import AccountState, EvmStore, SyncChanges
from wallet.money.sources import ServicePrices
from wallet.money.tax import Acquire, Dispose, Fee

WEI = 10**18
RECEIVED = TODAY - timedelta(days=9)  # 2026-06-06, a Saturday
SENT = TODAY - timedelta(days=4)  # 2026-06-11, a Thursday


def _at(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, 12, tzinfo=UTC).timestamp())


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    server = ReplayServer(make_market())
    yield server
    server.close()


@pytest.fixture
def wallet(abandon_wallet: Wallet, replay: ReplayServer) -> Wallet:
    w = abandon_wallet
    for name in ("coingecko", "cryptocompare", "ecb"):
        w.settings.set_price_provider_url(name, replay.url(name))
    eth = w.account("ethereum")
    me, other = eth.receive_address(), "0x" + "22" * 20
    records = [
        TransferRecord(
            TransferKind.NATIVE, "0x" + "01" * 32, 100, _at(RECEIVED), other, me, 3 * WEI
        ),
        TransferRecord(
            TransferKind.NATIVE, "0x" + "02" * 32, 200, _at(SENT), me, other, WEI, fee=10**15
        ),
    ]
    state = AccountState(2 * WEI - 10**15, 2 * WEI - 10**15, 1, 1, 300, _at(TODAY))
    EvmStore(w.database).apply(eth.id, "ethereum", SyncChanges(state, {}, records))
    return w


def test_the_report_is_priced_by_the_daily_closes_of_the_service(wallet: Wallet) -> None:
    prices = service(wallet, Waits())
    lookup = ServicePrices(prices)
    found = wallet.tax_events(lookup, "EUR")
    assert found.missing == ()
    acquire = next(e for e in found.events if isinstance(e, Acquire))
    fee = next(e for e in found.events if isinstance(e, Fee))
    send = next(e for e in found.events if isinstance(e, Dispose))
    # Differential: each value is quantity x the service's own close of that day in EUR.
    assert acquire.cost == 3 * prices.quote("ETH", "EUR", RECEIVED).rate
    assert send.proceeds == prices.quote("ETH", "EUR", SENT).rate
    assert fee.value == Decimal("0.001") * prices.quote("ETH", "EUR", SENT).rate
    report = wallet.tax_report(TODAY.year, lookup, base="EUR")
    # FIFO: the send and the fee use 1.001 of the 3 ETH received, at a third of its cost each.
    unit = acquire.cost / 3
    expected = (send.proceeds or 0) + (fee.value or 0) - unit * Decimal("1.001")
    assert abs(report.gain - expected) < Decimal("1e-20")
    assert report.flagged == ()


def test_a_provider_down_lists_every_day_missing_and_is_not_asked_again(wallet: Wallet) -> None:
    for name in ("coingecko", "cryptocompare", "ecb"):
        wallet.settings.set_price_provider_url(name, "http://127.0.0.1:9/")  # nothing listens
    prices = service(wallet, Waits())
    found = wallet.tax_events(ServicePrices(prices), "EUR")
    # One line per day (the send and its fee share theirs): the first names the provider that
    # failed; after it the service is asked from its cache alone.
    first, second = found.missing
    assert "cannot be reached" in first
    assert "offline" in second
    assert all(e.cost is None for e in found.events if isinstance(e, Acquire))
    asked = prices.requests_made
    ServicePrices(prices, online=False).price("ETH", SENT, "EUR")
    assert prices.requests_made == asked  # offline: the cache alone


def test_a_points_programme_has_no_price_and_says_why(wallet: Wallet) -> None:
    quote = ServicePrices(service(wallet, Waits())).price("points:Miles", SENT, "EUR")
    assert quote.value is None
    assert "points:Miles" in quote.reason
