"""Tax report, budgets and on-ramp purchases through the wallet's API, on the embedded devnet.

The devnet is a real regtest chain in-process (libbitcoinkernel): the receives, the transfer
between two own accounts and the send to someone else are real transactions. Prices come
from a price table written here (a ``PriceLookup``), not from a provider. MoonPay is a remote
third party: its part is only the signed URL; the coins it would send are paid by the
devnet's faucet in its place.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

import pytest

from chains.addresses import parse_address
from chains.utxo.devnet import BitcoinDevnet
from tests.conftest import ABANDON, PASSWORD
from wallet import Wallet
from wallet.accounts import UtxoAccount
from wallet.errors import (
    InvalidAmount,
    InvalidTaxMethod,
    NoTaxData,
    OnRampKeyMissing,
    UnknownCategory,
    UnknownCurrency,
    UnknownProvider,
    Unsupported,
)
from wallet.money.budgets import SpendingLine
from wallet.money.tax import Acquire, Dispose, PriceTable, Transfer

NET = "bitcoin-regtest"
EXTERNAL = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
SECRET = "sk_test_Do-Not-Leak-7f3a9c"


@pytest.fixture
def devnet() -> Iterator[BitcoinDevnet]:
    with BitcoinDevnet() as chain:
        chain.mine(101)
        yield chain


@pytest.fixture
def wallet(tmp_path: Path, devnet: BitcoinDevnet) -> Iterator[Wallet]:
    with Wallet.create(tmp_path / "w.coffer", PASSWORD, ABANDON) as w:
        w.backends.use(NET, devnet)
        yield w


def _utxo(wallet: Wallet, index: int) -> UtxoAccount:
    account = wallet.account(NET, index)
    assert isinstance(account, UtxoAccount)
    return account


def _fund(devnet: BitcoinDevnet, account: UtxoAccount, address: str, sats: int) -> str:
    txid = devnet.fund(parse_address(account.utxo_network, address).script_pubkey, sats)
    devnet.mine(1)
    return txid


def _prices(day: date, value: str = "50000") -> PriceTable:
    return PriceTable({("rBTC", day, "EUR"): Decimal(value)})


def test_receive_transfer_and_send_become_acquire_transfer_fee_and_dispose(
    wallet: Wallet, devnet: BitcoinDevnet
) -> None:
    a, b = _utxo(wallet, 0), _utxo(wallet, 1)
    funded = _fund(devnet, a, a.receive_address(), 100_000_000)
    a.sync()
    draft = a.prepare_send(
        EXTERNAL, Decimal("0.1"), fee_rate=2, recipients=[(b.receive_address(), "0.4")]
    )
    sent = a.broadcast(wallet.sign(draft))
    devnet.mine(1)
    a.sync()
    b.sync()
    fee = next(e.fee for e in a.history() if e.txid == sent)
    assert fee is not None
    day_of = {e.txid: datetime.fromtimestamp(e.timestamp or 0, UTC).date() for e in a.history()}
    prices = PriceTable({("rBTC", d, "EUR"): Decimal("50000") for d in set(day_of.values())} | {})
    found = wallet.tax_events(prices, "EUR")
    kinds = sorted((type(e).__name__, e.ref[:8], e.quantity) for e in found.events)
    fee_coins = Decimal(fee).scaleb(-8)
    assert kinds == sorted(
        [
            ("Acquire", funded[:8], Decimal(1)),
            ("Transfer", sent[:8], Decimal("0.4")),
            ("Dispose", sent[:8], Decimal("0.1")),
            ("Fee", sent[:8], fee_coins),
        ]
    )
    assert found.missing == ()
    (dispose,) = [e for e in found.events if isinstance(e, Dispose)]
    assert dispose.proceeds == Decimal("5000")  # 0.1 x 50000
    (transfer,) = [e for e in found.events if isinstance(e, Transfer)]
    assert (transfer.source, transfer.destination) == (
        f"{NET}#0:p2wpkh",
        f"{NET}#1:p2wpkh",
    )
    year = day_of[sent].year
    # Received 1 at 50000; 0.1 sent at 5000 costs 5000 (gain 0), the fee likewise; the
    # transfer to b is no disposal.
    report = wallet.tax_report(year, prices, method="fifo", pooling="per-account", base="EUR")
    assert [d.kind for d in report.disposals] == ["fee", "send"]
    assert report.gain == Decimal(0)
    assert report.flagged == ()
    # Per account: a keeps 1 - 0.4 - 0.1 - fee, b holds the 0.4 it was moved, costing 20000.
    held = {lot.pool: (lot.quantity, lot.cost) for lot in report.lots}
    assert held[f"{NET}#1:p2wpkh"] == (Decimal("0.4"), Decimal("20000.0"))
    assert held[f"{NET}#0:p2wpkh"][0] == Decimal("0.5") - fee_coins


def test_a_missing_price_is_listed_and_the_lot_flagged(
    wallet: Wallet, devnet: BitcoinDevnet
) -> None:
    a = _utxo(wallet, 0)
    _fund(devnet, a, a.receive_address(), 50_000_000)
    a.sync()
    found = wallet.tax_events(PriceTable({}), "EUR")
    (acquire,) = found.events
    assert isinstance(acquire, Acquire)
    assert acquire.cost is None
    assert len(found.missing) == 1
    assert "rBTC" in found.missing[0]


def test_a_year_without_data_and_a_bad_method_are_refused(wallet: Wallet) -> None:
    with pytest.raises(NoTaxData):
        wallet.tax_report(2001, PriceTable({}))
    with pytest.raises(InvalidTaxMethod):
        wallet.tax_report(2001, PriceTable({}), method="average")


def test_budgets_are_kept_in_the_file_and_report_chain_spending(
    tmp_path: Path, wallet: Wallet, devnet: BitcoinDevnet
) -> None:
    a = _utxo(wallet, 0)
    _fund(devnet, a, a.receive_address(), 100_000_000)
    a.sync()
    wallet.labels.set("addr", EXTERNAL, "Bob's bakery")
    wallet.budgets.add_category("bread", [("address-book", "bob's bakery")])
    wallet.budgets.set_budget("bread", "1000", "EUR", rollover=True)
    sent = a.broadcast(wallet.sign(a.prepare_send(EXTERNAL, Decimal("0.01"), fee_rate=2)))
    devnet.mine(1)
    a.sync()
    day = next(
        datetime.fromtimestamp(e.timestamp or 0, UTC).date() for e in a.history() if e.txid == sent
    )
    fiat = SpendingLine(
        day,
        Decimal("-12.50"),
        "EUR",
        "Bob's bakery",
        "BOB'S BAKERY card",
        (),
        "fiat:Checking",
        "f1",
    )
    wallet.budgets.add_category("bread", [("counterparty", "Bob's bakery")])
    report = wallet.budgets.report("EUR", _prices(day), first=day, last=day, extra_lines=[fiat])
    (bread,) = [m for m in report.months if m.category == "bread"]
    fee = next(e.fee for e in a.history() if e.txid == sent) or 0
    # 0.01 rBTC + fee at 50000 EUR, rounded to the cent, plus 12.50 EUR from the card.
    chain_eur = ((Decimal("0.01") + Decimal(fee).scaleb(-8)) * 50000).quantize(Decimal("0.01"))
    assert bread.spent == chain_eur + Decimal("12.50")
    assert bread.budget == Decimal(1000)
    path = wallet.path
    wallet.close()
    with Wallet.open(path, PASSWORD) as again:
        assert [c.name for c in again.budgets.categories()] == ["bread"]
        assert len(again.budgets.categories()[0].rules) == 2
        assert again.budgets.budgets()[0].rollover
        again.budgets.remove_category("bread")
        assert again.budgets.budgets() == []
        with pytest.raises(UnknownCategory):
            again.budgets.remove_category("bread")


def test_moonpay_url_is_signed_as_documented_and_the_purchase_recorded_on_arrival(
    wallet: Wallet, devnet: BitcoinDevnet, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(OnRampKeyMissing):
        wallet.onramp.buy("moonpay", NET)
    with pytest.raises(UnknownProvider):
        wallet.onramp.buy("wyre", NET)
    wallet.onramp.set_keys("moonpay", "pk_test_123", SECRET)
    assert wallet.onramp.keys_set("MoonPay")
    with pytest.raises(Unsupported):
        wallet.onramp.buy("moonpay", "polygon")
    link = wallet.onramp.buy("moonpay", NET, "eur", Decimal("100"))
    parts = urlsplit(link.url)
    assert parts.netloc == "buy-sandbox.moonpay.com"
    # MoonPay: Base64(HMAC-SHA256(secret, "?" + query without the signature)), URL-encoded.
    query, signature = parts.query.rsplit("&signature=", 1)
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), ("?" + query).encode(), hashlib.sha256).digest()
    )
    assert signature == quote(expected.decode(), safe="")
    fields = dict(parse_qsl(query))
    assert fields["walletAddress"] == link.target.address
    assert (fields["apiKey"], fields["currencyCode"], fields["baseCurrencyCode"]) == (
        "pk_test_123",
        "btc",
        "eur",
    )
    assert fields["externalTransactionId"] == f"coffer-{link.purchase_id}"

    # The provider's payment, made by the devnet's faucet in its place.
    a = _utxo(wallet, 0)
    assert wallet.onramp.check() == []
    txid = _fund(devnet, a, link.target.address, 25_000_000)
    a.sync()
    (bought,) = wallet.onramp.check()
    assert (bought.txid, bought.amount) == (txid, Decimal("0.25"))
    assert wallet.onramp.check() == []
    day = datetime.fromtimestamp(bought.received_at or 0, UTC).date()
    (acquire,) = wallet.tax_events(_prices(day), "EUR").events
    assert isinstance(acquire, Acquire)
    assert (acquire.kind, acquire.cost) == ("buy", Decimal(100))

    # The secret is in no log record, no repr, and not in the file's bytes.
    assert SECRET not in caplog.text
    assert SECRET not in repr(wallet.onramp)
    path = wallet.path
    wallet.close()
    assert SECRET.encode() not in path.read_bytes()


def test_moonpay_sell_url_is_signed_with_a_fresh_refund_address(
    wallet: Wallet, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(OnRampKeyMissing):
        wallet.onramp.sell("moonpay", NET)
    wallet.onramp.set_keys("moonpay", "pk_test_456", SECRET)
    with pytest.raises(UnknownProvider):
        wallet.onramp.sell("wyre", NET)
    with pytest.raises(Unsupported):
        wallet.onramp.sell("moonpay", "polygon")
    with pytest.raises(InvalidAmount):
        wallet.onramp.sell("moonpay", NET, "EUR", Decimal(0))
    with pytest.raises(UnknownCurrency):
        wallet.onramp.sell("moonpay", NET, "EURO")
    link = wallet.onramp.sell("moonpay", NET, "usd", Decimal("0.015"))
    parts = urlsplit(link.url)
    # MoonPay's off-ramp: the sell host (sandbox for test coins), signed as the buy widget is.
    assert (parts.scheme, parts.netloc) == ("https", "sell-sandbox.moonpay.com")
    query, signature = parts.query.rsplit("&signature=", 1)
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), ("?" + query).encode(), hashlib.sha256).digest()
    )
    assert signature == quote(expected.decode(), safe="")
    fields = dict(parse_qsl(query))
    assert fields == {
        "apiKey": "pk_test_456",
        "baseCurrencyCode": "btc",
        "quoteCurrencyCode": "usd",
        "refundWalletAddress": link.target.address,
        "baseCurrencyAmount": "0.015",
    }
    # The refund address is the account's next unused receive address.
    account = _utxo(wallet, 0)
    assert link.target.account_id == account.id
    owned = wallet.accounts_book.verify_address(NET, link.target.address)
    assert (owned.is_mine, owned.account_id) == (True, account.id)
    assert link.target.address == account.receive_address()
    again = wallet.onramp.sell("moonpay", NET)
    assert "baseCurrencyAmount" not in again.url
    assert SECRET not in caplog.text
    assert SECRET not in repr(link)


def test_a_budget_without_a_first_month_starts_this_month(abandon_wallet: Wallet) -> None:
    # A rollover from 1970 would carry fifty years of unspent budget into this month.
    before = datetime.now(UTC).date().replace(day=1)
    abandon_wallet.budgets.add_category("food")
    made = abandon_wallet.budgets.set_budget("food", "100", "EUR", rollover=True)
    after = datetime.now(UTC).date().replace(day=1)
    assert made.since in {before, after}
    report = abandon_wallet.budgets.report("EUR", PriceTable({}), first=after, last=after)
    assert [(m.carried, m.left) for m in report.months] == [(Decimal(0), Decimal(100))]
