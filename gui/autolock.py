"""Lock the wallet after a time without input from the person."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

__all__ = ["AutoLock"]

_INPUT = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class AutoLock(QObject):
    """Emit ``expired`` after ``minutes`` without a key, click, move or wheel in the app.

    Install it on the application (``app.installEventFilter(autolock)``); ``0`` minutes turns
    it off.
    """

    expired = Signal()

    def __init__(self, minutes: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.expired.emit)
        self.set_minutes(minutes)

    @property
    def minutes(self) -> int:
        """Return the idle time before locking, 0 when off."""
        return self._minutes

    def set_minutes(self, minutes: int) -> None:
        """Change the idle time (0 turns auto-lock off) and start counting again."""
        self._minutes = max(0, minutes)
        self.poke()

    def set_interval_ms(self, milliseconds: int) -> None:
        """Set the idle time in milliseconds (tests)."""
        self._minutes = 1
        self._timer.setInterval(milliseconds)
        self._timer.start()

    def poke(self) -> None:
        """Start counting the idle time again."""
        if self._minutes:
            self._timer.start(self._minutes * 60_000)
        else:
            self._timer.stop()

    def pause(self) -> None:
        """Stop counting (while locked)."""
        self._timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Restart the count on every input event; never consume it."""
        if event.type() in _INPUT and self._timer.isActive():
            self._timer.start()
        return False
