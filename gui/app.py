"""The Coffer desktop application: ``python -m gui.app [WALLET]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from gui.i18n import LANGUAGES, install_translator
from gui.main_window import MainWindow

__all__ = ["MainWindow", "main"]


class _ShotAfterFirstPaint(QObject):
    """Save the window as the display shows it once it was first painted, then quit.

    The pixels come from the screen (``QScreen.grabWindow``: under X11, what the X server
    holds), so the picture shows what a person would see, not a re-rendering.
    """

    def __init__(self, window: QWidget, path: Path, app: QApplication) -> None:
        super().__init__(window)
        self._window = window
        self._path = path
        self._app = app
        self._done = False
        self.code = 1

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Wait for the first paint, then take the picture on the next turn of the loop."""
        if event.type() == QEvent.Type.Paint and not self._done:
            self._done = True
            QTimer.singleShot(0, self._shoot)
        return False

    def _shoot(self) -> None:
        self._app.processEvents()
        screen = self._window.screen()
        picture = screen.grabWindow(self._window.winId())
        if picture.isNull():  # a platform that cannot read the screen back
            picture = self._window.grab()
        self.code = 0 if picture.save(str(self._path), "PNG") else 1
        if self.code:
            print(f"Could not write the screenshot to {self._path}.", file=sys.stderr)
        self._app.exit(self.code)


def main() -> None:
    """Start the desktop application: ``python -m gui.app [--lang zh_CN] [WALLET]``.

    ``--screenshot PATH`` writes a PNG of the window once it is first painted, then quits
    (exit 0; 1 when the file cannot be written): a check that the real app starts and draws.
    """
    parser = argparse.ArgumentParser(prog="python -m gui.app")
    parser.add_argument("wallet", nargs="?", type=Path, help="the wallet file to open")
    parser.add_argument("--lang", choices=sorted(LANGUAGES), help="the interface's language")
    parser.add_argument(
        "--screenshot", type=Path, metavar="PATH", help="save a PNG after the first paint, quit"
    )
    args, qt_args = parser.parse_known_args()
    app = QApplication([sys.argv[0], *qt_args])
    app.setApplicationName("Coffer")
    install_translator(app, args.lang)
    window = MainWindow(args.wallet)
    if args.screenshot is not None:
        window.installEventFilter(_ShotAfterFirstPaint(window, args.screenshot, app))
    window.show()
    sys.exit(app.exec())


if __name__ == "__main__":
    main()
