"""Write PNG screenshots of the main screens (``make screenshots``), offscreen.

A demo wallet over the embedded devnets (no network): funded, synced, one payment sent and
mined, another still pending, so that every screen shows real values: the send form with the
fee presets and their targets, coin control, the review, a transaction's details with its value
then and now, and the review of a fee bump of the pending payment. ``--lang zh_CN`` renders the
Chinese translation.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from gui.i18n import install_translator
from gui.main_window import MainWindow
from gui.session import Hardware
from wallet import HardwareWallet, Wallet

_DEMO = (
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
)
_PASSWORD = "screenshots"  # noqa: S105 - a throwaway wallet in a temporary folder
_FRIEND = "bcrt1q6rhpng9evdsfnn833a4f4vej0asu6dk5srld6x"
# What HWI's enumerate lists for a device (a picture only: nothing opens it here).
_DEVICE = HardwareWallet("trezor", "Trezor Safe 3", "webusb:001:4", "73c5da0a")


def _wait_until(condition: object, timeout_ms: int = 60_000) -> None:
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: loop.quit() if condition() else None)  # type: ignore[operator]
    timer.start()
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()


def _demo_wallet(path: Path) -> None:
    with Wallet.create(path, _PASSWORD, _DEMO) as wallet:
        btc = wallet.account("bitcoin-regtest")
        evm = wallet.account("evm-embedded")
        devnet = wallet.devnet("bitcoin-regtest")
        for amount in ("0.5", "0.125", "1.75"):
            devnet.fund(btc.receive_address(), Decimal(amount))
            btc.new_receive_address()
        wallet.devnet("evm-embedded").fund(evm.receive_address(), Decimal("3.2"))
        wallet.sync()
        draft = btc.prepare_send("bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", Decimal("0.3"))
        txid = btc.broadcast(wallet.sign(draft))
        wallet.labels.set("tx", txid, "Rent, December")
        devnet.mine(1)
        wallet.sync()
        # A payment still pending (it signals BIP-125): the history offers its fee bump.
        draft = btc.prepare_send(_FRIEND, Decimal("0.05"), fee_rate=1)
        wallet.labels.set("tx", btc.broadcast(wallet.sign(draft)), "Books")
        wallet.sync()
        # Money outside the chains: a bank account in euros beside the coins.
        wallet.fiat.add_account("Checking", "EUR", institution="Demo Bank",
                                opening_balance=Decimal("2450.00"))  # fmt: skip
        wallet.fiat.add_entry("Checking", date.today(), Decimal("-42.10"), payee="Grocer")


def main(out_dir: Path, language: str = "en") -> None:
    """Render the lock, accounts, send, review, receive and history screens into ``out_dir``.

    English screens are ``NAME.png``; another language's are ``NAME.LANG.png``.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)  # noqa: S101
    translator = install_translator(app, language)
    suffix = "" if language == "en" else f".{language}"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.coffer"
        _demo_wallet(path)
        window = MainWindow(path, live_updates=False)
        window.show()
        app.processEvents()
        window.grab().save(str(out_dir / f"unlock{suffix}.png"))
        window.password_edit.setText(_PASSWORD)
        window.unlock()
        _wait_until(lambda: window.stack.currentIndex() == 1)

        def shot(row: int, name: str) -> None:
            window.nav.setCurrentRow(row)
            app.processEvents()
            window.grab().save(str(out_dir / f"{name}{suffix}.png"))

        window.session.require().use_sample_prices()
        window.dashboard_page.reload()
        _wait_until(lambda: not window.dashboard_page.loading)
        shot(0, "dashboard")
        shot(1, "accounts")
        page = window.send_page
        window.nav.setCurrentRow(2)
        page.recipient.setText("bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt081")
        page.amount.setText("0.000000001")
        shot(2, "send-errors")
        page.recipient.setText("bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080")
        page.amount.setText("0.25")
        page.prepare()
        _wait_until(lambda: page.steps.currentIndex() == 1)
        shot(2, "send-review")
        # The same draft handed to another signer: its review, the PSBT as animated QR codes.
        page.elsewhere_button.click()
        shot(window.pages.indexOf(window.signing_page), "signing")
        window.signing_page.clear()
        page.steps.setCurrentIndex(0)
        # The account chosen again: its price now comes from the sample prices.
        page.account.setCurrentIndex(1)
        page.account.setCurrentIndex(0)
        page.recipient.setText("bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080")
        page.amount.setText("0.25")
        _wait_until(lambda: not page.fees.loading and not page.value.loading)
        page.value.show_amount(page.amount.text())
        shot(2, "send-form")
        page.fee.showPopup()
        app.processEvents()
        page.fee.view().window().grab().save(str(out_dir / f"send-fees{suffix}.png"))
        page.fee.hidePopup()
        coins = page.choose_coins()
        if coins is not None:
            coins.model.set_chosen([coins.model.coin(0).outpoint])
            coins.resize(760, 300)
            app.processEvents()
            coins.grab().save(str(out_dir / f"coin-control{suffix}.png"))
            coins.reject()
        shot(3, "receive")
        # A payment request: its link, its QR code, the account's requests with their status.
        panel = window.receive_page.requests
        panel.amount.setText("0.05")
        panel.label.setText("Corner shop")
        panel.message.setText("Coffee beans")
        panel.create()
        _wait_until(lambda: bool(panel.link.text()) and panel.list.count() > 0)
        shot(3, "receive-request")
        history = window.history_page
        model = history.model
        window.nav.setCurrentRow(4)
        # The table reads on a worker: its count and first page, then every row asked below.
        _wait_until(lambda: model is not None and not model.loading)
        if model is not None:
            _wait_until(lambda: all(model.row_at(r) for r in range(min(model.rowCount(), 200))))
        shot(4, "history")
        rows = [] if model is None else [model.row_at(r) for r in range(model.rowCount())]
        labels = [r.label if r is not None else "" for r in rows]
        if model is not None and "Rent, December" in labels and "Books" in labels:
            details = history.details(model.index(labels.index("Rent, December"), 0))
            if details is not None:
                _wait_until(lambda: not details.loading)
                details.resize(720, details.sizeHint().height())
                app.processEvents()
                details.grab().save(str(out_dir / f"history-details{suffix}.png"))
                details.reject()
            pending = model.row_at(labels.index("Books"))
            if pending is not None:
                history.replace(pending, "bump")
                _wait_until(lambda: page.steps.currentIndex() == 1)
                shot(2, "history-bump-review")
        shot(window.pages.indexOf(window.settings_page), "settings")
        window.hide_action.setChecked(True)
        shot(0, "dashboard-hidden")
        shot(1, "accounts-hidden")
        window.lock()
        _hardware_screens(app, window, path, out_dir, suffix)
        window.close()
    app.removeTranslator(translator)


