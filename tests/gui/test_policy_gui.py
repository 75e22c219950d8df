"""The desktop app with a policy account (a recovery wallet), offscreen, on the Bitcoin devnet.

Policy accounts are ``UtxoAccount``\\ s: every page (dashboard, accounts, send, receive,
history, signing, settings) shows one, and a send from it goes through the same review and
signer (the owner's path, hot-signed and finalised with the miniscript satisfier), seen by the
devnet's node.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from gui.main_window import MainWindow
from tests.conftest import ABANDON, PASSWORD
from wallet import Wallet

NET = "bitcoin-regtest"
EXTERNAL_BTC = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"


@pytest.fixture
def recovery_wallet(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "owner.coffer"
    with Wallet.create(tmp_path / "heir.coffer", PASSWORD) as heir:
        heir_key = heir.custody.cosigner_key(NET)
    with Wallet.create(path, PASSWORD, ABANDON) as owner:
        account = owner.custody.create_recovery_wallet(NET, heir_key, 144, label="inheritance")
        owner.devnet(NET).fund(account.receive_address(), Decimal("0.5"))
        address = account.receive_address()
    return path, address


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


def _select(combo, text: str) -> None:  # type: ignore[no-untyped-def]
    combo.setCurrentIndex(next(i for i in range(combo.count()) if text in combo.itemText(i)))


def test_every_page_shows_a_policy_account_and_it_sends(qtbot, recovery_wallet) -> None:  # type: ignore[no-untyped-def]
    path, address = recovery_wallet
    window = _open(qtbot, path)
    for row in range(window.nav.count()):  # no page fails on an account without one key
        window.nav.setCurrentRow(row)
        qtbot.wait(50)
    model = window.accounts_model
    rows = [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]
    assert any("policy" in str(cells) and "0.5" in str(cells) for cells in rows), rows
    receive = window.receive_page
    _select(receive.account, "policy")
    assert receive.address.text().startswith("bcrt1q")  # P2WSH: a 32-byte witness program
    assert len(receive.address.text()) == 64
    page = window.send_page
    window.nav.setCurrentRow(2)
    _select(page.account, "policy")
    page.recipient.setText(EXTERNAL_BTC)
    page.amount.setText("0.1")
    assert page.recipient_error.text() == page.amount_error.text() == ""
    page.prepare()
    qtbot.waitUntil(lambda: page.steps.currentIndex() == 1, timeout=60_000)
    page.sign_and_send()
    qtbot.waitUntil(lambda: page.steps.currentIndex() == 2, timeout=60_000)
    assert page.txid in page.result.text()
    wallet = window.session.require()
    assert wallet.devnet(NET).status().mempool_size == 1
    assert address in {r.address for r in wallet.account(NET, 0, "policy").addresses(1)}
