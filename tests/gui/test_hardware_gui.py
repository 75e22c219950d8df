"""Hardware wallets and Cancel in the desktop app (issue 17), offscreen.

No device exists on this machine. The app's path runs unchanged down to HWI's real
``HwiSigner`` (through ``export_from_device`` / ``show_address_on_device``); only the device
list and the HWI client are the stand-in of ``tests.hwi_standin`` (``SeedDevice``, a real
``hwilib`` client answered from the ``abandon`` test seed), put in ``session.hardware``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QPushButton

from gui.main_window import MainWindow
from gui.session import Hardware, Session
from gui.theme import DANGER_STYLE, GOOD_STYLE
from tests.conformance.suite import OTHER_SEED
from tests.conftest import ABANDON, PASSWORD, TEST_JUNK
from tests.hwi_standin import seed_opener, stand_in
from wallet import HardwareWallet, UtxoAccount, Wallet, export_from_device, signing_device

NET = "bitcoin-regtest"
EXTERNAL_BTC = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
GOOD_PASSWORD = "correct horse battery staple violin 1987!"


@pytest.fixture
def hot(tmp_path: Path) -> Iterator[Wallet]:
    """The seed the stand-in device holds."""
    with Wallet.create(tmp_path / "hot.coffer", PASSWORD, ABANDON) as wallet:
        yield wallet


def _window(qtbot, path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(path, live_updates=False)
    qtbot.addWidget(window)
    window.show()
    return window


def _unlock(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.password_edit.setText(PASSWORD)
    window.unlock()
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 1, timeout=60_000)


def test_onboarding_watches_an_account_read_from_the_device(  # type: ignore[no-untyped-def]
    qtbot, tmp_path: Path, hot: Wallet
) -> None:
    window = _window(qtbot, tmp_path / "none.coffer")
    opener, opened = seed_opener(hot)
    window.session.hardware = Hardware(find=lambda: [stand_in(hot)], open_client=opener)
    window.new_button.click()
    flow = window.onboarding
    flow.findChild(QPushButton, "startHardware").click()
    assert not flow.hardware.go.isEnabled()  # no device listed yet
    flow.hardware.find_devices()
    qtbot.waitUntil(lambda: flow.hardware.device.count() == 1, timeout=10_000)
    assert flow.hardware.device.itemText(0) == f"Stand-in device ({hot.fingerprint})"
    assert flow.hardware.error.text() == "Found 1 device."
    flow.hardware.network.setCurrentIndex(flow.hardware.network.findData(NET))
    flow.hardware.kind.setCurrentIndex(flow.hardware.kind.findData("p2tr"))
    flow.hardware.account_number.setValue(1)
    flow.hardware.path.setText(str(tmp_path / "hw.coffer"))
    flow.hardware.password.password.setText(GOOD_PASSWORD)
    flow.hardware.password.again.setText(GOOD_PASSWORD)
    flow.hardware.go.click()
    qtbot.waitUntil(
        lambda: window.stack.currentIndex() == 1 or "Making" not in flow.hardware.error.text(),
        timeout=60_000,
    )
    assert flow.hardware.error.text() == ""
    wallet = window.session.require()
    assert wallet.is_watch_only
    (account,) = wallet.accounts()
    assert isinstance(account, UtxoAccount)
    assert account.descriptor() == hot.account(NET, 1, "p2tr").descriptor()
    assert signing_device(account) == hot.fingerprint  # the device signs for it
    assert opened[0].closed
    window.close()


def test_no_device_found_is_said(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, tmp_path / "none.coffer")
    window.session.hardware = Hardware(find=list)
    window.new_button.click()
    flow = window.onboarding
    flow.findChild(QPushButton, "startHardware").click()
    flow.hardware.find_devices()
    qtbot.waitUntil(
        lambda: "No hardware wallet was found" in flow.hardware.error.text(), timeout=10_000
    )
    assert not flow.hardware.go.isEnabled()
    window.close()


@pytest.fixture
def watch_path(tmp_path: Path, hot: Wallet) -> Path:
    """A watch-only wallet of the device's account 0."""
    path = tmp_path / "watch.coffer"
    Wallet.create_watch_only(path, PASSWORD, imports=[(NET, hot.export_account(NET))]).close()
    return path


def test_receive_shows_the_address_on_the_device(  # type: ignore[no-untyped-def]
    qtbot, watch_path: Path, hot: Wallet
) -> None:
    window = _window(qtbot, watch_path)
    opener, opened = seed_opener(hot)
    window.session.hardware = Hardware(find=lambda: [stand_in(hot)], open_client=opener)
    _unlock(qtbot, window)
    page = window.receive_page
    window.nav.setCurrentRow(window.pages.indexOf(page))
    assert page.on_device.isVisible()
    address = page.address.text()
    page.on_device.click()
    qtbot.waitUntil(lambda: "same address" in page.device_check.text(), timeout=10_000)
    assert address in page.device_check.text()
    assert page.device_check.styleSheet() == GOOD_STYLE
    assert opened[0].displayed == ["m/84h/1h/0h/0/0"]
    window.close()


