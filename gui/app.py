"""The Coffer desktop application: ``python -m gui.app [WALLET]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from gui.i18n import LANGUAGES, install_translator
from gui.main_window import MainWindow

__all__ = ["MainWindow", "main"]


def main() -> None:
    """Start the desktop application: ``python -m gui.app [--lang zh_CN] [WALLET]``."""
    parser = argparse.ArgumentParser(prog="python -m gui.app")
    parser.add_argument("wallet", nargs="?", type=Path, help="the wallet file to open")
    parser.add_argument("--lang", choices=sorted(LANGUAGES), help="the interface's language")
    args, qt_args = parser.parse_known_args()
    app = QApplication([sys.argv[0], *qt_args])
    app.setApplicationName("Coffer")
    install_translator(app, args.lang)
    window = MainWindow(args.wallet)
    window.show()
    sys.exit(app.exec())


if __name__ == "__main__":
    main()
