"""The portfolio and net worth, priced by a local replay of the providers' documented formats
(``tests/price_replay.py``): rows per holding, unknown rows with their reason, a total exact to
the cent, allocation, 24-hour change, net worth per day, and another holdings source plugged in.

The Ethereum account's balances and history are what a sync stores (``EvmStore.apply``, the
store's own write path), so no node is needed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from chains.evm.history import TransferKind, TransferRecord
from tests.price_replay import ReplayServer
from tests.unit.test_prices import NOW, TODAY, Waits, ecb_rates, make_market, service
from wallet import BalanceChange, Holding, HoldingKind, Wallet
from wallet.errors import UnknownCurrency, WalletError
from wallet.evm.store import AccountState, EvmStore, SyncChanges
from wallet.money.portfolio import build_portfolio, net_worth
from wallet.money.prices import PriceService
from wallet.money.prices.sample import DevnetsAsSample, load_sample_prices, sample_portfolio_lines

USDC_CHECKSUM = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"
WEI = 10**18


class Bank:
    """A second holdings source, as the fiat accounts will be: one EUR and one JPY account."""

    name = "bank"

    def holdings(self) -> list[Holding]:
        return [
            Holding(
                HoldingKind.FIAT, "Bank: checking", "EUR", "EUR", Decimal("1200.50"), "", "bank"
            ),
            Holding(HoldingKind.FIAT, "Bank: yen", "JPY", "JPY", Decimal("10000"), "", "bank"),
        ]

    def changes(self) -> list[BalanceChange]:
        return [
            BalanceChange("Bank: checking", "EUR", TODAY - timedelta(days=3), Decimal("200.50"))
        ]


def _at(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, 12, tzinfo=UTC).timestamp())


@pytest.fixture
def waits() -> Waits:
    return Waits()


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
    w.account("bitcoin")  # never synced: an unknown row
    eth = w.account("ethereum")
    me = eth.receive_address()
    other = "0x" + "22" * 20
    records = [
        TransferRecord(
            TransferKind.NATIVE,
            "0x" + "01" * 32,
            100,
            _at(TODAY - timedelta(days=5)),
            other,
            me,
            3 * WEI,
        ),
        TransferRecord(
            TransferKind.NATIVE,
            "0x" + "02" * 32,
            200,
            _at(TODAY - timedelta(days=2)),
            me,
            other,
            WEI,
        ),
    ]
    state = AccountState(2 * WEI, 2 * WEI, 1, 1, 300, int(NOW))
    changes = SyncChanges(state, {USDC_CHECKSUM: 1500 * 10**6}, records)
    EvmStore(w.database).apply(eth.id, "ethereum", changes)
    w.add_holdings_source(Bank())
    return w


def test_every_holding_is_valued_and_the_total_is_the_sum_to_the_cent(
    wallet: Wallet, waits: Waits
) -> None:
    folio = build_portfolio(wallet.holdings_sources, service(wallet, waits), "EUR")
    usd_per_eur = ecb_rates(TODAY)["USD"]
    rows = {(r.holding.account.split()[0], r.holding.symbol): r for r in folio.rows}
    eth = rows[("ethereum", "ETH")]
    assert eth.value == (2 * Decimal(3500) / usd_per_eur).quantize(Decimal("0.01"))
    assert eth.source == "coingecko+ecb"
    assert eth.change_24h == Decimal("-2.5")
    usdc = rows[("ethereum", "USDC")]
    assert usdc.value == (1500 * Decimal("0.9998") / usd_per_eur).quantize(Decimal("0.01"))
    assert rows[("Bank:", "EUR")].value == Decimal("1200.50")
    assert rows[("Bank:", "JPY")].value == (Decimal(10000) / Decimal("162.50")).quantize(
        Decimal("0.01")
    )
    btc = rows[("bitcoin", "BTC")]
    assert btc.value is None
    assert btc.unknown_reason == "not synced"
    assert folio.unknown == 1
    assert folio.total == sum(r.value for r in folio.rows if r.value is not None)
    assert folio.total.as_tuple().exponent == -2
    assert {a.key for a in folio.by_kind} == {"coin", "token", "fiat"}
    assert sum(a.value for a in folio.by_asset) == folio.total
    assert folio.by_asset[0].value >= folio.by_asset[-1].value


def test_the_24_hour_change_is_weighted_by_value(wallet: Wallet, waits: Waits) -> None:
    folio = build_portfolio(wallet.holdings_sources, service(wallet, waits), "EUR")
    expected = Decimal(0)
    for r in folio.rows:
        if r.value is not None and r.change_24h is not None:
            expected += r.value - r.value * 100 / (100 + r.change_24h)
    assert folio.change_24h == expected.quantize(Decimal("0.01"))
    assert folio.change_24h < 0  # ether fell 2.5%, USDC rose 0.01%


def test_a_yen_portfolio_has_no_minor_unit(wallet: Wallet, waits: Waits) -> None:
    folio = build_portfolio(wallet.holdings_sources, service(wallet, waits), "JPY")
    assert folio.total.as_tuple().exponent == 0
    yen = next(r for r in folio.rows if r.holding.symbol == "JPY")
    assert yen.value == Decimal(10000)


def test_a_provider_down_marks_rows_unknown_never_zero(
    wallet: Wallet, waits: Waits, replay: ReplayServer
) -> None:
    replay.close()
    folio = build_portfolio(wallet.holdings_sources, service(wallet, waits), "EUR")
    crypto = [r for r in folio.rows if r.holding.kind is not HoldingKind.FIAT]
    assert all(r.value is None for r in crypto)
    assert all("cannot be reached" in r.unknown_reason for r in crypto if r.holding.asset)
    assert folio.total == Decimal("1200.50")  # euros in euros need no rate
    assert folio.unknown == len(crypto) + 1  # the yen account needs the ECB


def test_net_worth_per_day_from_balances_and_closes(wallet: Wallet, waits: Waits) -> None:
    start, end = TODAY - timedelta(days=7), TODAY - timedelta(days=1)
    series = net_worth(wallet.holdings_sources, service(wallet, waits), start, end, "USD")
    by_day = {p.day: p for p in series.points}
    assert [p.day for p in series.points] == [start + timedelta(days=i) for i in range(7)]

    def fiat(day: date) -> Decimal:
        eur = Decimal("1000.00") if day < TODAY - timedelta(days=3) else Decimal("1200.50")
        rates = ecb_rates(max(d for d in by_day if d <= day and d.weekday() < 5))
        return (eur * rates["USD"]).quantize(Decimal("0.01")) + (
            Decimal(10000) / rates["JPY"] * rates["USD"]
        ).quantize(Decimal("0.01"))

    six_days_ago = TODAY - timedelta(days=6)  # before the 3 ETH came in: no ether yet
    usdc = Decimal(1500)  # its history is not in the records: held all along
    assert by_day[six_days_ago].value == fiat(six_days_ago) + usdc
    four = TODAY - timedelta(days=4)  # 3 ETH at 3000 USD
    assert by_day[four].value == Decimal(9000) + fiat(four) + usdc
    one = TODAY - timedelta(days=1)  # 2 ETH after sending one
    assert by_day[one].value == Decimal(6000) + fiat(one) + usdc
    assert all(("BTC", "not synced") in p.missing for p in series.points)
    assert not by_day[one].complete


def test_net_worth_refuses_bad_ranges_and_currencies(wallet: Wallet, waits: Waits) -> None:
    prices = service(wallet, waits)
    with pytest.raises(WalletError, match="before it starts"):
        net_worth(wallet.holdings_sources, prices, TODAY, TODAY - timedelta(days=2))
    with pytest.raises(UnknownCurrency):
        build_portfolio(wallet.holdings_sources, prices, "ZZZ")


def test_the_wallet_api_reaches_the_portfolio(wallet: Wallet) -> None:
    folio = wallet.portfolio("EUR", online=False)  # nothing cached: every price unknown
    assert folio.total == Decimal("1200.50")  # the euro account needs no rate
    assert folio.unknown == len(folio.rows) - 1
    assert wallet.net_worth(
        TODAY - timedelta(days=2), TODAY - timedelta(days=1), "EUR", online=False
    ).points


class Devnet:
    """The crypto source as the demo sees it: devnet coins and a devnet token, no value."""

    name = "crypto"

    def holdings(self) -> list[Holding]:
        why = "a test network's coins have no market value"
        return [
            Holding(
                HoldingKind.COIN,
                "bitcoin-regtest #0",
                None,
                "rBTC",
                Decimal("2"),
                why,
                "crypto",
                "bitcoin-regtest",
            ),
            Holding(
                HoldingKind.TOKEN,
                "evm-embedded #0",
                None,
                "CDT",
                Decimal("750"),
                why,
                "crypto",
                "evm-embedded",
            ),
        ]

    def changes(self) -> list[BalanceChange]:
        return []


def test_sample_prices_value_devnet_coins_and_say_so(abandon_wallet: Wallet) -> None:
    prices = PriceService(abandon_wallet.database, now=lambda: NOW)
    assert load_sample_prices(abandon_wallet.database, NOW) == 9
    folio = build_portfolio([DevnetsAsSample(Devnet()), Bank()], prices, "EUR", online=False)
    btc, token, eur, yen = folio.rows
    assert btc.value == (2 * Decimal("67250.00") / Decimal("1.0850")).quantize(Decimal("0.01"))
    assert btc.source == "sample"
    assert "sample" in btc.holding.account
    assert token.value is None  # a devnet token is not given a coin's price
    assert eur.value == Decimal("1200.50")
    assert yen.source == "sample"
    lines = sample_portfolio_lines(abandon_wallet.database, [Devnet()], prices)
    assert "bundled sample data" in lines[0]
    assert any("Not counted, 2 row(s) unknown" in line for line in lines)  # not wrapped


def test_net_worth_from_the_first_transaction(wallet: Wallet, waits: Waits) -> None:
    series = net_worth(wallet.holdings_sources, service(wallet, waits), base="USD")
    assert series.points[0].day == TODAY - timedelta(days=5)  # the 3 ETH came in
    assert series.points[-1].day == TODAY - timedelta(days=1)