def test_a_device_that_shows_another_address_is_a_danger(  # type: ignore[no-untyped-def]
    qtbot, watch_path: Path, hot: Wallet
) -> None:
    window = _window(qtbot, watch_path)
    other = hot.account(NET).addresses(1, 7)[0].address
    opener, _ = seed_opener(hot, shows=other)
    window.session.hardware = Hardware(find=lambda: [stand_in(hot)], open_client=opener)
    _unlock(qtbot, window)
    page = window.receive_page
    window.nav.setCurrentRow(window.pages.indexOf(page))
    page.on_device.click()
    qtbot.waitUntil(lambda: "DANGER" in page.device_check.text(), timeout=10_000)
    assert other in page.device_check.text()
    assert page.device_check.styleSheet() == DANGER_STYLE
    assert page.qr.pixmap().isNull()  # the QR code of the address is taken away
    assert page.qr.text() == "Do not use this address."
    window.close()


def test_a_device_not_connected_is_said_next_to_the_button(  # type: ignore[no-untyped-def]
    qtbot, watch_path: Path
) -> None:
    window = _window(qtbot, watch_path)
    window.session.hardware = Hardware(find=list)
    _unlock(qtbot, window)
    page = window.receive_page
    window.nav.setCurrentRow(window.pages.indexOf(page))
    page.on_device.click()
    qtbot.waitUntil(
        lambda: "No connected hardware wallet" in page.device_check.text(), timeout=10_000
    )
    window.close()


