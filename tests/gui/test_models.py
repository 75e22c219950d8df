"""Qt's model tester (``QAbstractItemModelTester`` through pytest-qt) on every item model of the
desktop app, filled from a wallet over the embedded devnets, with balances shown and hidden.

The history model is checked in ``test_history_model.py``, the accounts model in
``test_app.py``; here: the balances, the dashboard's holdings and coin control's coins.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt

from gui.i18n import install_translator
from gui.pages.accounts import BalancesModel, balance_rows
from gui.pages.coins import CoinsModel
from gui.pages.dashboard import HoldingsModel
from gui.privacy import MASK, Privacy
from tests.conftest import ABANDON, PASSWORD
from wallet import Wallet


@pytest.fixture
def wallet(tmp_path: Path):  # type: ignore[no-untyped-def]
    with Wallet.create(tmp_path / "m.coffer", PASSWORD, ABANDON) as w:
        btc = w.account("bitcoin-regtest")
        evm = w.account("evm-embedded")
        devnet = w.devnet("bitcoin-regtest")
        devnet.fund(btc.receive_address(), Decimal("0.5"))
        devnet.fund(btc.new_receive_address().address, Decimal("0.25"))
        w.devnet("evm-embedded").fund(evm.receive_address(), Decimal("1.5"))
        w.sync()
        yield w


def test_balances_model(qtmodeltester, wallet: Wallet) -> None:  # type: ignore[no-untyped-def]
    privacy = Privacy()
    model = BalancesModel(privacy)
    qtmodeltester.check(model)  # empty
    model.set_rows(balance_rows(wallet))
    assert model.rowCount() >= 2
    qtmodeltester.check(model)
    privacy.set_hidden(True)
    qtmodeltester.check(model)


def test_holdings_model(qtmodeltester, wallet: Wallet) -> None:  # type: ignore[no-untyped-def]
    privacy = Privacy()
    model = HoldingsModel(privacy)
    qtmodeltester.check(model)
    model.set_portfolio(wallet.portfolio(online=False))  # unknown values, with reasons
    qtmodeltester.check(model)
    wallet.use_sample_prices()
    model.set_portfolio(wallet.portfolio(online=False))
    assert model.rowCount() >= 2
    qtmodeltester.check(model)
    privacy.set_hidden(True)
    qtmodeltester.check(model)
    model.set_portfolio(None)
    qtmodeltester.check(model)


def test_coins_model(qtmodeltester, wallet: Wallet) -> None:  # type: ignore[no-untyped-def]
    btc = wallet.account("bitcoin-regtest")
    coins = btc.coins()
    assert len(coins) == 2
    privacy = Privacy()
    model = CoinsModel(coins, 8, "rBTC", privacy)
    qtmodeltester.check(model)
    first = model.index(0, 0)
    assert model.setData(first, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert model.chosen() == [coins[0].outpoint]
    assert model.chosen_value() == coins[0].value
    qtmodeltester.check(model)
    privacy.set_hidden(True)
    assert first.data() == MASK
    qtmodeltester.check(model)
    empty = CoinsModel([], 8, "rBTC", privacy)
    qtmodeltester.check(empty)


@pytest.mark.parametrize(
    "make",
    [
        lambda p: BalancesModel(p),
        lambda p: HoldingsModel(p),
        lambda p: CoinsModel([], 8, "rBTC", p),
    ],
    ids=["balances", "holdings", "coins"],
)
def test_column_titles_are_translated(qapp, make) -> None:  # type: ignore[no-untyped-def]
    model = make(Privacy())
    english = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    translator = install_translator(qapp, "zh_CN")
    try:
        chinese = [
            model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())
        ]
    finally:
        qapp.removeTranslator(translator)
    assert all(isinstance(t, str) and t for t in english)
    untranslated = [e for e, c in zip(english, chinese, strict=True) if e == c]
    assert untranslated == []
