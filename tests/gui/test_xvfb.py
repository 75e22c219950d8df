"""One run of the real app under Xvfb: ``python -m gui.app`` in its own process, on a real X
display, writes a screenshot of its window after the first paint and quits; the picture is
read back and must show something (not one flat colour).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QImage

from tests.conftest import ABANDON, PASSWORD
from wallet import Wallet

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run is not installed")
def test_the_real_app_draws_its_window_under_xvfb(tmp_path: Path) -> None:
    path = tmp_path / "x.coffer"
    with Wallet.create(path, PASSWORD, ABANDON) as wallet:
        wallet.account("bitcoin")
    shot = tmp_path / "shot.png"
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}  # a real display
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [
            "xvfb-run",
            "-a",
            "-s",
            "-screen 0 1280x800x24",
            sys.executable,
            "-m",
            "gui.app",
            "--lang",
            "en",
            "--screenshot",
            str(shot),
            str(path),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    image = QImage(str(shot))
    assert not image.isNull()
    assert image.width() >= 400
    assert image.height() >= 300
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)
    }
    assert len(colours) > 8  # text, fields and buttons, not a blank window
    dark = sum(
        1
        for x in range(0, image.width(), 2)
        for y in range(0, image.height(), 2)
        if image.pixelColor(x, y).lightness() < 80
    )
    assert dark > 50  # the words of the unlock screen are drawn
