"""Hide balances: one switch, one fixed mask for every value, whatever its length."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QObject, Signal

__all__ = ["MASK", "Privacy"]

MASK = "\u2022\u2022\u2022\u2022\u2022\u2022"
"""What every hidden amount shows: always six dots, so the length of a value leaks nothing."""


class Privacy(QObject):
    """Whether balances are hidden; models and pages ask it for the text of every amount."""

    changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hidden = False

    @property
    def hidden(self) -> bool:
        """Return whether amounts are masked."""
        return self._hidden

    def set_hidden(self, hidden: bool) -> None:
        """Mask or show every amount, on every screen at once."""
        if hidden != self._hidden:
            self._hidden = hidden
            self.changed.emit(hidden)

    def amount(self, text: str) -> str:
        """Return ``text`` (an amount already formatted), or the mask while hidden."""
        return MASK if self._hidden else text

    def number(self, value: Decimal | int | None) -> Decimal | int | None:
        """Return a value for a model's sort or edit role; nothing while hidden."""
        return None if self._hidden else value
