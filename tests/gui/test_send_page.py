"""The send page's parts: fee presets with their targets, coin control, the amount's value in
the base currency, the address book and the result's explorer link; offscreen, on the devnets.
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

from gui.main_window import MainWindow
from gui.pages.send import SendPage
from tests.conftest import ABANDON, PASSWORD
from wallet import UtxoDraft, Wallet, format_amount

EXTERNAL_BTC = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"


@pytest.fixture
def two_coins(tmp_path: Path) -> Path:
    path = tmp_path / "send.coffer"
    with Wallet.create(path, PASSWORD, ABANDON) as w:
        btc = w.account("bitcoin-regtest")
        w.account("evm-embedded")
        devnet = w.devnet("bitcoin-regtest")
        devnet.fund(btc.receive_address(), Decimal("0.5"))
        devnet.fund(btc.new_receive_address().address, Decimal("0.25"))
        devnet.mine(1)
        w.sync()
        w.labels.set("addr", EXTERNAL_BTC, "Landlord")
        draft = btc.prepare_send(EXTERNAL_BTC, Decimal("0.01"))
        btc.broadcast(w.sign(draft))
        devnet.mine(1)
    return path


def _open(qtbot, path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(path, live_updates=False)
    qtbot.addWidget(window)
    window.show()
    window.password_edit.setText(PASSWORD)
    window.unlock()
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 1, timeout=60_000)
    window.sync()
    qtbot.waitUntil(lambda: not window.session.syncing, timeout=120_000)
    return window


def _bitcoin(qtbot, window: MainWindow) -> SendPage:  # type: ignore[no-untyped-def]
    page = window.send_page
    window.nav.setCurrentRow(2)
    page.account.setCurrentIndex(
        next(i for i in range(page.account.count()) if "regtest" in page.account.itemText(i))
    )
    qtbot.waitUntil(lambda: not page.fees.loading and not page.value.loading, timeout=60_000)
    return page


def test_fee_presets_say_rate_and_expected_time(qtbot, two_coins: Path) -> None:  # type: ignore[no-untyped-def]
    window = _open(qtbot, two_coins)
    page = _bitcoin(qtbot, window)
    presets = page.fees.presets
    assert presets is not None  # asked of the devnet's server, off the GUI thread
    texts = {str(page.fee.itemData(i)): page.fee.itemText(i) for i in range(page.fee.count())}
    normal = f"{presets.normal.sat_vb.normalize():f}"
    assert texts["normal"] == f"Normal: {normal} sat/vB, 6 blocks, about 60 min"
    assert texts["fast"].endswith("2 blocks, about 20 min")
    assert texts["slow"].endswith("25 blocks, about 250 min")
    # The EVM account's levels: each one's most per gas and the most a transfer costs.
    page.account.setCurrentIndex(
        next(i for i in range(page.account.count()) if "regtest" not in page.account.itemText(i))
    )
    qtbot.waitUntil(lambda: not page.fees.loading, timeout=60_000)
    assert [page.fee.itemData(i) for i in range(page.fee.count())] == ["normal", "fast", "slow"]
    levels = page.fees.evm_levels
    assert levels is not None  # asked of the node, off the GUI thread
    fast = levels.level("fast")
    gwei = f"{Decimal(fast.fee_per_gas).scaleb(-9).normalize():f}"
    most = f"{Decimal(fast.transfer_fee).scaleb(-18).normalize():f}"
    assert page.fee.itemText(1) == f"Fast: up to {gwei} gwei per gas, a transfer at most {most} ETH"
    assert "recent blocks" in page.fees.info.text()


def test_coin_control_spends_the_chosen_coin_only(qtbot, two_coins: Path) -> None:  # type: ignore[no-untyped-def]
    window = _open(qtbot, two_coins)
    page = _bitcoin(qtbot, window)
    dialog = page.choose_coins()
    assert dialog is not None
    model = dialog.model
    coins = [model.coin(r) for r in range(model.rowCount())]
    assert sorted(c.chain for c in coins) == [0, 1]  # a funding, the change of the payment
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Confirmations"
    quarter = next(r for r, c in enumerate(coins) if c.chain == 1)  # 0.25 less 0.01 and fee
    change = format_amount(coins[quarter].value, 8, "rBTC")
    checked = Qt.CheckState.Checked.value
    assert model.setData(model.index(quarter, 0), checked, Qt.ItemDataRole.CheckStateRole)
    assert model.index(quarter, 0).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    dialog.accept()
    assert page.chosen_coins == [coins[quarter].outpoint]
    assert page.coins_info.text() == f"1 coin chosen, {change}"
    page.recipient.setText(EXTERNAL_BTC)
    page.amount.setText("0.3")
    assert page.amount_error.text() == "That is more than the coins chosen."
    page.amount.setText("0.2")
    page.prepare()
    qtbot.waitUntil(lambda: page.steps.currentIndex() == 1, timeout=60_000)
    draft = page.draft
    assert isinstance(draft, UtxoDraft)
    assert [str(i.outpoint) for i in draft.inputs] == [coins[quarter].outpoint]
    assert coins[quarter].outpoint in page.review_text.text()
    # A test network's coin has no price: the fee's value says why.
    assert "; value unknown: a test network&#x27;s coins have no market value" in (
        page.review_text.text()
    )
    page.sign_and_send()
    qtbot.waitUntil(lambda: page.steps.currentIndex() == 2, timeout=60_000)
    assert window.session.require().devnet("bitcoin-regtest").status().mempool_size == 1
    # A devnet has no block explorer: the result says so rather than showing no link.
    assert "No explorer link: Bitcoin regtest has no block explorer." in page.result.text()
    assert page.txid in page.result.text()


def test_address_book_offers_past_recipients_with_labels(qtbot, two_coins: Path) -> None:  # type: ignore[no-untyped-def]
    window = _open(qtbot, two_coins)
    page = _bitcoin(qtbot, window)
    entries = [page.address_book.itemText(i) for i in range(page.address_book.count())]
    assert f"Landlord: {EXTERNAL_BTC}" in entries
    index = entries.index(f"Landlord: {EXTERNAL_BTC}")
    page.address_book.activated.emit(index)
    assert page.recipient.text() == EXTERNAL_BTC
    assert page.recipient_error.text() == ""


def test_amount_in_the_base_currency(qtbot, two_coins: Path) -> None:  # type: ignore[no-untyped-def]
    window = _open(qtbot, two_coins)
    page = _bitcoin(qtbot, window)
    # A test network's coin has no price: the field is off and says why.
    assert not page.value.edit.isEnabled()
    assert page.value.info.text() == ("Price unknown: a test network's coins have no market value")
    wallet = window.session.require()
    wallet.use_sample_prices()  # bundled rates, marked "sample": the devnet coin gets one
    page.account.setCurrentIndex(0 if page.account.currentIndex() else 1)
    page = _bitcoin(qtbot, window)
    row = page.value.row
    assert row is not None
    assert row.price is not None
    assert page.value.edit.isEnabled()
    assert "from sample at " in page.value.info.text()
    code = wallet.settings.base_currency
    # Typed in the currency: the coin amount is exact and rounded down.
    page.value.edit.setText("")
    page.value.edit.textEdited.emit("100")
    expected = (Decimal(100) * 10**8 / row.price).to_integral_value(rounding="ROUND_FLOOR")
    assert page.amount.text() == f"{Decimal(int(expected)).scaleb(-8).normalize():f}"
    # Typed in the coin: its value, to the cent.
    page.amount.setText("0.1")
    assert Decimal(page.value.edit.text()) == (Decimal("0.1") * row.price).quantize(Decimal("0.01"))
    assert page.value.code.text() == code


def test_the_result_links_to_the_explorer_where_there_is_one(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "main.coffer"
    with Wallet.create(path, PASSWORD, ABANDON) as w:
        w.account("evm-embedded")  # chosen first: nothing asks a main network's servers
        w.account("bitcoin")
    window = MainWindow(path, live_updates=False)
    qtbot.addWidget(window)
    window.password_edit.setText(PASSWORD)
    window.unlock()
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 1, timeout=60_000)
    page = window.send_page
    qtbot.waitUntil(lambda: not page.fees.loading and not page.value.loading, timeout=60_000)
    wallet = window.session.require()
    page.review_account = wallet.account("bitcoin")
    txid = "ab" * 32
    page.show_result(txid)
    link = wallet.settings.transaction_link("bitcoin", txid)
    assert link is not None
    assert link.endswith("/tx/" + txid)
    assert f'<a href="{link}">See it on the explorer</a>' in page.result.text()
    assert page.result.openExternalLinks()
    assert page.steps.currentIndex() == 2
