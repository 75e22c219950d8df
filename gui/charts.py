"""The dashboard's two charts, drawn with QPainter.

Why not Qt Charts: it is deprecated since Qt 6.10. Its successor, Qt Graphs, draws 2D charts in
Qt Quick (a scene graph on the GPU), which needs a QML engine in a widgets app and renders
nothing useful on the offscreen platform the tests and screenshots use. Two charts (shares of a
whole, a value per day) are a few hundred lines of QPainter, which every Qt version since 4
keeps, draws the same offscreen and on screen, and lets the hide-balances switch mask every
label, axis and tooltip in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from gui.privacy import Privacy

__all__ = ["AllocationChart", "Slice", "ValueChart"]

PALETTE = (
    "#f7931a",
    "#627eea",
    "#345d9d",
    "#26a17b",
    "#c2a633",
    "#8247e5",
    "#e84142",
    "#0052ff",
    "#9aa0a6",
)


@dataclass(frozen=True, slots=True)
class Slice:
    """One share of the allocation: its name, value text (already formatted) and percent."""

    name: str
    value_text: str
    share: Decimal


class AllocationChart(QWidget):
    """A ring of shares with a legend; values masked while balances are hidden."""

    def __init__(self, privacy: Privacy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._privacy = privacy
        self._slices: list[Slice] = []
        self._empty = ""
        self.setMinimumSize(QSize(320, 200))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        privacy.changed.connect(self._changed)

    def set_slices(self, slices: list[Slice], empty: str = "") -> None:
        """Show these shares (largest first); ``empty`` says why there are none."""
        self._slices = list(slices)
        self._empty = empty
        self._changed()

    def _changed(self, *_: object) -> None:
        mask = self._privacy.amount
        lines = [f"{s.name}: {mask(s.value_text)} ({mask(f'{s.share}%')})" for s in self._slices]
        self.setToolTip("\n".join(lines))
        self.update()

    def paintEvent(self, _event: object) -> None:
        """Draw the ring and the legend."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if not self._slices:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._empty)
            return
        side = min(self.height() - 20, self.width() // 2)
        ring = QRectF(10, 10, side, side)
        start = 90 * 16
        for i, item in enumerate(self._slices):
            span = -round(float(item.share) * 360 * 16 / 100)  # drawing only: never money
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(PALETTE[i % len(PALETTE)]))
            painter.drawPie(ring, start, span)
            start += span
        hole = ring.adjusted(side * 0.28, side * 0.28, -side * 0.28, -side * 0.28)
        painter.setBrush(self.palette().window())
        painter.drawEllipse(hole)
        x = ring.right() + 20
        y = 20.0
        painter.setPen(self.palette().windowText().color())
        for i, item in enumerate(self._slices[:9]):
            painter.setBrush(QColor(PALETTE[i % len(PALETTE)]))
            painter.drawRect(QRectF(x, y - 9, 10, 10))
            share = self._privacy.amount(f"{item.share}%")
            painter.drawText(QPointF(x + 16, y), f"{item.name}  {share}")
            y += 20


class ValueChart(QWidget):
    """Value per day as a line; the last point is today's total. Masked while hidden."""

    def __init__(self, privacy: Privacy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._privacy = privacy
        self._points: list[tuple[date, Decimal]] = []
        self._labels: tuple[str, str] = ("", "")
        self._empty = ""
        self.setMinimumSize(QSize(320, 200))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        privacy.changed.connect(lambda _hidden: self._changed())

    def set_points(
        self, points: list[tuple[date, Decimal]], low_high: tuple[str, str], empty: str = ""
    ) -> None:
        """Show values per day (oldest first) with the axis' lowest and highest label text."""
        self._points = list(points)
        self._labels = low_high
        self._empty = empty
        self._changed()

    @property
    def points(self) -> list[tuple[date, Decimal]]:
        """Return the points shown (oldest first)."""
        return list(self._points)

    def _changed(self) -> None:
        if self._points:
            last_day, _ = self._points[-1]
            self.setToolTip(f"{last_day.isoformat()}: {self._privacy.amount(self._labels[1])}")
        else:
            self.setToolTip("")
        self.update()

    def paintEvent(self, _event: object) -> None:
        """Draw the axis labels and the line."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if len(self._points) < 2:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._empty)
            return
        font = QFont(painter.font())
        painter.setFont(font)
        left, top, bottom = 90.0, 12.0, self.height() - 24.0
        right = self.width() - 12.0
        values = [v for _, v in self._points]
        low, high = min(values), max(values)
        spread = (high - low) or Decimal(1)
        painter.setPen(self.palette().windowText().color())
        painter.drawText(QPointF(4, top + 10), self._privacy.amount(self._labels[1]))
        painter.drawText(QPointF(4, bottom), self._privacy.amount(self._labels[0]))
        first, last = self._points[0][0], self._points[-1][0]
        painter.drawText(QPointF(left, self.height() - 6.0), first.isoformat())
        painter.drawText(QPointF(right - 70, self.height() - 6.0), last.isoformat())
        if self._privacy.hidden:
            return  # the shape of the line would tell the balances' history
        path = QPainterPath()
        count = len(self._points) - 1
        for i, value in enumerate(values):
            x = left + (right - left) * i / count
            # Drawing coordinates only: the value itself stays a Decimal.
            y = bottom - (bottom - top) * float((value - low) / spread)
            if i == 0:
                path.moveTo(x, y)
            else:
                path.lineTo(x, y)
        painter.setPen(QPen(QColor("#627eea"), 2))
        painter.drawPath(path)
        painter.setPen(QPen(QColor("#9aa0a6"), 1, Qt.PenStyle.DotLine))
        painter.drawLine(QPointF(left, bottom), QPointF(right, bottom))
