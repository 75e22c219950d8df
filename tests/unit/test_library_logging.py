"""Coffer's packages log through NullHandlers: a script that set up no logging sees nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from wallet import Balance

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "logger",
    [
        "chains.evm.jsonrpc",
        "chains.utxo.electrum.session",
        "wallet.watch",
        "keystore.vault",
        "primitives.psbt",
    ],
)
def test_a_library_warning_prints_nothing_without_logging_setup(logger: str) -> None:
    package = logger.split(".")[0]
    script = (
        f"import logging, {package}\n"
        f"logging.getLogger({logger!r}).warning('a warning a script never asked to see')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_a_configured_program_still_sees_the_warnings() -> None:
    script = (
        "import logging, wallet\n"
        "logging.basicConfig()\n"
        "logging.getLogger('wallet.watch').warning('seen')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert "seen" in done.stderr


def test_balance_gives_the_pending_amount_in_coins() -> None:
    balance = Balance("bitcoin", "BTC", 8, confirmed=150_000_000, unconfirmed=-2_500_000)
    assert balance.unconfirmed_decimal == Decimal("-0.025")
    assert balance.confirmed_decimal == Decimal("1.5")
    assert balance.total_decimal == Decimal("1.475")
