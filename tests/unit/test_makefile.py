"""``make demo`` installs Coffer alone; ``make test`` keeps the dev and gui extras (item 16).

``make -n`` prints what would run without running it, against a venv path that does not
exist, so both recipes show in full.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _plan(target: str, tmp_path: Path) -> str:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    done = subprocess.run(
        [make, "-s", "-n", "-C", str(ROOT), target, f"VENV={tmp_path / 'venv'}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_make_demo_installs_no_extras(tmp_path: Path) -> None:
    plan = _plan("demo", tmp_path)
    installs = [line for line in plan.splitlines() if "pip install" in line and " -e " in line]
    assert installs
    assert all(line.rstrip().endswith("-e .") for line in installs), installs
    assert "dev" not in "".join(installs)
    assert "bin/coffer demo" in plan


def test_make_unit_still_installs_dev_gui_and_hw(tmp_path: Path) -> None:
    plan = _plan("unit", tmp_path)
    assert "-e '.[dev,gui,hw]'" in plan
