"""Shared fixtures: wallets on temporary paths, the canary mnemonic, node plugins."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings as hypothesis_settings

# bitcoinlib writes to ~/.bitcoinlib on import unless told otherwise; tests import it as a peer.
os.environ.setdefault("BCL_DATA_DIR", tempfile.mkdtemp(prefix="coffer-bcl-"))

from wallet import Wallet

# Property tests draw the same examples on every run (a seed per test), so the suite passes or
# fails the same way on CI and here; HYPOTHESIS_PROFILE=explore draws new ones to look for bugs.
# No example database is written into the tree.
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False, database=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

pytest_plugins = ["tests.nodes.evm", "tests.nodes.utxo"]

ABANDON = (
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
)
"""The mnemonic of the BIP-44/49/84/86 test vectors."""

TEST_JUNK = "test test test test test test test test test test test junk"
"""The mnemonic of anvil's and Hardhat's prefunded accounts."""

CANARY = "where safe divide swing assume fine wing then cash clinic tiny file"
"""A mnemonic planted to prove it never leaks (entropy fa57c0ffee00deadbeef0123456789ab)."""

PASSWORD = "correct horse battery staple"


@pytest.fixture
def wallet_path(tmp_path: Path) -> Path:
    return tmp_path / "test.coffer"


@pytest.fixture
def abandon_wallet(wallet_path: Path) -> Iterator[Wallet]:
    with Wallet.create(wallet_path, PASSWORD, ABANDON) as wallet:
        yield wallet


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A click runner for ``coffer`` with the test password and no wallet from the env."""
    monkeypatch.setenv("COFFER_PASSWORD", PASSWORD)
    monkeypatch.delenv("COFFER_WALLET", raising=False)
    return CliRunner()
