"""Light and dark themes: Qt's Fusion style with a palette of each."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

__all__ = ["DANGER_STYLE", "ERROR_STYLE", "GOOD_STYLE", "apply_theme"]

ERROR_STYLE = "color: #b3261e;"
"""How a message about something wrong is drawn next to its field (red, readable on both themes)."""

DANGER_STYLE = (
    "background-color: #b3261e; color: #ffffff; font-weight: bold; padding: 6px; "
    "border-radius: 4px;"
)
"""How a danger is drawn (white on red): a device that shows another address than the wallet."""

GOOD_STYLE = "color: #1e7b34;"
"""How a check that passed is drawn (green)."""


def _dark() -> QPalette:
    palette = QPalette()
    role = QPalette.ColorRole
    for r, color in (
        (role.Window, "#202124"),
        (role.WindowText, "#e8eaed"),
        (role.Base, "#2a2b2e"),
        (role.AlternateBase, "#303134"),
        (role.Text, "#e8eaed"),
        (role.Button, "#303134"),
        (role.ButtonText, "#e8eaed"),
        (role.Highlight, "#8ab4f8"),
        (role.HighlightedText, "#202124"),
        (role.ToolTipBase, "#303134"),
        (role.ToolTipText, "#e8eaed"),
        (role.PlaceholderText, "#9aa0a6"),
        (role.Link, "#8ab4f8"),
    ):
        palette.setColor(r, QColor(color))
    return palette


def apply_theme(app: QApplication, theme: str) -> None:
    """Use ``light``, ``dark`` or the ``system`` look for every window of the app."""
    app.setStyle("Fusion")
    if theme == "dark":
        app.setPalette(_dark())
    else:
        app.setPalette(app.style().standardPalette())
