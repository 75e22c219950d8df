"""The history page's details and replacements: a transaction's value then and now (each with
its rate's source and time, or unknown with why), and a fee bump of a pending payment through
the send page's review and ``Wallet.sign``; a speed-up and a cancel of a pending EVM payment
on anvil (mining only when told); offscreen.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import QModelIndex

from chains.evm.jsonrpc import JsonRpcBackend
from chains.registry import EvmNetwork, get_network
from gui.main_window import MainWindow
from gui.pages.history import HistoryPage
from gui.privacy import MASK
from tests.conftest import ABANDON, PASSWORD
from tests.nodes.evm import AnvilDevnet, AnvilNode
from wallet import EvmAccount, UtxoDraft, Wallet
from wallet.types import TxStatus

EXTERNAL_BTC = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
FRIEND = "0x" + "5e" * 20
LOCAL = get_network("evm-local")
assert isinstance(LOCAL, EvmNetwork)
ETH = 10**18


@dataclass
class EvmPending:
    """A wallet file with a pending EVM payment on an anvil that mines only when told."""

    path: Path
    txid: str
    address: str
    backend: JsonRpcBackend


@pytest.fixture
def pending(tmp_path: Path) -> tuple[Path, str]:
    """A wallet with a confirmed funding and a pending payment that signals BIP-125."""
    path = tmp_path / "history.coffer"
    with Wallet.create(path, PASSWORD, ABANDON) as w:
        btc = w.account("bitcoin-regtest")
        devnet = w.devnet("bitcoin-regtest")
        devnet.fund(btc.receive_address(), Decimal("0.5"))
        devnet.mine(1)
        w.sync()
        draft = btc.prepare_send(EXTERNAL_BTC, Decimal("0.01"), fee_rate=2)
        txid = btc.broadcast(w.sign(draft))
    return path, txid


def _open(qtbot, path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(path, live_updates=False)
    qtbot.addWidget(window)
    window.show()
    window.password_edit.setText(PASSWORD)
    window.unlock()
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 1, timeout=60_000)
    window.sync()
    qtbot.waitUntil(lambda: not window.session.syncing, timeout=120_000)
    window.nav.setCurrentRow(window.pages.indexOf(window.history_page))
    return window


def _index(qtbot, page: HistoryPage, txid: str) -> QModelIndex:  # type: ignore[no-untyped-def]
    model = page.model
    assert model is not None
    found: list[QModelIndex] = []

    def shown() -> bool:
        # The model reads on a worker: wait for the count and each page.
        if model.loading:
            return False
        rows = [model.row_at(row) for row in range(model.rowCount())]
        found[:] = [model.index(n, 0) for n, r in enumerate(rows) if r and r.txid == txid]
        return bool(found) or all(r is not None for r in rows)

    qtbot.waitUntil(shown, timeout=60_000)
    if not found:
        raise AssertionError(f"{txid} is not in the table")
    return found[0]


def test_bump_fee_from_the_history_is_reviewed(qtbot, pending: tuple[Path, str]) -> None:  # type: ignore[no-untyped-def]
    path, original = pending
    window = _open(qtbot, path)
    page = window.history_page
    index = _index(qtbot, page, original)
    row = page.row_of(index)
    assert row is not None
    assert row.status is TxStatus.PENDING
    # The context menu offers the details and, for a pending own payment, a fee bump.
    menu = page.menu_for(index)
    assert menu is not None
    assert [a.text() for a in menu.actions()] == ["Details...", "Bump fee..."]
    # The confirmed funding allows no replacement: no button, no menu entry.
    funding = next(r for r in window.session.require().history.iter_rows() if r.txid != original)
    assert page.replacements(funding) == []
    window.session.require().use_sample_prices()  # the fee gets a value in the base currency
    dialog = page.details(index)
    assert dialog is not None
    assert list(dialog.action_buttons) == ["bump"]
    dialog.action_buttons["bump"].click()
    send = window.send_page
    qtbot.waitUntil(lambda: send.steps.currentIndex() == 1, timeout=60_000)
    assert window.pages.currentWidget() is send
    draft = send.draft
    assert isinstance(draft, UtxoDraft)
    assert (draft.kind, draft.replaces) == ("bump", original)
    review = send.review_text.text()
    assert "Fee bump (replace-by-fee)" in review
    assert f"Replaces:</b> <tt>{original}</tt>" in review
    assert EXTERNAL_BTC in review
    fee_line = next(line for line in review.split("<br>") if line.startswith("<b>Fee:</b>"))
    assert ", from sample at " in fee_line  # the fee in the base currency, with its rate
    window.hide_action.setChecked(True)  # the review masks its amounts at once
    masked = next(
        line for line in send.review_text.text().split("<br>") if line.startswith("<b>Fee:</b>")
    )
    assert masked.count(MASK) == 2  # the fee in the coin and in the currency
    window.hide_action.setChecked(False)
    send.sign_and_send()
    qtbot.waitUntil(lambda: send.steps.currentIndex() == 2, timeout=60_000)
    devnet = window.session.require().devnet("bitcoin-regtest")
    assert devnet.status().mempool_size == 1  # the node dropped what was replaced
    devnet.mine(1)
    window.sync()
    qtbot.waitUntil(lambda: not window.session.syncing, timeout=120_000)
    statuses = {r.txid: r.status for r in window.session.require().history.iter_rows()}
    assert statuses[send.txid] is TxStatus.CONFIRMED  # the node mined the replacement
    assert statuses[original] is TxStatus.REPLACED


def test_a_failed_bump_is_said_on_the_page(qtbot, pending: tuple[Path, str]) -> None:  # type: ignore[no-untyped-def]
    path, original = pending
    window = _open(qtbot, path)
    page = window.history_page
    row = page.row_of(_index(qtbot, page, original))
    assert row is not None
    window.session.require().devnet("bitcoin-regtest").mine(1)
    window.sync()  # now confirmed: the API refuses, the page says why and stays
    qtbot.waitUntil(lambda: not window.session.syncing, timeout=120_000)
    page.replace(row, "bump")
    qtbot.waitUntil(lambda: page.action_error.text() != "", timeout=60_000)
    assert "confirmed" in page.action_error.text()
    assert window.pages.currentWidget() is page
    assert window.send_page.draft is None


def test_value_then_and_now_with_source_or_reason(qtbot, pending: tuple[Path, str]) -> None:  # type: ignore[no-untyped-def]
    path, original = pending
    window = _open(qtbot, path)
    page = window.history_page
    wallet = window.session.require()
    funding = next(r for r in wallet.history.iter_rows() if r.txid != original)
    index = _index(qtbot, page, funding.txid)
    dialog = page.details(index)
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.loading, timeout=60_000)
    reason = "unknown: a test network's coins have no market value"
    assert dialog.value_then.text() == reason
    assert dialog.value_now.text() == reason
    dialog.reject()
    # At the bundled sample prices the devnet coin is valued as bitcoin: now is known, with
    # its source and time; the day's close is in no cache, so then is unknown, with why.
    wallet.use_sample_prices()
    dialog = page.details(index)
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.loading, timeout=60_000)
    values = dialog.values
    assert values is not None
    now = values.now
    assert now.value is not None
    assert now.value == (Decimal("0.5") * (now.price or 0)).quantize(Decimal("0.01"))
    value_line, rate_line = dialog.value_now.text().split("\n")
    assert value_line != MASK
    assert rate_line.startswith("1 rBTC = ")
    assert ", from sample at " in rate_line
    assert dialog.value_then.text().startswith("unknown: ")
    assert dialog.value_then.text() != "unknown: "
    assert dialog.ask_online.isEnabled()  # then may be known to a provider
    # Hidden balances: the value is masked at once; the rate (no balance) stays.
    window.hide_action.setChecked(True)
    assert dialog.value_now.text().split("\n") == [MASK, rate_line]


@pytest.fixture
def evm_pending(anvil_factory: Callable[..., AnvilNode], tmp_path: Path) -> Iterator[EvmPending]:
    """An anvil that mines only when told, a wallet on it with a pending payment."""
    anvil = anvil_factory(31337)
    backend = JsonRpcBackend(LOCAL, [anvil.http_url])
    path = tmp_path / "evm.coffer"
    with Wallet.create(path, PASSWORD) as w:
        w.backends.set_servers("evm-local", [anvil.http_url])
        acct = w.account("evm-local")
        assert isinstance(acct, EvmAccount)
        AnvilDevnet(backend).fund(acct.address, ETH)
        acct.sync()
        backend.request("evm_setAutomine", False)
        txid = acct.broadcast(w.sign(acct.prepare_send(FRIEND, "0.1", fee="slow")))
        address = acct.address
    yield EvmPending(path, txid, address, backend)
    backend.close()


def _replace_evm(qtbot, pending: EvmPending, kind: str) -> tuple[MainWindow, str]:  # type: ignore[no-untyped-def]
    window = _open(qtbot, pending.path)
    page = window.history_page
    index = _index(qtbot, page, pending.txid)
    menu = page.menu_for(index)
    assert menu is not None
    assert [a.text() for a in menu.actions()] == ["Details...", "Speed up...", "Cancel..."]
    dialog = page.details(index)
    assert dialog is not None
    assert list(dialog.action_buttons) == ["speed-up", "cancel"]
    dialog.action_buttons[kind].click()
    send = window.send_page
    qtbot.waitUntil(lambda: send.steps.currentIndex() == 1, timeout=60_000)
    assert window.pages.currentWidget() is send
    assert f"Replaces:</b> <tt>{pending.txid}</tt>" in send.review_text.text()
    send.sign_and_send()
    qtbot.waitUntil(lambda: send.steps.currentIndex() == 2, timeout=60_000)
    pending.backend.request("evm_mine")
    window.sync()
    qtbot.waitUntil(lambda: not window.session.syncing, timeout=120_000)
    statuses = {r.txid: r.status for r in window.session.require().history.iter_rows()}
    assert statuses[pending.txid] is TxStatus.REPLACED
    assert statuses[send.txid] is TxStatus.CONFIRMED  # the node mined the replacement
    return window, send.txid


@pytest.mark.nodes
def test_speed_up_from_the_history(qtbot, evm_pending: EvmPending) -> None:  # type: ignore[no-untyped-def]
    window, _txid = _replace_evm(qtbot, evm_pending, "speed-up")
    assert "Speed-up" in window.send_page.review_text.text()
    assert evm_pending.backend.get_balance(FRIEND) == ETH // 10  # paid once


@pytest.mark.nodes
def test_cancel_from_the_history(qtbot, evm_pending: EvmPending) -> None:  # type: ignore[no-untyped-def]
    window, _txid = _replace_evm(qtbot, evm_pending, "cancel")
    review = window.send_page.review_text.text()
    assert "Cancellation" in review
    assert evm_pending.address.lower() in review.lower()  # nothing, to yourself
    assert evm_pending.backend.get_balance(FRIEND) == 0


def test_details_closed_before_the_prices_come(qtbot, pending: tuple[Path, str]) -> None:  # type: ignore[no-untyped-def]
    path, original = pending
    window = _open(qtbot, path)
    page = window.history_page
    dialog = page.details(_index(qtbot, page, original))
    assert dialog is not None
    dialog.reject()  # closed at once: deleted, and the values that come later are dropped
    assert page.dialog is None
    window.session.pool.waitForDone(60_000)
    qtbot.waitUntil(lambda: window.activity.text() == "", timeout=60_000)
    again = page.details(_index(qtbot, page, original))
    assert again is not None
    qtbot.waitUntil(lambda: not again.loading, timeout=60_000)
    assert again.value_now.text().startswith("unknown: ")