def _hardware_screens(
    app: QApplication, window: MainWindow, hot: Path, out_dir: Path, suffix: str
) -> None:
    """Render the hardware wallet screens: onboarding from a device, and receive with it.

    The onboarding step that reads an account from a hardware wallet, and the receive page of
    such a watch-only wallet, with its "Show on the device" button and the device's answer.
    """
    window.session.hardware = Hardware(find=lambda: [_DEVICE])
    window.new_button.click()
    flow = window.onboarding
    flow._go(5)
    flow.hardware.find_devices()
    _wait_until(lambda: flow.hardware.device.count() == 1)
    flow.hardware.path.setText(str(hot.with_name("trezor.coffer")))
    app.processEvents()
    window.grab().save(str(out_dir / f"onboarding-hardware{suffix}.png"))
    flow.steps.setCurrentIndex(0)
    window.stack.setCurrentIndex(0)
    watch = hot.with_name("watch.coffer")
    with Wallet.open(hot, _PASSWORD) as wallet:
        export = wallet.export_account("bitcoin-regtest")
    Wallet.create_watch_only(watch, _PASSWORD, imports=[("bitcoin-regtest", export)]).close()
    window.path_edit.setText(str(watch))
    window.password_edit.setText(_PASSWORD)
    window.unlock()
    _wait_until(lambda: window.stack.currentIndex() == 1)
    page = window.receive_page
    window.nav.setCurrentRow(window.pages.indexOf(page))
    # The device's answer as the page shows it when the addresses match.
    page.device_check.show()
    page._device_answered((True, page.address.text()))
    app.processEvents()
    window.grab().save(str(out_dir / f"receive-device{suffix}.png"))
    window.lock()


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    for lang in sys.argv[2:] or ["en", "zh_CN"]:
        main(target, lang)