def test_a_hot_wallet_has_no_device_button(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "hot.coffer"
    with Wallet.create(path, PASSWORD, ABANDON) as wallet:
        wallet.account(NET)
    window = _window(qtbot, path)
    _unlock(qtbot, window)
    page = window.receive_page
    window.nav.setCurrentRow(window.pages.indexOf(page))
    assert page.address.text()
    assert not page.on_device.isVisible()  # this wallet's own keys sign: nothing to ask
    window.close()


def test_a_cancelled_unlock_leaves_no_wallet_open(  # type: ignore[no-untyped-def]
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.coffer"
    Wallet.create(path, PASSWORD, ABANDON).close()
    closed: list[Wallet] = []
    original = Wallet.close

    def close(self: Wallet) -> None:
        closed.append(self)
        original(self)

    monkeypatch.setattr(Wallet, "close", close)
    window = _window(qtbot, path)
    window.password_edit.setText(PASSWORD)
    window.unlock()
    assert window.cancel_unlock.isVisible()
    # The KDF's result can only reach the page after this call returns: it is abandoned.
    window.cancel_unlock.click()
    assert window.status.text() == "Cancelled: the wallet stays locked."
    assert window.unlock_button.isEnabled()
    assert not window.cancel_unlock.isVisible()
    qtbot.waitUntil(lambda: len(closed) == 1, timeout=60_000)  # the late wallet is closed
    assert window.session.wallet is None
    assert window.stack.currentIndex() == 0
    # Unlocking again works as before.
    _unlock(qtbot, window)
    assert window.session.wallet is not None
    window.close()


def test_cancel_stops_a_sync_between_accounts(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "w.coffer"
    with Wallet.create(path, PASSWORD, ABANDON) as wallet:
        wallet.account(NET)
        wallet.account("evm-embedded")
    window = _window(qtbot, path)
    _unlock(qtbot, window)
    session = window.session
    qtbot.waitUntil(lambda: session.pool.activeThreadCount() == 0, timeout=60_000)
    # Hold the pool's one thread so the sync waits to start: Cancel lands before its first
    # account, whatever the machine's speed.
    session.pool.setMaxThreadCount(1)
    release = threading.Event()
    session.pool.start(lambda: release.wait(30))
    window.sync()
    assert window.cancel_action.isVisible()
    window.cancel_button.click()
    release.set()
    qtbot.waitUntil(lambda: not session.syncing, timeout=60_000)
    qtbot.waitUntil(lambda: session.pool.activeThreadCount() == 0, timeout=60_000)
    assert window.activity.text() == "The sync was cancelled; what was finished before is kept."
    assert window.sync_action.isEnabled()
    assert not window.cancel_action.isVisible()
    assert not any(a.history() for a in session.require().accounts())
    window.close()


def test_abandoned_work_hands_its_late_result_to_discard(qtbot) -> None:  # type: ignore[no-untyped-def]
    session = Session()
    session.pool.setMaxThreadCount(1)
    release = threading.Event()
    session.pool.start(lambda: release.wait(30))
    done: list[object] = []
    cancelled: list[bool] = []
    discarded: list[object] = []
    with qtbot.waitSignal(session.cancellable) as shown:
        session.run(
            lambda: "late",
            done.append,
            done.append,
            on_cancelled=lambda: cancelled.append(True),
            discard=discarded.append,
        )
    assert shown.args == [True]
    session.cancel()
    assert cancelled == [True]
    release.set()
    qtbot.waitUntil(lambda: discarded == ["late"], timeout=10_000)
    assert done == []


def test_a_watch_only_payment_is_signed_on_the_device_from_the_signing_page(  # type: ignore[no-untyped-def]
    qtbot, tmp_path: Path, hot: Wallet
) -> None:
    opener, opened = seed_opener(hot)
    text = export_from_device(stand_in(hot), NET, open_client=opener)
    path = tmp_path / "watch.coffer"
    with Wallet.create_watch_only(path, PASSWORD, imports=[(NET, text)]) as w:
        devnet = w.devnet(NET)
        devnet.fund(w.account(NET).receive_address(), Decimal("0.5"))
        devnet.mine(1)
    window = _window(qtbot, path)
    window.session.hardware = Hardware(
        find=lambda: [HardwareWallet("stand-in", "Other", "stand-in:0", "0badf00d"), stand_in(hot)],
        open_client=opener,
    )
    _unlock(qtbot, window)
    window.sync()
    qtbot.waitUntil(lambda: not window.session.syncing, timeout=120_000)
    wallet = window.session.require()
    account = wallet.account(NET)
    assert isinstance(account, UtxoAccount)
    page = window.signing_page
    window.nav.setCurrentRow(window.pages.indexOf(page))
    page.set_draft(account, account.prepare_send(EXTERNAL_BTC, Decimal("0.1"), fee_rate=2))
    page.look_for_devices()
    qtbot.waitUntil(lambda: len(page.device_buttons) == 1, timeout=10_000)
    # Only the device holding the account's key is offered.
    (button,) = page.findChildren(QPushButton, "signOnDevice")
    assert button.text() == f"Sign on Stand-in device ({hot.fingerprint})"
    qtbot.waitUntil(button.isVisible, timeout=10_000)
    window.grab().save(str(tmp_path / "signing-device.png"))
    button.click()
    qtbot.waitUntil(lambda: page.signed is not None or bool(page.error.text()), timeout=60_000)
    assert page.error.text() == ""
    assert opened[-1].signed == 1
    assert page.broadcast_button.isEnabled()
    assert page.device_buttons == []  # signed: nothing more to sign
    txid = page.signed.txid
    page.broadcast()
    qtbot.waitUntil(lambda: "Sent" in page.result.text() or bool(page.error.text()), timeout=60_000)
    assert page.error.text() == ""
    wallet.devnet(NET).mine(1)
    wallet.sync_each(NET)
    mined = {r.txid: r.confirmations for r in wallet.history.iter_rows()}
    assert mined[txid] == 1
    window.close()


def test_a_multisig_device_signature_says_what_is_missing(  # type: ignore[no-untyped-def]
    qtbot, tmp_path: Path, hot: Wallet
) -> None:
    """A 2-of-3 (this wallet, another seed, the device): the device's one signature is not
    enough, the page says so; the other cosigner's PSBT read next completes it."""
    opener, opened = seed_opener(hot)
    device_key = export_from_device(stand_in(hot), NET, script="wsh", open_client=opener)
    path = tmp_path / "cosigner.coffer"
    with (
        Wallet.create(path, PASSWORD, TEST_JUNK) as mine,
        Wallet.create(tmp_path / "other.coffer", PASSWORD, OTHER_SEED) as other,
    ):
        keys = [mine.custody.cosigner_key(NET), other.custody.cosigner_key(NET), device_key]
        account = mine.custody.create_multisig(NET, 2, keys, label="2-of-3")
        devnet = mine.devnet(NET)
        devnet.fund(account.receive_address(), Decimal("0.5"))
        devnet.mine(1)
        # The other cosigner knows the policy too, to sign it.
        other.custody.create_multisig(NET, 2, keys, label="2-of-3")
    window = _window(qtbot, path)
    window.session.hardware = Hardware(find=lambda: [stand_in(hot)], open_client=opener)
    _unlock(qtbot, window)
    window.sync()
    qtbot.waitUntil(lambda: not window.session.syncing, timeout=120_000)
    wallet = window.session.require()
    multisig = next(a for a in wallet.accounts(NET) if isinstance(a, UtxoAccount) and a.is_policy)
    page = window.signing_page
    draft = multisig.prepare_send(EXTERNAL_BTC, Decimal("0.1"), fee_rate=2)
    page.set_draft(multisig, draft)
    page.look_for_devices()
    qtbot.waitUntil(lambda: len(page.device_buttons) == 1, timeout=10_000)
    page.device_buttons[0].click()
    qtbot.waitUntil(lambda: "needs 1 more signature" in page.result.text(), timeout=60_000)
    assert page.error.text() == ""
    assert opened[-1].signed == 1
    assert page.partial is not None
    assert not page.broadcast_button.isEnabled()
    with Wallet.open(tmp_path / "other.coffer", PASSWORD) as other:
        by_other = other.sign_psbt(draft.psbt)
    signed_file = tmp_path / "other.psbt"
    signed_file.write_bytes(by_other)
    page.read_signed(paths=[str(signed_file)])
    qtbot.waitUntil(
        lambda: page.broadcast_button.isEnabled() or bool(page.error.text()), timeout=60_000
    )
    assert page.error.text() == ""
    assert page.signed is not None
    window.close()
