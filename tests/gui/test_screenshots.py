"""``make screenshots`` (``gui.screenshots``) writes a picture of every main screen, none blank."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtGui import QImage

from gui import screenshots

SCREENS = {
    "unlock",
    "dashboard",
    "dashboard-hidden",
    "accounts",
    "accounts-hidden",
    "send-errors",
    "send-review",
    "send-form",
    "send-fees",
    "coin-control",
    "receive",
    "history",
    "history-details",
    "history-bump-review",
    "receive-request",
    "signing",
    "settings",
    "onboarding-hardware",
    "receive-device",
}


def test_every_screen_is_written_and_shows_something(qapp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    screenshots.main(tmp_path, "en")
    assert {p.stem for p in tmp_path.glob("*.png")} == SCREENS
    for name in sorted(SCREENS):
        image = QImage(str(tmp_path / f"{name}.png"))
        assert not image.isNull(), name
        colours = {
            image.pixel(x, y)
            for x in range(0, image.width(), 4)
            for y in range(0, image.height(), 4)
        }
        assert len(colours) > 3, name
