"""The desktop app's main paths, offscreen, on a wallet over the embedded devnets.

A real send from the GUI on the Bitcoin devnet and on the EVM devnet, seen by the node; the
history after a sync; auto-lock; hidden balances that leave no digit of a balance anywhere.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import QAbstractItemModel, QModelIndex
from PySide6.QtWidgets import QAbstractItemView, QLabel, QLineEdit, QWidget

from gui.main_window import MainWindow
from gui.privacy import MASK
from tests.conftest import ABANDON, PASSWORD
from wallet import Wallet

EXTERNAL_BTC = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
EXTERNAL_EVM = "0x000000000000000000000000000000000000dEaD"


@pytest.fixture
def funded(tmp_path: Path) -> Path:
    path = tmp_path / "gui.coffer"
    with Wallet.create(path, PASSWORD, ABANDON) as w:
        btc = w.account("bitcoin-regtest")
        evm = w.account("evm-embedded")
        w.devnet("bitcoin-regtest").fund(btc.receive_address(), Decimal("1.23456789"))
        w.devnet("evm-embedded").fund(evm.receive_address(), Decimal("2.718281828"))
    return path


def _open(qtbot, path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(path, live_updates=False)
    qtbot.addWidget(window)
    window.show()
    window.password_edit.setText(PASSWORD)
    window.unlock()
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 1, timeout=60_000)
    return window


def _sync(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.sync()
    qtbot.waitUntil(lambda: not window.session.syncing, timeout=120_000)


def _send(qtbot, window: MainWindow, network: str, to: str, amount: str) -> str:  # type: ignore[no-untyped-def]
    page = window.send_page
    window.nav.setCurrentRow(2)
    index = next(
        i for i in range(page.account.count()) if page.account.itemText(i).startswith(network)
    )
    page.account.setCurrentIndex(index)
    page.recipient.setText(to)
    page.amount.setText(amount)
    assert page.recipient_error.text() == ""
    assert page.amount_error.text() == ""
    page.prepare()
    qtbot.waitUntil(lambda: page.steps.currentIndex() == 1, timeout=60_000)
    assert to.lower() in page.review_text.text().lower()
    assert "never sent to" in page.warnings.text()  # a first payment
    page.sign_and_send()
    qtbot.waitUntil(lambda: page.steps.currentIndex() == 2, timeout=60_000)
    assert page.txid in page.result.text()
    return page.txid


def test_send_on_both_devnets_from_the_gui(qtbot, funded: Path) -> None:  # type: ignore[no-untyped-def]
    window = _open(qtbot, funded)
    _sync(qtbot, window)
    texts = [
        window.accounts_model.index(r, 3).data() for r in range(window.accounts_model.rowCount())
    ]
    assert "1.23456789" in texts
    assert "2.718281828" in texts
    btc_txid = _send(qtbot, window, "Bitcoin regtest", EXTERNAL_BTC, "0.1")
    evm_txid = _send(
        qtbot,
        window,
        window.session.require().account("evm-embedded").network.title,
        EXTERNAL_EVM,
        "0.5",
    )
    wallet = window.session.require()
    # The nodes have them: the Bitcoin devnet's mempool, the EVM devnet's chain.
    assert wallet.devnet("bitcoin-regtest").status().mempool_size == 1
    wallet.devnet("bitcoin-regtest").mine(1)
    _sync(qtbot, window)
    # Both confirmed, as the nodes report them after the sync.
    confirmed = {r.txid: r.confirmations for r in wallet.history.iter_rows() if r.confirmations > 0}
    assert confirmed[btc_txid] == 1
    assert confirmed[evm_txid] >= 1
    history = window.history_page
    window.nav.setCurrentRow(4)
    model = history.model
    assert model is not None

    def shows(count: int) -> bool:
        return not model.loading and model.rowCount() == count

    history.search.setText(btc_txid[:12])
    qtbot.waitUntil(lambda: shows(1), timeout=60_000)
    history.search.setText(evm_txid[2:14])
    qtbot.waitUntil(lambda: shows(1), timeout=60_000)
    history.search.clear()
    qtbot.waitUntil(lambda: shows(4), timeout=60_000)  # two receipts, two sends
    assert history.summary.text().startswith("4 ")


def test_bad_input_is_said_next_to_the_field(qtbot, funded: Path) -> None:  # type: ignore[no-untyped-def]
    window = _open(qtbot, funded)
    _sync(qtbot, window)
    page = window.send_page
    page.account.setCurrentIndex(
        next(i for i in range(page.account.count()) if "regtest" in page.account.itemText(i))
    )
    page.recipient.setText("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")
    assert "Bitcoin address" in page.recipient_error.text()
    page.recipient.setText(EXTERNAL_BTC[:-1] + "1")
    assert page.recipient_error.text()
    page.amount.setText("0.000000001")
    assert "decimal" in page.amount_error.text()
    page.amount.setText("5")
    assert "more than the balance" in page.amount_error.text()
    page.recipient.setText(EXTERNAL_BTC)
    page.amount.setText("0.5")
    assert page.recipient_error.text() == page.amount_error.text() == ""


def test_auto_lock_closes_the_wallet(qtbot, funded: Path) -> None:  # type: ignore[no-untyped-def]
    window = _open(qtbot, funded)
    window.autolock.set_interval_ms(200)
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 0, timeout=10_000)
    assert window.session.wallet is None
    assert window.history_page.model is None
    assert window.accounts_model.rowCount() == 0


def _every_text(widget: QWidget) -> list[str]:
    texts: list[str] = [widget.windowTitle(), widget.toolTip()]
    for child in widget.findChildren(QWidget):
        texts.append(child.toolTip())
        if isinstance(child, QLabel):
            texts.append(child.text())
        if isinstance(child, QLineEdit) and child.objectName() not in ("amount",):
            texts.append(child.text())
        if isinstance(child, QAbstractItemView) and child.model() is not None:
            model: QAbstractItemModel = child.model()
            for r in range(min(model.rowCount(QModelIndex()), 200)):
                for c in range(32):
                    index = model.index(r, c)
                    if not index.isValid():
                        break
                    for role in range(0, 40):
                        value = index.data(role)
                        if isinstance(value, str | int | Decimal):
                            texts.append(str(value))
    return texts


def test_hidden_balances_leave_no_digit_on_any_screen(qtbot, funded: Path) -> None:  # type: ignore[no-untyped-def]
    window = _open(qtbot, funded)
    _sync(qtbot, window)
    window.hide_action.setChecked(True)
    balances = ("1.23456789", "123456789", "2.718281828", "2718281828")
    # Coin control lists the coins (amounts masked) while the walk below looks at it.
    send = window.send_page
    send.account.setCurrentIndex(
        next(i for i in range(send.account.count()) if "regtest" in send.account.itemText(i))
    )
    coin_control = send.choose_coins()
    assert coin_control is not None
    assert coin_control.model.rowCount() == 1
    coin_control.model.set_chosen([coin_control.model.coin(0).outpoint])
    coin_control.accept()
    assert send.coins_info.text() == f"1 coin chosen, {MASK}"
    coin_control = send.choose_coins()
    # A transaction's details, valued at the sample prices: the value is masked too.
    window.session.require().use_sample_prices()
    history = window.history_page
    model = history.model
    assert model is not None
    qtbot.waitUntil(lambda: not model.loading and model.row_at(0) is not None, timeout=60_000)
    btc_row = next(
        r
        for r in range(model.rowCount())
        if model.row_at(r).symbol == "rBTC"  # type: ignore[union-attr]
    )
    details = history.details(model.index(btc_row, 0))
    assert details is not None
    qtbot.waitUntil(lambda: not details.loading, timeout=60_000)
    assert details.value_now.text().split("\n")[0] == MASK
    for row in range(window.nav.count()):
        window.nav.setCurrentRow(row)
        qtbot.wait(10)
        for text in _every_text(window):
            for secret in balances:
                assert secret not in text, (window.nav.item(row).text(), text)
    assert MASK in [
        window.accounts_model.index(r, 3).data() for r in range(window.accounts_model.rowCount())
    ]
    window.hide_action.setChecked(False)
    assert "1.23456789" in [
        window.accounts_model.index(r, 3).data() for r in range(window.accounts_model.rowCount())
    ]
    assert re.fullmatch("\u2022{6}", MASK)


def test_dashboard_total_rows_and_chart_agree(qtbot, funded: Path) -> None:  # type: ignore[no-untyped-def]
    window = _open(qtbot, funded)
    _sync(qtbot, window)
    page = window.dashboard_page
    # Without prices a devnet coin has no value: shown unknown with the reason, never 0.
    qtbot.waitUntil(lambda: page.portfolio is not None and not page.loading, timeout=60_000)
    assert page.portfolio is not None
    assert page.portfolio.unknown == 2
    values = [page.model.index(r, 4).data() for r in range(page.model.rowCount())]
    assert all(v is None or v.startswith("unknown: ") for v in values)
    assert "2 holdings without a known value" in page.note.text()
    # With the bundled sample prices (marked sample) every row is valued; a fiat account in
    # euros is converted at the sample ECB rate and listed under its own heading.
    window.session.require().use_sample_prices()
    window.session.require().fiat.add_account("Checking", "EUR", opening_balance=Decimal("1200.50"))
    page.reload()
    qtbot.waitUntil(lambda: not page.loading, timeout=60_000)
    folio = page.portfolio
    assert folio is not None
    assert folio.unknown == 0
    assert folio.total == sum(r.value for r in folio.rows if r.value is not None)
    assert folio.total == page.value_chart.points[-1][1]  # the chart ends at the total
    shown = [page.model.index(r, 0).data() for r in range(page.model.rowCount())]
    assert "Fiat accounts" in shown
    fiat = [r for r in folio.rows if r.holding.kind.value == "fiat"]
    assert len(fiat) == 1
    assert fiat[0].value is not None
    assert "sample" in page.note.text()
    tips = [page.model.index(r, 4).data(3) for r in range(page.model.rowCount())]
    assert any(t and t.startswith("Rate from sample at ") for t in tips)
    window.hide_action.setChecked(True)
    assert page.total.text() == "<h1>\u2022\u2022\u2022\u2022\u2022\u2022</h1>"
    assert str(folio.total) not in page.allocation.toolTip()
    assert "\u2022" in page.value_chart.toolTip()


def test_live_updates_without_pressing_sync(qtbot, funded: Path) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(funded, live_updates=True)
    qtbot.addWidget(window)
    window.password_edit.setText(PASSWORD)
    window.unlock()
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 1, timeout=60_000)
    qtbot.waitUntil(lambda: "Live updates on" in window.activity.text(), timeout=60_000)
    history = window.history_page
    assert history.model is not None
    qtbot.waitUntil(lambda: history.model.rowCount() == 1, timeout=60_000)  # the BTC funding
    wallet = window.session.require()
    btc = wallet.account("bitcoin-regtest")
    wallet.devnet("bitcoin-regtest").fund(btc.new_receive_address().address, Decimal("0.5"))
    qtbot.waitUntil(lambda: history.model.rowCount() == 2, timeout=60_000)
    confirmed = [
        window.accounts_model.index(r, 3).data() for r in range(window.accounts_model.rowCount())
    ]
    assert "1.73456789" in confirmed
    window.lock()
    assert window.session.wallet is None
