"""A transaction's value then and now (``wallet.transaction_value``): each with its rate's
source and time, or unknown with the reason; never zero, never another day's rate.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import ABANDON, PASSWORD
from wallet import Wallet, coin_value, transaction_value
from wallet.errors import UnknownNetwork


def test_value_then_and_now_or_why_not(tmp_path: Path) -> None:
    with Wallet.create(tmp_path / "v.coffer", PASSWORD, ABANDON) as w:
        btc = w.account("bitcoin-regtest")
        w.devnet("bitcoin-regtest").fund(btc.receive_address(), Decimal("0.5"))
        w.sync()
        (row,) = list(w.history.iter_rows())
        # A test network's coin has no market value: both unknown, with the reason.
        plain = transaction_value(w.prices, w.holdings_sources, row, online=False)
        assert plain.then.value is None
        assert plain.now.value is None
        assert plain.now.reason == "a test network's coins have no market value"
        # At the bundled sample prices (the demo's), now is known, with its source and time;
        # then asks for the day's close, which nothing cached has: unknown, with why.
        w.use_sample_prices()
        valued = transaction_value(w.prices, w.holdings_sources, row, "USD", online=False)
        now = valued.now
        assert now.price is not None
        assert now.source == "sample"
        assert now.at is not None
        assert now.value == (Decimal("0.5") * now.price).quantize(Decimal("0.01"))
        assert now.currency == "USD"
        assert valued.then.value is None
        assert valued.then.price is None
        assert row.timestamp is not None
        day = datetime.fromtimestamp(row.timestamp, UTC).date()
        # The reason names the day whose close is missing.
        if day == w.prices.today():
            assert valued.then.reason == f"{day.isoformat()} has not ended yet"
        else:  # the test ran across midnight (UTC): nothing cached for that day, offline
            assert valued.then.reason.startswith(f"{day.isoformat()}: ")


def test_coin_value_of_a_fee(tmp_path: Path) -> None:
    with Wallet.create(tmp_path / "c.coffer", PASSWORD, ABANDON) as w:
        btc = w.account("bitcoin-regtest")
        w.devnet("bitcoin-regtest").fund(btc.receive_address(), Decimal("0.5"))
        w.sync()
        plain = coin_value(w.prices, w.holdings_sources, "bitcoin-regtest", 282, online=False)
        assert plain.value is None
        assert plain.reason == "a test network's coins have no market value"
        w.use_sample_prices()
        fee = coin_value(w.prices, w.holdings_sources, "bitcoin-regtest", 282, "USD", online=False)
        assert fee.price is not None
        assert fee.source == "sample"
        assert fee.value == (Decimal(282) / 10**8 * fee.price).quantize(Decimal("0.01"))
        # A network the wallet holds nothing on: unknown, with why.
        none = coin_value(w.prices, w.holdings_sources, "evm-embedded", 10**15, online=False)
        assert none.value is None
        assert none.reason.startswith("no price source for it")
        with pytest.raises(UnknownNetwork):
            coin_value(w.prices, w.holdings_sources, "nonet", 1, online=False)
