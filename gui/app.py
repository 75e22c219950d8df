"""The Coffer desktop application: ``python -m gui.app [WALLET]``."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from gui.main_window import MainWindow

__all__ = ["MainWindow", "main"]


def main() -> None:
    """Start the desktop application."""
    app = QApplication(sys.argv)
    app.setApplicationName("Coffer")
    window = MainWindow(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    window.show()
    sys.exit(app.exec())


if __name__ == "__main__":
    main()
