"""Write PNG screenshots of the main screens (``make screenshots``), offscreen."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from gui.app import MainWindow
from wallet import Wallet

_DEMO = (
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
)


def _wait_until(condition: object, timeout_ms: int = 30_000) -> None:
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(lambda: loop.quit() if condition() else None)  # type: ignore[operator]
    timer.start()
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()


def main(out_dir: Path) -> None:
    """Render the unlock and accounts screens of a demo wallet into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.coffer"
        with Wallet.create(path, "screenshots", _DEMO) as wallet:
            for name in ("bitcoin", "litecoin", "dogecoin", "ethereum", "polygon", "base"):
                wallet.account(name)
            wallet.account("bitcoin", kind="p2tr")
        window = MainWindow(path)
        window.show()
        app.processEvents()
        window.grab().save(str(out_dir / "unlock.png"))
        window.password_edit.setText("screenshots")
        window.unlock()
        _wait_until(lambda: window.stack.currentIndex() == 1)
        window.accounts_view.resizeColumnsToContents()
        app.processEvents()
        window.grab().save(str(out_dir / "accounts.png"))
        window.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
