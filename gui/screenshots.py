"""Write PNG screenshots of the main screens (``make screenshots``), offscreen.

A demo wallet over the embedded devnets (no network): funded, synced, one payment sent, so that
every screen shows real values. ``--lang zh_CN`` renders the Chinese translation.
"""

from __future__ import annotations

import os
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from gui.i18n import install_translator
from gui.main_window import MainWindow
from wallet import Wallet

_DEMO = (
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
)
_PASSWORD = "screenshots"  # noqa: S105 - a throwaway wallet in a temporary folder


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
        shot(3, "receive")
        shot(4, "history")
        window.hide_action.setChecked(True)
        shot(0, "dashboard-hidden")
        shot(1, "accounts-hidden")
        window.close()
    app.removeTranslator(translator)


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    for lang in sys.argv[2:] or ["en", "zh_CN"]:
        main(target, lang)
