"""``python -m gui.signer [WALLET]``: the offline signer window; no socket can be opened."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from gui.signer.window import SignerWindow
from wallet.signing.guard import NetworkGuard


def main() -> int:
    """Arm the network guard for the life of the process, then run the window."""
    guard = NetworkGuard()
    guard.__enter__()  # armed until the process exits: the seed never meets a socket
    app = QApplication(sys.argv)
    window = SignerWindow(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
